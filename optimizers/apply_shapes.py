"""How `apply` writes a type change into a pool: one-shape pools change shape as a whole.

A pool the Cluster Autoscaler scales holds one node shape (interchangeable types, weight 1, sizes
in nodes: components/facts/shapes.py), so one instance cannot change type alone. When every
sizing recommendation on the pool's instances (keep, downsize, upsize, change-family) agrees on one
shape, the pool changes shape: its types become the proposed type first, then the catalog's types
interchangeable with it (same GPU model for GPU pools; the families the pool or the proposals use
for CPU pools); each node is replaced by one node (desired_size stays) and max_size is rescaled so
the pool keeps its burst capacity in GPUs or vCPUs. When they disagree, nothing is applied and
the disagreement is reported. Fleets outside Kubernetes keep weighted capacity (sizes count
units of the smallest type): a smaller proposed type becomes the unit, and every size scales
(docs/rightsizing.md#apply-into-one-shape-pools).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from components.facts.catalog import Catalog, InstanceSpec, family_of
from components.facts.shapes import interchangeable, shape_of
from components.pool_types import capacity
from components.settings import Pool
from optimizers.recommendation import Kind, SizingRecommendation

MAX_TYPES = 40  # settings.Pool.instance_types
SHAPED_KINDS = (Kind.KEEP, Kind.DOWNSIZE, Kind.UPSIZE, Kind.CHANGE_FAMILY)


@dataclass(frozen=True)
class ShapeChange:
    instance_types: list[str]
    max_size: int
    note: str


def _unit(pool: Pool) -> str:
    return "GPUs" if pool.is_gpu else "vCPUs"


def shape_change(
    pool: Pool,
    preferred: str,
    pool_recs: Sequence[SizingRecommendation],
    catalog: Catalog,
) -> ShapeChange | str:
    """The pool's change of shape to `preferred`'s, or why not (a disagreement, a type the
    catalog lacks). `pool_recs`: every sizing recommendation on the pool's instances."""
    wanted: dict[str, list[str]] = {}  # type each instance should run -> instances
    for rec in pool_recs:
        if rec.kind in SHAPED_KINDS:
            itype = rec.proposed.instance_type or rec.current.instance_type
            wanted.setdefault(itype, []).extend(rec.targets)
    specs = {t: catalog.get(t) for t in {*wanted, preferred, pool.instance_types[0]}}
    missing = sorted(t for t, s in specs.items() if s is None)
    if missing:
        return f"{', '.join(missing)} not in the catalog: the shapes cannot be compared"
    new, old = specs[preferred], specs[pool.instance_types[0]]
    assert new is not None and old is not None
    if not interchangeable([specs[t] for t in wanted] + [new]):  # type: ignore[misc]
        parts = [
            f"{len(ids)} on {t} ({shape_of(specs[t]).describe()})"  # type: ignore[arg-type]
            for t, ids in sorted(wanted.items())
        ]
        return (
            f"the instances of {pool.name}, one node shape, disagree: {'; '.join(parts)}; "
            "nothing applied (split the pool by hand, or plan again once they agree)"
        )
    proposals = [t for t in wanted if t != preferred]
    if interchangeable([old, new]):  # the pool keeps its shape: its types stay, preferred first
        types = [preferred, *proposals, *pool.instance_types]
        types = list(dict.fromkeys(types))[:MAX_TYPES]
        return ShapeChange(types, pool.max_size, f"shape stays {shape_of(old).describe()}")
    before, after = capacity(pool, old), capacity(pool, new)
    max_size = max(pool.desired_size, math.ceil(pool.max_size * before / after))
    types = _interchangeable_types(pool, new, proposals, catalog)
    note = (
        f"shape {shape_of(old).describe()} -> {shape_of(new).describe()}: one node for one "
        f"node (desired_size stays {pool.desired_size}); max_size {pool.max_size} -> {max_size} "
        f"keeps {pool.max_size * before} {_unit(pool)} of burst"
    )
    return ShapeChange(types, max_size, note)


def _interchangeable_types(
    pool: Pool, new: InstanceSpec, proposed: list[str], catalog: Catalog
) -> list[str]:
    families = {family_of(t) for t in (*pool.instance_types, *proposed)} | {new.family}
    arch = set(new.architectures)
    others = [
        s.instance_type
        for s in catalog.in_region(pool.region)
        if s.instance_type != new.instance_type
        and s.current_generation
        and arch & set(s.architectures)
        and interchangeable([new, s])
        and (s.gpu_name == new.gpu_name if new.has_gpu else s.family in families)
    ]
    first = [new.instance_type, *(t for t in proposed if t in others)]
    return (first + sorted(t for t in others if t not in first))[:MAX_TYPES]


def fleet_rescale(pool: Pool, proposed: str, catalog: Catalog) -> tuple[float, str] | None:
    """A weighted fleet whose proposed type is smaller than its unit (its smallest type): the
    factor every size (and capacity.committed) scales by (rounded up: the components round
    weights), and a note; None when the unit stays."""
    specs = [catalog.get(t) for t in pool.instance_types]
    new = catalog.get(proposed)
    if new is None or None in specs or proposed in pool.instance_types:
        return None
    smallest = min(capacity(pool, s) for s in specs)  # type: ignore[arg-type]
    size = capacity(pool, new)
    if size >= smallest:
        return None
    factor = smallest / size
    return factor, (
        f"{proposed} ({size} {_unit(pool)}) becomes the unit of {pool.name}'s weighted capacity "
        f"(was {smallest}): sizes and capacity.committed x{factor:g}, rounded up"
    )
