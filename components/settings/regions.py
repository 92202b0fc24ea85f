"""Regions and network: where the stack runs, its VPCs, and how users reach it (DNS, CDN)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from components.facts.regions import AWS_REGIONS
from components.settings.base import Model


class RegionRole(StrEnum):
    PRIMARY = "primary"
    EDGE = "edge"


class Region(Model):
    name: str
    role: RegionRole
    vpc_cidr: str = Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[6-9]|2[0-8])$")
    availability_zones: int = Field(ge=2, le=6)
    nat_gateways: Literal["per-az", "single"]

    @field_validator("name")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in AWS_REGIONS:
            raise ValueError(
                f"unknown AWS region {value!r}; allowed: {', '.join(sorted(AWS_REGIONS))}"
            )
        return value


class Routing(Model):
    domain: str = Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    health_check_path: str = Field(default="/v2/health/ready", pattern=r"^/")
    cdn: bool = True
    listener_port: int = Field(default=80, ge=1, le=65535)
    health_check_interval_s: Literal[10, 30] = 30  # the two intervals Route 53 offers
    health_check_failure_threshold: int = Field(default=3, ge=1, le=10)
    cdn_default_ttl_s: int = Field(default=3600, ge=0)
    cdn_max_ttl_s: int = Field(default=86400, ge=0)
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
