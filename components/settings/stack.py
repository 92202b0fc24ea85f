"""The whole stack config, and the rules that tie its domains together (regions, pools, serving)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from components.facts.roles import PoolRole
from components.settings.base import Model, SettingsRuleError, check_unique
from components.settings.budgets import Budget, Monitoring
from components.settings.kubernetes import Kubernetes
from components.settings.pools import Pool
from components.settings.recommendations import Recommendations
from components.settings.regions import Region, RegionRole, Routing
from components.settings.serving import Serving
from components.settings.storage import Storage


class Tags(Model):
    team: str = Field(min_length=1)
    cost_center: str = Field(min_length=1)
    service: str = Field(min_length=1)


class StackSettings(Model):
    """The whole stack config: each field is the `aeon-infra:<field>` key."""

    environment: Literal["prod", "staging", "dev"]
    tags: Tags
    regions: list[Region] = Field(min_length=1)
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
        if self.serving is not None:
            self._check_serving(self.serving)
        return self

    def _check_serving(self, serving: Serving) -> None:
        target_name = serving.inference.pool
        group = self.node_group(target_name)
        at = ("serving", "inference", "pool")
        if not group or any(p.role != PoolRole.INFERENCE for p in group):
            raise SettingsRuleError(
                f"serving.inference.pool {target_name!r} is not an inference pool or node group",
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

    def node_group(self, name: str) -> list[Pool]:
        """The pools of node group `name` (a pool without node_group is its own group)."""
        return [p for p in self.pools if p.group == name]

    @property
    def primary_region(self) -> Region:
        return next(r for r in self.regions if r.role == RegionRole.PRIMARY)

    def pools_in(self, region: str) -> list[Pool]:
        return [p for p in self.pools if p.region == region]
