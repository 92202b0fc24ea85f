"""NAT gateways, load balancers, public IPv4 addresses and VPC endpoints.

Load balancer capacity units take infracost's usage keys with AWS's definitions of one unit
(the ELB pricing page): an ALB LCU is 25 new connections/s, 3,000 active connections/min,
1 GB/h processed or 1,000 rule evaluations/s; an NLB NLCU (TCP) is 800 new connections/s,
100,000 active connections/min or 1 GB/h. The busiest dimension is billed, per hour.
"""

from __future__ import annotations

from optimizers.costing.model import HOURS_PER_MONTH
from optimizers.costing.quote import Quote, Unpriceable
from optimizers.costing.registry import priced
from optimizers.costing.usage import NUMBER

DATA_PROCESSED = {"monthly_data_processed_gb": NUMBER}
LB_USAGE = {
    "new_connections": NUMBER,  # per second, on average
    "active_connections": NUMBER,  # per minute, on average
    "processed_bytes_gb": NUMBER,  # per hour, on average
    "rule_evaluations": NUMBER,  # per second (application load balancers)
}
# One capacity unit, per usage key, by load balancer type.
LCU_DIMENSIONS = {
    "application": {"new_connections": 25.0, "active_connections": 3000.0,
                    "processed_bytes_gb": 1.0, "rule_evaluations": 1000.0},
    "network": {"new_connections": 800.0, "active_connections": 100000.0,
                "processed_bytes_gb": 1.0},
}  # fmt: skip


@priced("aws:ec2/natGateway:NatGateway", usage=DATA_PROCESSED)
def nat_gateway(q: Quote) -> None:
    q.service("NAT gateway", "vpc.nat_gateway.hour", HOURS_PER_MONTH, "hours")
    q.service("Data processed", "vpc.nat_gateway.data_processed",
              q.usage.number("monthly_data_processed_gb"), "GB", usage_based=True)  # fmt: skip


@priced("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", usage=LB_USAGE)
def load_balancer(q: Quote) -> None:
    lb_type = q.resource.get("loadBalancerType", default="application")
    if lb_type not in LCU_DIMENSIONS:
        raise Unpriceable(f"{lb_type} load balancers are not modelled")
    dimensions = LCU_DIMENSIONS[lb_type]
    units = [q.usage.number(key) / per for key, per in dimensions.items()]
    unused = [k for k in LB_USAGE if k not in dimensions and q.usage.has(k)]
    if unused:
        q.warn(f"{', '.join(unused)} does not apply to {lb_type} load balancers")
    q.service(f"{lb_type.capitalize()} load balancer", f"elb.{lb_type}.hour", HOURS_PER_MONTH,
              "hours")  # fmt: skip
    q.service("Load balancer capacity units", f"elb.{lb_type}.lcu", max(units), "LCU",
              usage_based=True)  # fmt: skip


@priced("aws:elb/loadBalancer:LoadBalancer", usage=DATA_PROCESSED)
def classic_load_balancer(q: Quote) -> None:
    q.service("Classic load balancer", "elb.classic.hour", HOURS_PER_MONTH, "hours")
    q.service("Data processed", "elb.classic.data_processed",
              q.usage.number("monthly_data_processed_gb"), "GB", usage_based=True)  # fmt: skip


@priced("aws:ec2/eip:Eip")
def elastic_ip(q: Quote) -> None:
    # Since 2024-02-01 AWS bills every public IPv4 address, attached or idle (infracost bills
    # only an unattached one).
    q.service("Public IPv4 address", "vpc.public_ipv4.hour", HOURS_PER_MONTH, "hours")


@priced("aws:ec2/vpcEndpoint:VpcEndpoint", usage=DATA_PROCESSED)
def vpc_endpoint(q: Quote) -> None:
    kind = q.resource.get("vpcEndpointType", default="Gateway")
    if kind == "Gateway":
        q.note = "gateway endpoints (S3, DynamoDB) are free"
        return
    key = {"Interface": "interface", "GatewayLoadBalancer": "gateway_load_balancer"}.get(kind)
    if key is None:
        raise Unpriceable(f"{kind} endpoints are not modelled")
    subnets = q.resource.get("subnetIds", default=[]) or []
    zones = max(1, len(subnets)) if kind == "Interface" else 1  # billed per AZ
    q.service(f"Endpoint ({kind}) x{zones} AZ", f"vpc.endpoint.{key}.hour",
              HOURS_PER_MONTH * zones, "hours")  # fmt: skip
    q.service("Data processed", f"vpc.endpoint.{key}.data_processed",
              q.usage.number("monthly_data_processed_gb"), "GB", usage_based=True)  # fmt: skip
