"""Regions and network: where the stack runs, its VPCs, and how users reach it (DNS, CDN)."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.facts import limits
from components.facts.regions import AWS_REGIONS
from components.settings.base import Cidr, Model, TtlSeconds, prefix_between, unknown_name


class RegionRole(StrEnum):
    PRIMARY = "primary"
    EDGE = "edge"


def check_region(value: str) -> str:
    if value not in AWS_REGIONS:
        raise ValueError(unknown_name("AWS region", value, AWS_REGIONS))
    return value


def subnet_bits(zones: int) -> int:
    """Bits the network adds to the VPC prefix: 2 x `zones` subnets (public and private),
    rounded up to a power of two (components/network.py splits it so)."""
    return max(1, (2 * zones - 1).bit_length())


class Region(Model):
    name: str
    role: RegionRole
    vpc_cidr: Annotated[Cidr, prefix_between(*limits.VPC_PREFIX_RANGE)]
    availability_zones: int = Field(ge=2, le=6)
    nat_gateways: Literal["per-az", "single"]

    _known_region = field_validator("name")(check_region)

    @model_validator(mode="after")
    def _subnets_fit(self) -> Region:
        prefix = ipaddress.IPv4Network(self.vpc_cidr).prefixlen + subnet_bits(
            self.availability_zones
        )
        if prefix > limits.SUBNET_MIN_PREFIX:
            raise ValueError(
                f"vpc_cidr {self.vpc_cidr} is too small for {self.availability_zones} zones: its "
                f"subnets would be /{prefix}, and AWS subnets are at least "
                f"/{limits.SUBNET_MIN_PREFIX}"
            )
        return self


class Network(Model):
    """How the regions' VPCs connect (the `network` key)."""

    peer_edges: bool = Field(
        default=True,
        description=(
            "peer the primary VPC with every edge VPC (cross-region VPC peering, routes both "
            "ways, HTTPS from the primary VPC to each edge EKS API): `pulumi up` runs in the "
            "primary VPC and must reach the edges' private endpoints; turn off only where "
            "another link (transit gateway, VPN) or public endpoint CIDRs reach them"
        ),
    )


class Routing(Model):
    domain: str = Field(
        max_length=253,
        pattern=r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    )
    health_check_path: str = Field(
        default="/v2/health/ready", max_length=255, pattern=r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$"
    )
    cdn: bool = True
    listener_port: int = Field(default=80, ge=1, le=65535)
    health_check_interval_s: Literal[10, 30] = 30  # the two intervals Route 53 offers
    health_check_failure_threshold: int = Field(default=3, ge=1, le=10)
    cdn_default_ttl_s: TtlSeconds = 3600
    cdn_max_ttl_s: TtlSeconds = 86400
    cdn_price_class: Literal["PriceClass_All", "PriceClass_200", "PriceClass_100"] = (
        "PriceClass_All"
    )

    @model_validator(mode="after")
    def _ttls(self) -> Routing:
        if self.cdn_default_ttl_s > self.cdn_max_ttl_s:
            raise ValueError(
                f"cdn_default_ttl_s {self.cdn_default_ttl_s} exceeds "
                f"cdn_max_ttl_s {self.cdn_max_ttl_s}"
            )
        return self
