"""The whole stack config, and the rules that tie its domains together (regions, pools, serving)."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, model_validator

from components.facts import limits
from components.facts.roles import PoolRole
from components.settings.base import Model, SettingsRuleError, TagValue, check_unique
from components.settings.budgets import Budget, Monitoring
from components.settings.kubernetes import Kubernetes
from components.settings.pools import Pool
from components.settings.recommendations import Recommendations
from components.settings.regions import Network, Region, RegionRole, Routing
from components.settings.serving import Serving
from components.settings.storage import Storage


class Tags(Model):
    """Cost-allocation tag values (AWS tag values: at most 256 characters)."""

    team: TagValue
    cost_center: TagValue
    service: TagValue


class StackSettings(Model):
    """The whole stack config: each field is the `aeon-infra:<field>` key."""

    environment: Literal["prod", "staging", "dev"]
    tags: Tags
    regions: list[Region] = Field(min_length=1)
    network: Network = Network()
    pools: list[Pool] = Field(default_factory=list)
    storage: Storage | None = None
    kubernetes: Kubernetes | None = None
    serving: Serving | None = None
    routing: Routing | None = None
    budget: Budget | None = None
    monitoring: Monitoring | None = None
    recommendations: Recommendations = Recommendations()

    @model_validator(mode="after")
    def _cross_references(self) -> StackSettings:
        primaries = [r.name for r in self.regions if r.role == RegionRole.PRIMARY]
        if len(primaries) != 1:
            raise SettingsRuleError(
                f"exactly one region must have role primary; found {len(primaries)}", "regions"
            )
        check_unique("region", [r.name for r in self.regions], "regions")
        check_unique("pool", [p.name for p in self.pools], "pools")
        regions = {r.name for r in self.regions}
        for index, pool in enumerate(self.pools):
            if pool.region not in regions:
                raise SettingsRuleError(
                    f"pool {pool.name!r} is in region {pool.region!r}, which is not declared; "
                    f"declared: {', '.join(sorted(regions))}",
                    "pools",
                    index,
                    "region",
                )
        self._check_networks()
        self._check_root_volumes()
        if self.serving is not None:
            self._check_serving(self.serving)
        return self

    def _check_networks(self) -> None:
        """VPCs may not overlap one another (peering and transit gateways route between them),
        nor the clusters' service CIDR (EKS rejects a service CIDR inside the cluster's VPC)."""
        blocks = [ipaddress.IPv4Network(r.vpc_cidr) for r in self.regions]
        for i, region in enumerate(self.regions):
            for j in range(i):
                if blocks[i].overlaps(blocks[j]):
                    raise SettingsRuleError(
                        f"vpc_cidr {region.vpc_cidr} of {region.name} overlaps "
                        f"{self.regions[j].vpc_cidr} of {self.regions[j].name}; VPCs must not "
                        "overlap (their traffic is routed between regions)",
                        "regions",
                        i,
                        "vpc_cidr",
                    )
        if self.kubernetes is None:
            return
        service = ipaddress.IPv4Network(self.kubernetes.service_cidr)
        for region, block in zip(self.regions, blocks, strict=True):
            if service.overlaps(block):
                raise SettingsRuleError(
                    f"service_cidr {service} overlaps vpc_cidr {block} of {region.name}; EKS "
                    "needs a service CIDR outside every VPC (e.g. 172.20.0.0/16)",
                    "kubernetes",
                    "service_cidr",
                )

    def _check_root_volumes(self) -> None:
        """gp3 provisions at most 500 IOPS per GiB and 0.25 MiB/s per IOPS: every pool's root
        volume must be big enough for the IOPS asked, and the IOPS for the throughput."""
        if self.storage is None:
            return
        ebs = self.storage.ebs
        if ebs.root_throughput_mibps > max(
            limits.GP3_BASELINE_MIBPS, ebs.root_iops * limits.GP3_MAX_MIBPS_PER_IOPS
        ):
            raise SettingsRuleError(
                f"root_throughput_mibps {ebs.root_throughput_mibps} needs at least "
                f"{ebs.root_throughput_mibps / limits.GP3_MAX_MIBPS_PER_IOPS:,.0f} IOPS "
                f"(gp3: 0.25 MiB/s per IOPS); root_iops is {ebs.root_iops}",
                "storage",
                "ebs",
                "root_throughput_mibps",
            )
        if ebs.root_iops <= limits.GP3_BASELINE_IOPS:
            return
        for index, pool in enumerate(self.pools):
            if ebs.root_iops > pool.root_volume_gb * limits.GP3_MAX_IOPS_PER_GIB:
                raise SettingsRuleError(
                    f"storage.ebs.root_iops {ebs.root_iops} needs a root volume of at least "
                    f"{-(-ebs.root_iops // limits.GP3_MAX_IOPS_PER_GIB)} GiB (gp3: 500 IOPS per "
                    f"GiB); pool {pool.name!r} has {pool.root_volume_gb}",
                    "pools",
                    index,
                    "root_volume_gb",
                )

    def _check_serving(self, serving: Serving) -> None:
        target_name = serving.inference.pool
        group = self.node_group(target_name)
        at = ("serving", "inference", "pool")
        if not group:
            declared = sorted({p.group for p in self.pools if p.role == PoolRole.INFERENCE})
            raise SettingsRuleError(
                "no pool or node group of that name is declared; inference pools: "
                f"{', '.join(declared) or 'none (declare one under pools)'}",
                *at,
            )
        wrong = next((p for p in group if p.role != PoolRole.INFERENCE), None)
        if wrong is not None:
            raise SettingsRuleError(
                f"pool {wrong.name!r} is a {wrong.role} pool; serving needs an inference pool "
                "or node group",
                *at,
            )
        for target in group:
            if target.region != self.primary_region.name:
                raise SettingsRuleError(
                    f"serving.inference.pool {target.name!r} is in {target.region}; core "
                    f"inference runs in the primary region {self.primary_region.name}",
                    *at,
                )
            tp = serving.inference.tensor_parallelism
            if tp > 1 and target.gpu_sharing is not None:
                raise SettingsRuleError(
                    f"serving.inference.tensor_parallelism {tp} needs whole GPUs, but pool "
                    f"{target.name!r} is time-sliced (gpu_sharing); time-slicing rejects pods "
                    "asking for more than one GPU: serve from an unshared pool",
                    *at,
                )
        self._check_embedder(serving)
        if serving.edge_inference is not None:
            for region in self.regions:
                if region.role != RegionRole.EDGE:
                    continue
                found = {
                    p.group for p in self.pools_in(region.name) if p.role == PoolRole.INFERENCE
                }
                if len(found) != 1:
                    raise ValueError(
                        f"serving.edge_inference needs exactly one inference node group in edge "
                        f"region {region.name}; found {len(found)}"
                    )

    def _check_embedder(self, serving: Serving) -> None:
        embedder = serving.embedder
        if embedder.name == serving.inference.model_name:
            raise SettingsRuleError(
                f"serving.embedder.name {embedder.name!r} is serving.inference's model too; "
                "each served model needs its own name (it names its Kubernetes objects)",
                "serving", "embedder", "name",
            )  # fmt: skip
        if embedder.pool is None:
            return
        group = self.node_group(embedder.pool)
        if (
            not group
            or any(p.role != PoolRole.INFERENCE for p in group)
            or any(p.region != self.primary_region.name for p in group)
        ):
            raise SettingsRuleError(
                f"serving.embedder.pool {embedder.pool!r} is not an inference pool or node group "
                f"of the primary region {self.primary_region.name}",
                "serving", "embedder", "pool",
            )  # fmt: skip

    def embedder_group(self) -> str:
        """The node group the embedder runs on: its pool, else the primary's first time-sliced
        inference node group, else serving.inference's."""
        assert self.serving is not None
        if self.serving.embedder.pool is not None:
            return self.serving.embedder.pool
        shared = [
            p.group
            for p in self.pools_in(self.primary_region.name)
            if p.role == PoolRole.INFERENCE and p.gpu_sharing is not None
        ]
        return shared[0] if shared else self.serving.inference.pool

    def edge_inference_group(self, region: str) -> str | None:
        """The node group the edge model runs on in an edge region: its first inference pool's."""
        return next((p.group for p in self.pools_in(region) if p.role == PoolRole.INFERENCE), None)

    def node_group(self, name: str) -> list[Pool]:
        """The pools of node group `name` (a pool without node_group is its own group)."""
        return [p for p in self.pools if p.group == name]

    @property
    def primary_region(self) -> Region:
        return next(r for r in self.regions if r.role == RegionRole.PRIMARY)

    @property
    def edge_regions(self) -> list[Region]:
        return [r for r in self.regions if r.role == RegionRole.EDGE]

    def pools_in(self, region: str) -> list[Pool]:
        return [p for p in self.pools if p.region == region]
