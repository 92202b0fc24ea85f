"""What `aeon apply` does with the kinds that say how capacity is bought: pure.

- capacity-mix: the pool's `capacity` keys `on_demand_percentage_above_base`,
  `spot_allocation_strategy` and `capacity_rebalance` become the proposed ones. `committed` is
  never written: it states the commitments actually held (reserved instances, savings plans), the
  on-demand base the policy pack's `on-demand-base-within-commitment` holds the group to. The
  planner keeps it as it is; a recommendation that raises it is refused, as is more spot for a
  pool that is not interruptible or whose role's interruptible pools in its region list fewer
  interchangeable types than the pack asks (the stack may have changed since the
  recommendation was made; the settings already hold every region to 2 zones or more).
- commit: a recommendation to BUY is not a commitment held, so nothing in the stack changes: a
  base raised before the purchase would run at on-demand prices. Each commitment to buy (units
  or $/h above 0) is recorded in the policy config, under `on-demand-base-within-commitment`
  `purchases` (recommendation id -> commitment), where a pull request that raises a base before
  the purchase is told what to buy first; `aeon apply` lists them. After buying, raise the
  `capacity.committed` of the pools the commitment covers (the policy config's `pools` follow
  with `aeon policy sync-config`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from components.settings import Pool, StackSettings
from optimizers.recommendation import PlannerRun
from optimizers.recommendation.commitments import (
    CapacityMixRecommendation,
    Commitment,
    CommitRecommendation,
)

MIX_KEYS = ("on_demand_percentage_above_base", "spot_allocation_strategy", "capacity_rebalance")
PURCHASES_POLICY = "on-demand-base-within-commitment"


class PlannedPurchase(BaseModel):
    """One commitment to buy, as the policy config records it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commitment: Commitment
    monthly_saving_usd: float | None
    generated_at: str
    source: str


def mix_skip(
    rec: CapacityMixRecommendation, pool: Pool, settings: StackSettings
) -> tuple[str, str] | None:
    """(reason, detail) when the pool cannot take the mix or already runs it; None to apply."""
    if all(getattr(pool.capacity, k) == getattr(rec.proposed.capacity, k) for k in MIX_KEYS):
        return "nothing-to-change", "capacity-mix: the pool already runs this mix"
    refused = _refusal(rec, pool, settings)
    return None if refused is None else ("not-applicable", refused)


def _refusal(rec: CapacityMixRecommendation, pool: Pool, settings: StackSettings) -> str | None:
    """Why the pool cannot take the proposed mix as it stands now, or None."""
    proposed = rec.proposed.capacity
    if proposed.committed > pool.capacity.committed:
        return (
            f"raises capacity.committed from {pool.capacity.committed} to {proposed.committed}: "
            "it states the commitments held; buy them, then set it by hand"
        )
    if proposed.uses_spot and proposed.on_demand_percentage_above_base < (
        pool.capacity.on_demand_percentage_above_base
    ):
        need = rec.evidence.diversification.required_types or 1
        if not pool.interruptible:
            return f"{pool.name} is not interruptible (any more): no spot"
        types = {  # its own and its interruptible siblings' (the pack counts spot siblings)
            t for p in settings.pools if p.name == pool.name or (
                p.interruptible and p.role == pool.role and p.region == pool.region
            ) for t in p.instance_types
        }  # fmt: skip
        if len(types) < need:
            return (
                f"{pool.name} and its siblings list {len(types)} instance type(s); spot needs "
                f"{need} (asg-spot-diversified)"
            )
    return None


def mix_updates(rec: CapacityMixRecommendation) -> dict[str, Any]:
    """The pool keys the mix sets (optimizers.apply.PoolState's): never `committed`."""
    return {k: getattr(rec.proposed.capacity, k) for k in MIX_KEYS}


def planned_purchase(rec: CommitRecommendation, run: PlannerRun | None) -> PlannedPurchase:
    return PlannedPurchase(
        commitment=rec.proposed.commitment,
        monthly_saving_usd=rec.monthly_saving_usd,
        generated_at=run.generated_at if run else "",
        source=f"aeon recommend --planner {run.planner if run else '?'}",
    )


def buys_something(rec: CommitRecommendation) -> bool:
    c = rec.proposed.commitment
    return bool(c.units) if c.units is not None else c.usd_per_hour > 0


def with_purchases(config: Mapping[str, Any], purchases: Mapping[str, PlannedPurchase]) -> dict:
    """The policy config with these purchases recorded (every other key kept)."""
    data = dict(config)
    entry = data.get(PURCHASES_POLICY)
    if isinstance(entry, str):  # a bare enforcement level
        entry = {"enforcementLevel": entry}
    entry = dict(entry or {})
    recorded = dict(entry.get("purchases") or {})
    for rec_id, purchase in purchases.items():
        recorded[rec_id] = purchase.model_dump(mode="json")
    entry["purchases"] = dict(sorted(recorded.items()))
    data[PURCHASES_POLICY] = entry
    return data
