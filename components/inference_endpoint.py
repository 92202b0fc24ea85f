"""A region's public inference endpoint: a network load balancer that terminates TLS with the
region's ACM certificate for the service domain and forwards to the Triton NodePort on the
region's inference pool; Route 53 latency records and health checks point at it.

The certificate is validated through DNS records in the stack's hosted zone (one record per
domain validation option) and the listener waits for the validation. The node port opens only as a
separate rule resource on the node security group (inline rules and rule resources on one group
overwrite each other on every update).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.settings import Routing

HTTPS_PORT = 443
# TLS 1.3 and 1.2 only (ELB's predefined policies, 2026-11).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def validated_certificate(name: str, domain: str, zone_id: Any, opts: pulumi.ResourceOptions):
    """An ACM certificate for `domain`, DNS-validated in `zone_id`; returns the validation,
    whose `certificate_arn` is usable once ACM has issued it."""
    cert = aws.acm.Certificate(
        name,
        domain_name=domain,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        opts=opts,
    )
    record = aws.route53.Record(
        f"{name}-validation",
        zone_id=zone_id,
        name=cert.domain_validation_options[0].resource_record_name,
        type=cert.domain_validation_options[0].resource_record_type,
        records=[cert.domain_validation_options[0].resource_record_value],
        ttl=300,
        allow_overwrite=True,  # ACM gives every region the same record for one domain
        opts=pulumi.ResourceOptions(parent=cert),
    )
    return aws.acm.CertificateValidation(
        name,
        certificate_arn=cert.arn,
        validation_record_fqdns=[record.fqdn],
        opts=pulumi.ResourceOptions(parent=cert),
    )


class InferenceEndpointArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    routing: Routing
    node_port: int
    vpc_id: object
    public_subnet_ids: list
    group_names: list  # the inference pools' Auto Scaling groups
    node_security_group_id: object
    zone_id: object


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
        certificate = validated_certificate(f"{name}-tls", routing.domain, args.zone_id, child)
        aws.lb.Listener(
            name,
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="TLS",
            certificate_arn=certificate.certificate_arn,
            ssl_policy=TLS_POLICY,
            default_actions=[{"type": "forward", "target_group_arn": targets.arn}],
            opts=child,
        )
        for index, group in enumerate(args.group_names):
            aws.autoscaling.Attachment(
                f"{name}-{index}",
                autoscaling_group_name=group,
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
