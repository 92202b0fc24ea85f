"""Which instance types a resource may move to, and how each one fits and what it costs."""

from __future__ import annotations

from dataclasses import dataclass

from optimizers.catalog import InstanceSpec, family_of
from optimizers.pricing import PricePaid
from optimizers.rightsizing.context import SizingContext
from optimizers.rightsizing.projection import Projection
from optimizers.telemetry.frame import ResourceInfo


@dataclass(frozen=True)
class Fit:
    """A candidate type that carries the resource's need, and its price (None: unpriced)."""

    spec: InstanceSpec
    projection: Projection
    price: PricePaid | None

    @property
    def usd_per_hour(self) -> float | None:
        return None if self.price is None else self.price.usd_per_hour

    def by_price(self) -> tuple:
        return (self.usd_per_hour, self.spec.vcpus, self.spec.memory_mib, self.spec.instance_type)

    def by_capacity(self) -> tuple:
        s = self.spec
        return (s.gpu_count, s.vcpus, s.memory_mib, s.instance_type)


def allowed_families(ctx: SizingContext, info: ResourceInfo) -> set[str]:
    """The families of the pool's instance types, and the resource's own."""
    pool = ctx.pool(info)
    families = {family_of(t) for t in pool.instance_types} if pool else set()
    return families | {family_of(info.instance_type)}


def candidates(ctx: SizingContext, info: ResourceInfo, cur: InstanceSpec) -> list[InstanceSpec]:
    """Current-generation types of an allowed family in the region, same architecture, with GPUs
    exactly when the current type has them, and never more GPUs than now (a workload uses the
    GPUs it holds memory on; more of them carry the same load each, at a multiple of the price)."""
    families = allowed_families(ctx, info)
    arch = set(cur.architectures)
    return [
        c
        for c in ctx.inputs.catalog.in_region(info.region)
        if c.instance_type != cur.instance_type
        and c.family in families
        and c.current_generation
        and arch & set(c.architectures)
        and c.has_gpu == cur.has_gpu
        and c.gpu_count <= cur.gpu_count
    ]
