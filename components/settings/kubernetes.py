"""Kubernetes: the EKS clusters' version and logs, namespaces with GPU quotas, priorities, nodes."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.facts import limits
from components.facts.eks import version_problem
from components.settings.base import (
    Cidr,
    LabelValue,
    Model,
    Name,
    SemVer,
    check_unique,
    prefix_between,
)
from components.settings.regions import RegionRole


class Namespace(Model):
    name: Name
    team: LabelValue = Field(min_length=1, description="the namespace's `team` label")
    gpu_quota: int = Field(ge=0, le=limits.MAX_GPU_QUOTA, description="requests.nvidia.com/gpu")
    priority_class: Name
    region_roles: list[RegionRole] = Field(
        default_factory=lambda: [RegionRole.PRIMARY, RegionRole.EDGE],
        min_length=1,
        description="the clusters (by region role) that get this namespace",
    )


class Kubelet(Model):
    """Kubelet settings of GPU nodes (the framework's core-affinity and NUMA rule)."""

    reserved_system_cpus: str = Field(
        default="0-1", pattern=r"^\d+(-\d+)?(,\d+(-\d+)?)*$",
        description="cpuset kept for the OS and kubelet; the static CPU manager pins the rest",
    )  # fmt: skip


class ClusterAutoscaler(Model):
    # What the autoscaler can do on AWS without more configuration: `price` needs a cloud
    # provider with prices (GCE), `priority` a priorities ConfigMap the stack does not write.
    expander: Literal["least-waste", "most-pods", "least-nodes", "random"] = "least-waste"
    scale_down_utilization_threshold: float = Field(default=0.5, gt=0, le=1)
    scale_down_unneeded_time_s: int = Field(default=600, ge=60, le=86_400)


class PriorityClass(Model):
    name: Name
    value: int = Field(ge=-2_147_483_648, le=1_000_000_000)
    description: str = Field(default="", max_length=1024)
    preempts: bool = True


class Kubernetes(Model):
    version: str = Field(pattern=r"^1\.\d{2}$")
    endpoint_public_access_cidrs: list[Cidr] = Field(default_factory=list)
    namespaces: list[Namespace] = Field(default_factory=list)
    priority_classes: list[PriorityClass] = Field(default_factory=list)
    chart_versions: dict[Name, SemVer] = Field(default_factory=dict)
    control_plane_logs: list[
        Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]
    ] = Field(default_factory=lambda: ["api", "audit", "authenticator"])
    secrets_key_deletion_days: int = Field(default=30, ge=7, le=30, description="KMS window")
    node_drain_timeout_s: int = Field(
        default=300, ge=30, le=7200, description="termination lifecycle hook heartbeat"
    )
    kubelet: Kubelet = Kubelet()
    service_cidr: Annotated[Cidr, prefix_between(*limits.SERVICE_CIDR_PREFIX_RANGE)] = Field(
        default="172.20.0.0/16", description="EKS serviceIpv4Cidr: RFC 1918, /12 to /24"
    )
    cluster_autoscaler: ClusterAutoscaler = ClusterAutoscaler()

    @field_validator("version")
    @classmethod
    def _offered(cls, value: str) -> str:
        problem = version_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("service_cidr")
    @classmethod
    def _private(cls, value: str) -> str:
        network = ipaddress.IPv4Network(value)
        if not any(network.subnet_of(ipaddress.IPv4Network(b)) for b in limits.PRIVATE_BLOCKS):
            raise ValueError(
                f"EKS takes a service CIDR inside {', '.join(limits.PRIVATE_BLOCKS)} only"
            )
        return value

    @model_validator(mode="after")
    def _references(self) -> Kubernetes:
        check_unique("namespace", [n.name for n in self.namespaces], "namespaces")
        check_unique("priority class", [p.name for p in self.priority_classes], "priority_classes")
        known = {p.name for p in self.priority_classes}
        for ns in self.namespaces:
            if ns.priority_class not in known:
                raise ValueError(
                    f"namespace {ns.name!r} names priority class {ns.priority_class!r}; "
                    f"defined: {', '.join(sorted(known)) or 'none'}"
                )
        return self
