"""Planning `aeon apply`: which pool keys the saved recommendations change, computed purely.

    plan = plan_apply(recset, settings, select(recset, ids=..., max_risk=...), applied_at=...)

What each kind changes in its pool (settings.Pool):
- downsize, upsize, change-family: in a pool the Cluster Autoscaler scales (one node shape, sizes
  in nodes) the pool changes shape as a whole when every sizing recommendation on its instances
  agrees on one shape (optimizers.apply_shapes): its types become the proposed type first and the
  catalog's types interchangeable with it, desired_size stays (one node for one node) and
  max_size is rescaled to keep the burst capacity in GPUs or vCPUs; a disagreement is reported
  (`disagreement`) and nothing of it applied. In a fleet outside Kubernetes (weighted capacity)
  the proposed type goes first and the other types stay (spot pools need many interchangeable
  types: the pack's asg-spot-diversified); a proposed type smaller than the fleet's unit becomes
  the unit, and min/desired/max_size and capacity.committed scale by the same factor.
- remove: `desired_size` drops by one per recommendation, and `min_size` follows when it would
  exceed the new desired size; `max_size` stays (it is burst headroom for the autoscaler). The
  drop per apply is at most `recommendations.max_step_pct` percent of the desired size; the
  recommendations beyond it are deferred to a later apply (reported, not an error).
- share: exact node counts as remove; `gpu_sharing.time_slicing_replicas` rises to the proposed
  replicas (never lowered: other groups of the pool may already run that many per GPU; the edit's
  notes say when it stays), the proposed type goes first (in a one-shape pool only when it is of
  the pool's shape), and the instances freed by packing (`current.count -
  proposed.count`) are removed as above, as far as the same step bound allows (the sharing is
  never deferred).
- keep, not-enough-data: nothing.
- lifecycle, batching, revert: the keys optimizers.apply_config plans (a bucket's lifecycle, the
  served model's batching and replicas, previous values).
- capacity-mix: the pool's `capacity` mix keys; commit: no stack change, a purchase recorded in
  the policy config (optimizers/apply_capacity.py says what and why).
- scale-out: not applied yet (reported as `not-applicable-yet`, never an error).
Every applied recommendation records its baseline (apply_config.baseline_of) for `aeon validate`.
A recommendation whose pool is not in the stack (or sits in another region) is not applicable;
one already listed in `recommendations.applied` is skipped, so applying twice changes nothing.
The policy pack's `recommendation-enforced` entry of every pool a right-sizing recommendation
changed is the pool's resulting `instance_types` and `max_size`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from components.facts.catalog import Catalog, from_moto_package
from components.facts.shapes import interchangeable
from components.settings import AppliedRecommendation, Pool, StackSettings
from optimizers import apply_capacity
from optimizers.apply_config import NOT_A_POOL, ConfigEdit, baseline_of, plan_config_edits
from optimizers.apply_shapes import MAX_TYPES, fleet_rescale, shape_change
from optimizers.recommendation import (
    Kind,
    Recommendation,
    RecommendationsFile,
    SizingRecommendation,
)
from optimizers.recommendation.commitments import CapacityMixRecommendation, CommitRecommendation

RISK_ORDER = {"low": 0, "medium": 1, "high": 2}
TYPE_CHANGES = (Kind.DOWNSIZE, Kind.UPSIZE, Kind.CHANGE_FAMILY)
NO_CHANGE = (Kind.KEEP, Kind.NOT_ENOUGH_DATA)
APPLIED_KINDS = frozenset({*TYPE_CHANGES, *NO_CHANGE, Kind.REMOVE, Kind.SHARE, Kind.CAPACITY_MIX})
CAPACITY_KEYS = ("committed", *apply_capacity.MIX_KEYS)  # PoolState keys under `capacity`
CONFIG_KINDS = frozenset({Kind.LIFECYCLE, Kind.BATCHING, Kind.REVERT})


class UnknownIds(ValueError):
    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        super().__init__(", ".join(ids))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoolState(_Model):
    """The pool keys `apply` may change."""

    instance_types: list[str]
    min_size: int
    desired_size: int
    max_size: int
    committed: int  # capacity.committed
    time_slicing_replicas: int | None
    on_demand_percentage_above_base: int  # capacity.*: the mix (apply_capacity)
    spot_allocation_strategy: str
    capacity_rebalance: bool

    @classmethod
    def of(cls, pool: Pool) -> PoolState:
        return cls(
            instance_types=list(pool.instance_types),
            min_size=pool.min_size,
            desired_size=pool.desired_size,
            max_size=pool.max_size,
            committed=pool.capacity.committed,
            time_slicing_replicas=pool.gpu_sharing.time_slicing_replicas
            if pool.gpu_sharing
            else None,
            **{k: getattr(pool.capacity, k) for k in apply_capacity.MIX_KEYS},
        )

    def diff(self, after: PoolState) -> dict[str, list[Any]]:
        """key -> [before, after] for the keys that differ."""
        old, new = self.model_dump(), after.model_dump()
        return {k: [old[k], new[k]] for k in old if old[k] != new[k]}


class PoolEdit(_Model):
    pool: str
    before: PoolState
    after: PoolState
    recommendations: list[str]
    notes: list[str] = Field(default_factory=list)  # what was left as it was, and why


class Skipped(_Model):
    id: str
    pool: str
    kind: str
    reason: Literal[
        "not-applicable", "not-applicable-yet", "already-applied", "nothing-to-change",
        "deferred", "disagreement",
    ]  # fmt: skip
    detail: str


class EnforcedPool(_Model):
    """The `recommendation-enforced` config of one pool (policies/aeon_guardrails/fleet.py)."""

    allowed_instance_types: list[str] = Field(min_length=1)
    max_size: int = Field(ge=0)
    generated_at: str
    source: str


class ApplyPlan(_Model):
    stack: str
    edits: list[PoolEdit]
    applied: list[AppliedRecommendation]
    skipped: list[Skipped]
    enforced: dict[str, EnforcedPool]
    config_edits: list[ConfigEdit] = Field(default_factory=list)
    purchases: dict[str, apply_capacity.PlannedPurchase] = Field(default_factory=dict)

    @property
    def changes_anything(self) -> bool:
        return bool(self.applied or self.purchases)


def select(
    recset: RecommendationsFile,
    *,
    ids: Iterable[str] | None = None,
    max_risk: str | None = None,
) -> list[Recommendation]:
    """The recommendations asked for, every planner's, in the saved order; unknown ids raise
    UnknownIds."""
    recs = list(recset.recommendations)
    if ids is not None:
        wanted = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
        known = {r.id for r in recs}
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise UnknownIds(unknown)
        recs = [r for r in recs if r.id in set(wanted)]
    if max_risk is not None:
        limit = RISK_ORDER[max_risk]
        recs = [r for r in recs if RISK_ORDER[r.risk.level] <= limit]
    return recs


def _prefer(types: list[str], first: str | None) -> list[str]:
    if first is None:
        return types
    return [first, *(t for t in types if t != first)][:MAX_TYPES]


def _freed(rec: SizingRecommendation) -> int:
    if rec.kind is Kind.REMOVE:
        return max(1, rec.current.count - rec.proposed.count)
    if rec.kind is Kind.SHARE:
        return max(0, rec.current.count - rec.proposed.count)
    return 0


def _by_saving(rec: Recommendation) -> tuple[float, str]:
    return (-(rec.monthly_saving_usd or 0.0), rec.id)


def plan_apply(
    recset: RecommendationsFile,
    settings: StackSettings,
    selected: Sequence[Recommendation],
    *,
    applied_at: str,
    catalog: Catalog | None = None,
) -> ApplyPlan:
    """`catalog`: instance specs for shape changes (default: moto's packaged EC2 data)."""
    pools = {p.name: p for p in settings.pools}
    catalog = catalog or from_moto_package(tuple(sorted({p.region for p in settings.pools})))
    done = {a.id for a in settings.recommendations.applied}
    step_pct = settings.recommendations.max_step_pct
    skipped: list[Skipped] = []
    by_pool: dict[str, list[Any]] = {}
    purchases: dict[str, apply_capacity.PlannedPurchase] = {}

    def skip(rec: Recommendation, reason: Any, detail: str) -> None:
        skipped.append(
            Skipped(
                id=rec.id, pool=rec.pool or "-", kind=rec.kind.value, reason=reason,
                detail=detail,
            )
        )  # fmt: skip

    config_edits: list[ConfigEdit] = []
    applied: list[AppliedRecommendation] = []

    def record(rec: Recommendation, pool: str, changes: dict[str, list[Any]]) -> None:
        """What `recommendations.applied` keeps of one change, with its baseline for validate."""
        applied.append(
            AppliedRecommendation(
                id=rec.id, pool=pool, kind=rec.kind.value, applied_at=applied_at,
                changes=changes, target=rec.target, baseline=baseline_of(rec, applied_at),
            )
        )  # fmt: skip

    for rec in selected:
        if rec.kind in CONFIG_KINDS:
            if rec.id in done:
                skip(rec, "already-applied", "listed in recommendations.applied")
            elif edits := plan_config_edits(rec, settings, skip):
                config_edits += edits
                record(rec, rec.pool or NOT_A_POOL, {e.key: [e.before, e.after] for e in edits})
            continue
        if isinstance(rec, CommitRecommendation):  # a purchase to record, or nothing to buy
            if apply_capacity.buys_something(rec):
                purchases[rec.id] = apply_capacity.planned_purchase(rec, recset.run_of(rec.id))
            else:
                skip(rec, "nothing-to-change", "commit: nothing to buy")
            continue
        if rec.kind not in APPLIED_KINDS:
            run = recset.run_of(rec.id)
            made_by = f" (planner {run.planner})" if run else ""
            skip(
                rec, "not-applicable-yet", f"{rec.kind.value}{made_by}: apply does not write it yet"
            )
            continue
        pool = pools.get(rec.pool)
        if rec.kind in NO_CHANGE:
            skip(rec, "nothing-to-change", f"{rec.kind.value}: the pool stays as it is")
        elif pool is None:
            skip(
                rec, "not-applicable", f"pool {rec.pool!r} is not in stack {settings_stack(recset)}"
            )
        elif pool.region != rec.region:
            skip(
                rec,
                "not-applicable",
                f"pool {rec.pool!r} is in {pool.region}, the recommendation in {rec.region}",
            )
        elif rec.id in done:
            skip(rec, "already-applied", "listed in recommendations.applied")
        elif isinstance(rec, CapacityMixRecommendation) and (
            why := apply_capacity.mix_skip(rec, pool, settings)
        ):
            skip(rec, *why)
        else:
            by_pool.setdefault(str(rec.pool), []).append(rec)

    edits: list[PoolEdit] = []
    enforced: dict[str, EnforcedPool] = {}
    for name in sorted(by_pool):
        pool = pools[name]
        before = state = PoolState.of(pool)
        budget = math.floor(pool.desired_size * step_pct / 100)
        # Removals with the largest saving go first when the step bound cuts some off; type
        # changes go from the smallest saving up, so the largest saving's type ends up first.
        ordered = sorted((r for r in by_pool[name] if _freed(r)), key=_by_saving) + sorted(
            (r for r in by_pool[name] if not _freed(r)), key=_by_saving, reverse=True
        )
        ids: list[str] = []
        notes: list[str] = []
        one_shape = pool.role.runs_on_kubernetes
        if one_shape:  # type changes become one change of the pool's shape (after the counts)
            shaped = [r for r in ordered if r.kind in TYPE_CHANGES]
            ordered = [r for r in ordered if r.kind not in TYPE_CHANGES]
        for rec in ordered:
            if isinstance(rec, CapacityMixRecommendation):  # the mix keys only (apply_capacity)
                new = state.model_copy(update=apply_capacity.mix_updates(rec))
                record(rec, name, state.diff(new))
                ids.append(rec.id)
                state = new
                continue
            freed = _freed(rec)
            if rec.kind is Kind.SHARE:  # the sharing itself always applies; freed nodes in bound
                freed = min(freed, budget, state.desired_size)
            if freed > budget or freed > state.desired_size:
                skip(
                    rec,
                    "deferred",
                    f"removing {freed} more instance(s) of {name} exceeds this apply's step bound "
                    f"({step_pct:g}% of desired_size {pool.desired_size}); apply again later",
                )
                continue
            budget -= freed
            updates: dict[str, Any] = {}
            proposed = rec.proposed.instance_type
            if rec.kind in TYPE_CHANGES or rec.kind is Kind.SHARE:
                if one_shape and not _same_shape(catalog, state.instance_types[0], proposed):
                    notes.append(
                        f"{rec.id}: {proposed} is another node shape: the pool keeps its own "
                        "(plan its shape change separately)"
                    )
                else:
                    updates["instance_types"] = _prefer(state.instance_types, proposed)
            if not one_shape and rec.kind in TYPE_CHANGES and proposed:
                unit = fleet_rescale(pool, proposed, catalog)
                if unit is not None and proposed not in state.instance_types:
                    factor, note = unit
                    notes.append(f"{rec.id}: {note}")
                    for key in ("min_size", "desired_size", "max_size", "committed"):
                        updates[key] = math.ceil(getattr(state, key) * factor)
            if rec.kind is Kind.SHARE and rec.proposed.gpu_replicas:
                now = state.time_slicing_replicas
                if now is None or rec.proposed.gpu_replicas > now:
                    updates["time_slicing_replicas"] = rec.proposed.gpu_replicas
                elif rec.proposed.gpu_replicas < now:
                    notes.append(
                        f"{rec.id}: time_slicing_replicas stays {now} (it asks "
                        f"{rec.proposed.gpu_replicas}): lowering it would take slices from "
                        "pods already sharing a GPU"
                    )
            if freed:
                desired = state.desired_size - freed
                updates["desired_size"] = desired
                updates["min_size"] = min(state.min_size, desired)
            new = state.model_copy(update=updates)
            record(rec, name, state.diff(new))
            ids.append(rec.id)
            state = new
        if one_shape and shaped:
            preferred = shaped[-1].proposed.instance_type  # the largest saving's
            change = shape_change(pool, preferred, _pool_recs(recset, pool), catalog)  # type: ignore[arg-type]
            if isinstance(change, str):
                for rec in shaped:
                    skip(rec, "disagreement", change)
            else:
                new = state.model_copy(
                    update={"instance_types": change.instance_types, "max_size": change.max_size}
                )
                notes.append(change.note)
                for rec in shaped:
                    record(rec, name, state.diff(new))
                    ids.append(rec.id)
                state = new
        if ids:
            edits.append(
                PoolEdit(pool=name, before=before, after=state, recommendations=ids, notes=notes)
            )
        sized = [r.id for r in by_pool[name] if r.id in ids and isinstance(r, SizingRecommendation)]
        if sized:  # the pack enforces the types and sizes right-sizing chose, not the mix
            runs = [r for i in sized if (r := recset.run_of(i)) is not None]
            latest = max(runs, key=lambda r: r.generated_at)
            enforced[name] = EnforcedPool(
                allowed_instance_types=state.instance_types,
                max_size=state.max_size,
                generated_at=latest.generated_at,
                source=f"aeon recommend ({latest.mode}, {latest.source})",
            )
    return ApplyPlan(
        stack=recset.stack, edits=edits, applied=applied, skipped=skipped, enforced=enforced,
        config_edits=config_edits, purchases=purchases,
    )  # fmt: skip


def _same_shape(catalog: Catalog, current: str, proposed: str | None) -> bool:
    specs = [catalog.get(current), catalog.get(proposed or "")]
    return None not in specs and interchangeable(specs)  # type: ignore[arg-type]


def _pool_recs(recset: RecommendationsFile, pool: Pool) -> list[SizingRecommendation]:
    """Every sizing recommendation saved for the pool's instances (its region's)."""
    return [
        r
        for r in recset.recommendations
        if isinstance(r, SizingRecommendation) and r.pool == pool.name and r.region == pool.region
    ]


def settings_stack(recset: RecommendationsFile) -> str:
    return repr(recset.stack)
