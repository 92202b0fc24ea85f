"""A region's VPC: public and private subnets across availability zones."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.settings import Region


class NetworkArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    region: Region


def subnet_cidrs(vpc_cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Split the VPC into 2 x `zones` equal blocks (rounded up to a power of two): public first."""
    network = ipaddress.ip_network(vpc_cidr)
    extra_bits = max(1, (2 * zones - 1).bit_length())
    blocks = [str(b) for b in network.subnets(prefixlen_diff=extra_bits)]
    return blocks[:zones], blocks[zones : 2 * zones]


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:Network", name, None, opts)
        region = args.region
        child = pulumi.ResourceOptions(parent=self)

        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))
        zone_names = zones.names.apply(lambda names: sorted(names)[: region.availability_zones])

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=region.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        vpc_child = pulumi.ResourceOptions(parent=self.vpc)
        public_cidrs, private_cidrs = subnet_cidrs(region.vpc_cidr, region.availability_zones)

        self.internet_gateway = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"{name}-igw"}, opts=vpc_child
        )
        self.public_route_table = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=self.vpc.id,
            routes=[
                aws.ec2.RouteTableRouteArgs(
                    cidr_block="0.0.0.0/0", gateway_id=self.internet_gateway.id
                )
            ],
            tags={"Name": f"{name}-public"},
            opts=vpc_child,
        )

        self.public_subnets: list[aws.ec2.Subnet] = []
        self.private_subnets: list[aws.ec2.Subnet] = []
        for index in range(region.availability_zones):
            zone = zone_names.apply(lambda names, i=index: names[i])
            public = aws.ec2.Subnet(
                f"{name}-public-{index}",
                vpc_id=self.vpc.id,
                cidr_block=public_cidrs[index],
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-public-{index}", "kubernetes.io/role/elb": "1"},
                opts=vpc_child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}",
                subnet_id=public.id,
                route_table_id=self.public_route_table.id,
                opts=pulumi.ResourceOptions(parent=public),
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{index}",
                vpc_id=self.vpc.id,
                cidr_block=private_cidrs[index],
                availability_zone=zone,
                tags={"Name": f"{name}-private-{index}", "kubernetes.io/role/internal-elb": "1"},
                opts=vpc_child,
            )
            self.public_subnets.append(public)
            self.private_subnets.append(private)

        self.vpc_id = self.vpc.id
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
            }
        )
