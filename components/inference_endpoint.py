"""A region's public inference endpoint: a network load balancer in front of the Triton NodePort
on the region's inference pool; Route 53 latency records and health checks point at it."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.settings import Routing


class InferenceEndpointArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    routing: Routing
    node_port: int
    vpc_id: object
    public_subnet_ids: list
    group_name: object  # the inference pool's Auto Scaling group
    node_security_group_id: object


class InferenceEndpoint(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: InferenceEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:InferenceEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        routing = args.routing
        self.load_balancer = aws.lb.LoadBalancer(
            name, load_balancer_type="network", internal=False, subnets=args.public_subnet_ids,
            enable_cross_zone_load_balancing=True, opts=child,
        )  # fmt: skip
        targets = aws.lb.TargetGroup(
            name,
            port=args.node_port,
            protocol="TCP",
            vpc_id=args.vpc_id,
            target_type="instance",
            health_check={
                "protocol": "HTTP",
                "path": routing.health_check_path,
                "port": "traffic-port",
            },
            opts=child,
        )
        aws.lb.Listener(
            name,
            load_balancer_arn=self.load_balancer.arn,
            port=routing.listener_port,
            protocol="TCP",
            default_actions=[{"type": "forward", "target_group_arn": targets.arn}],
            opts=child,
        )
        aws.autoscaling.Attachment(
            name,
            autoscaling_group_name=args.group_name,
            lb_target_group_arn=targets.arn,
            opts=child,
        )
        # The NLB keeps client addresses: the nodes accept the NodePort (not an admin port).
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-node-port",
            security_group_id=args.node_security_group_id,
            ip_protocol="tcp",
            from_port=args.node_port,
            to_port=args.node_port,
            cidr_ipv4="0.0.0.0/0",
            description="inference traffic through the network load balancer",
            opts=child,
        )
        self.dns_name = self.load_balancer.dns_name
        self.zone_id = self.load_balancer.zone_id
        self.register_outputs({"dns_name": self.dns_name})
