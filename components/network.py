"""A region's VPC: public and private subnets across availability zones, NAT, an S3 endpoint.

NAT gateways: one per AZ where `nat_gateways: per-az` (the primary: an AZ outage keeps egress),
else one shared. The S3 gateway endpoint keeps dataset and checkpoint traffic off NAT (no per-GB
NAT charge). The one security group opens nothing to the world: only the VPC reaches it.
"""

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
    private_route_table_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:Network", name, None, opts)
        region = args.region
        child = pulumi.ResourceOptions(parent=self)

        zones = aws.get_availability_zones_output(
            state="available", opts=pulumi.InvokeOutputOptions(parent=self)
        )
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
        # Routes are separate resources only: a route table's inline routes would drop any
        # `ec2.Route` added to it (the peering routes, components/peering.py) on the next update.
        self.public_route_table = aws.ec2.RouteTable(
            f"{name}-public", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}, opts=vpc_child
        )
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=self.public_route_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self.internet_gateway.id,
            opts=pulumi.ResourceOptions(parent=self.public_route_table),
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

        # NAT: per AZ, or one in the first public subnet that every private subnet routes through.
        nat_count = region.availability_zones if region.nat_gateways == "per-az" else 1
        self.nat_gateways: list[aws.ec2.NatGateway] = []
        for index in range(nat_count):
            eip = aws.ec2.Eip(
                f"{name}-nat-{index}",
                domain="vpc",
                tags={"Name": f"{name}-nat-{index}"},
                opts=vpc_child,
            )
            self.nat_gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.allocation_id,
                    subnet_id=self.public_subnets[index].id,
                    tags={"Name": f"{name}-nat-{index}"},
                    opts=pulumi.ResourceOptions(
                        parent=self.vpc, depends_on=[self.internet_gateway]
                    ),
                )
            )
        self.private_route_tables: list[aws.ec2.RouteTable] = []
        for index in range(nat_count):
            table = aws.ec2.RouteTable(
                f"{name}-private-{index}",
                vpc_id=self.vpc.id,
                tags={"Name": f"{name}-private-{index}"},
                opts=vpc_child,
            )
            aws.ec2.Route(
                f"{name}-private-{index}-internet",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=self.nat_gateways[index].id,
                opts=pulumi.ResourceOptions(parent=table),
            )
            self.private_route_tables.append(table)
        self.private_route_table_ids = [t.id for t in self.private_route_tables]
        for index, subnet in enumerate(self.private_subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}",
                subnet_id=subnet.id,
                route_table_id=self.private_route_tables[index % nat_count].id,
                opts=pulumi.ResourceOptions(parent=subnet),
            )

        self.s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region.name}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=self.private_route_table_ids,
            tags={"Name": f"{name}-s3"},
            opts=vpc_child,
        )

        # For in-VPC services (caches, fleets): reachable from the VPC only, egress anywhere.
        # Rules are separate resources only (inline rules would drop any added later).
        self.internal_security_group = aws.ec2.SecurityGroup(
            f"{name}-internal",
            vpc_id=self.vpc.id,
            description="in-VPC traffic only; no port open to the internet",
            tags={"Name": f"{name}-internal"},
            opts=vpc_child,
        )
        group = pulumi.ResourceOptions(parent=self.internal_security_group)
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-internal-vpc", security_group_id=self.internal_security_group.id,
            ip_protocol="-1", cidr_ipv4=region.vpc_cidr, description="from inside the VPC",
            opts=group,
        )  # fmt: skip
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-internal-egress", security_group_id=self.internal_security_group.id,
            ip_protocol="-1", cidr_ipv4="0.0.0.0/0", description="to anywhere (through NAT)",
            opts=group,
        )  # fmt: skip

        self.vpc_id = self.vpc.id
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "nat_gateways": len(self.nat_gateways),
            }
        )
