"""Scale-out: a pool whose saturated members have no faster GPU model to move to gets more
instances of its type (one recommendation per pool and region; it costs money).

How many, bounded: a member saturated on GPM activity of load L (activity x headroom over 100%,
e.g. 98% x 1.2 = 1.18) needs ceil(L) instances of its type where it has one, so it adds
ceil(L) - 1, at least one. A member saturated on latency or queue wait alone adds one: p95 latency
over the target is no load ratio (it grows without bound as the load nears what the GPU serves,
latency.py), so the pool grows one step per member and is measured again. Spreading a workload
over more replicas is the autoscaler's and the serving layer's job (HPA, more Triton replicas);
the recommendation sizes the pool for it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from optimizers.catalog import InstanceSpec
from optimizers.recommendation import Kind, SizingCurrent, SizingProposed
from optimizers.rightsizing.change_cost import PriceChange
from optimizers.rightsizing.context import SizingContext
from optimizers.rightsizing.decision import Decision
from optimizers.rightsizing.measure import Needs
from optimizers.rightsizing.risk import confidence_of, risk_of
from optimizers.rightsizing.saturation import Saturation
from optimizers.telemetry.frame import ResourceInfo


@dataclass(frozen=True)
class Saturated:
    """A resource whose GPU is saturated and that no faster GPU model (no more GPUs) relieves."""

    info: ResourceInfo
    spec: InstanceSpec
    need: Needs
    saturation: Saturation
    notes: tuple[str, ...] = ()

    @property
    def instances_to_add(self) -> int:
        # load is GPM's (0 without): a member saturated on latency alone adds one
        return max(1, math.ceil(self.saturation.load - 1e-9) - 1)


def scale_out(ctx: SizingContext, members: list[Saturated]) -> Decision:
    """One decision for a pool's saturated members (all of one pool and region)."""
    members = sorted(members, key=lambda m: m.info.resource_id)
    first = members[0].info
    # The pool's type: the one most of its saturated members run (ties: by name).
    counts = Counter(m.info.instance_type for m in members)
    itype = min(counts, key=lambda t: (-counts[t], t))
    added = sum(m.instances_to_add for m in members)
    before = tuple(ctx.price(m.info.instance_type, m.info) for m in members)
    new = ctx.price(itype, first)
    conf = confidence_of(min(m.need.span_s for m in members))
    notes = [
        f"{len(members)} member(s) saturated with no faster GPU model of no more GPUs allowed "
        f"in the pool: add {added} x {itype} (ceil(L) - 1 per member of GPM load L; one "
        "instance per member saturated on latency or queue wait alone, which is no load ratio: "
        "measure again after the step)",
        *(f"{m.info.resource_id}: {m.saturation.why}" for m in members),
        *dict.fromkeys(n for m in members for n in m.notes if not n.startswith("saturated")),
    ]
    risk_notes = ["costs money: the pool grows; spread the workload over the new replicas"]
    pool = ctx.pool(first)
    if pool is not None and pool.desired_size + added > pool.max_size:
        risk_notes.append(
            f"pool {pool.name}'s max_size {pool.max_size} is under desired_size + {added}: raise it"
        )
    scarcest = min(members, key=lambda m: m.need.span_s).need
    return Decision(
        kind=Kind.SCALE_OUT, info=first, target=first.pool,
        targets=tuple(m.info.resource_id for m in members),
        current=SizingCurrent(
            instance_type=itype, count=len(members), purchase=first.purchase.value
        ),
        proposed=SizingProposed(instance_type=itype, count=added),
        change=PriceChange(before, before + (new,) * added),
        risk=risk_of(Kind.SCALE_OUT, conf, risk_notes), confidence=conf, need=scarcest,
        notes=tuple(notes),
        projected={
            "instances_added": float(added),
            "load_max": round(max(m.saturation.load for m in members), 4),
            "latency_over_target_max": round(max(m.saturation.latency_over for m in members), 4),
        },
    )  # fmt: skip
