"""The spot / on-demand / committed mix of one pool, from its hourly usage: pure.

The pool's `capacity` keys are EC2 Auto Scaling's own knobs: `committed` is the on-demand base
(instances covered by reservations or savings plans), `on_demand_percentage_above_base` splits
what runs above it between on-demand and spot. Decided here, in pool capacity units per hour:

1. Spot above the base only for pools marked `interruptible`, only when the pool lists enough
   interchangeable types for the policy pack's `asg-spot-diversified` (N by role, capped at what
   the region offers) across at least two Availability Zones, and only when the Spot Advisor
   saving of its types is worth an interruption (`min_spot_saving_pct`).
2. The spot share follows the Spot Advisor interruption band of its types (the median band): the
   expected share of above-base capacity interrupted in a month, share x band, stays under
   `interruption_budget_pct` (5%: all spot under a "<5%" band, half under "5-10%", ...).
3. The base is the committed steady state: the integer c* that minimises
   `H c rate + blended * sum_h max(0, D_h - c)`, where `blended` is what an above-base unit costs
   with that spot share; never below the commitments already held (they are paid until their
   term ends) and never above `max_size` (the settings reject it).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from optimizers.commitments.curve import HOURS_PER_MONTH, SortedDemand, cents, optimal_units

# Spot Advisor "frequency of interruption" bands -> the monthly rate used (upper bound; 25% for
# the open ">20%" band).
BAND_RATE = {"<5%": 0.05, "5-10%": 0.10, "10-15%": 0.15, "15-20%": 0.20, ">20%": 0.25}
# The policy pack's default asg-spot-diversified minimums (policies/aeon_guardrails/fleet.py).
MIN_TYPES_BY_ROLE = {"training": 2, "inference": 10, "cpu": 10, "preprocessing": 10,
                     "edge-cache": 10}  # fmt: skip
MIN_ZONES = 2
PREFERRED_STRATEGY = "price-capacity-optimized"  # AWS's recommendation for spot


@dataclass(frozen=True)
class SpotFigures:
    instance_type: str
    saving_pct: float | None  # Spot Advisor saving vs on-demand
    band: str | None  # Spot Advisor interruption band


@dataclass(frozen=True)
class PoolMixInput:
    pool: str
    role: str
    region: str
    interruptible: bool
    instance_types: Sequence[str]
    max_size: int
    committed: int
    on_demand_percentage_above_base: int
    spot_allocation_strategy: str
    capacity_rebalance: bool
    zones: int
    demand: np.ndarray  # capacity units in use per hour (telemetry or billing)
    unit_on_demand_usd: float  # per capacity unit-hour
    unit_commit_usd: float | None  # per capacity unit-hour committed (None: no rate)
    spot: Sequence[SpotFigures]
    suitable_types: int | None = None  # interchangeable types the region offers (policy cap)


@dataclass(frozen=True)
class MixOptions:
    interruption_budget_pct: float = 5.0
    min_spot_saving_pct: float = 20.0


@dataclass
class MixDecision:
    pool: str
    region: str
    current: dict[str, object]
    proposed: dict[str, object]  # the pool's `capacity` keys, as the settings accept them
    spot_share_pct: int
    base_units: int  # the committed steady state c*
    purchase_units: int  # committed instances to buy before the base is raised
    monthly_cost_before_usd: float | None
    monthly_cost_after_usd: float | None
    reasons: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.current != self.proposed

    @property
    def monthly_saving_usd(self) -> float | None:
        if self.monthly_cost_before_usd is None or self.monthly_cost_after_usd is None:
            return None
        return cents(self.monthly_cost_before_usd - self.monthly_cost_after_usd)


def required_types(role: str, suitable: int | None) -> int:
    wanted = MIN_TYPES_BY_ROLE.get(role, 10)
    return wanted if suitable is None else max(1, min(wanted, suitable))


def spot_share_pct(inp: PoolMixInput, opts: MixOptions, reasons: list[str]) -> int:
    """Percent of above-base capacity to run on spot (0 when any condition fails)."""
    if not inp.interruptible:
        reasons.append("not interruptible: no spot (set interruptible: true if it checkpoints)")
        return 0
    need = required_types(inp.role, inp.suitable_types)
    if len(set(inp.instance_types)) < need:
        reasons.append(
            f"lists {len(set(inp.instance_types))} instance type(s); spot needs {need} "
            f"interchangeable types for a {inp.role} pool (asg-spot-diversified): no spot"
        )
        return 0
    if inp.zones < MIN_ZONES:
        reasons.append(f"spans {inp.zones} Availability Zone(s); spot needs {MIN_ZONES}: no spot")
        return 0
    bands = [BAND_RATE[s.band] for s in inp.spot if s.band in BAND_RATE]
    savings = [s.saving_pct for s in inp.spot if s.saving_pct is not None]
    if not bands or not savings:
        reasons.append("no Spot Advisor figures for its types in the price table: no spot")
        return 0
    saving = statistics.median(savings)
    if saving < opts.min_spot_saving_pct:
        reasons.append(
            f"median spot saving {saving:g}% is under {opts.min_spot_saving_pct:g}%: no spot"
        )
        return 0
    rate = statistics.median(bands)
    share = min(1.0, opts.interruption_budget_pct / 100 / rate)
    pct = int(share * 100)
    reasons.append(
        f"median interruption band {rate:.0%}/month and saving {saving:g}% of {len(bands)} "
        f"type(s): {pct}% spot above the base keeps expected interruptions under "
        f"{opts.interruption_budget_pct:g}% of it a month"
    )
    return pct


def _window_cost(sd: SortedDemand, base: int, inp: PoolMixInput, spot_pct: int,
                 commit_rate: float, spot_price: float) -> float:  # fmt: skip
    share = spot_pct / 100
    above = share * spot_price + (1 - share) * inp.unit_on_demand_usd
    return sd.hours * base * commit_rate + above * sd.excess(base)


def plan_pool_mix(inp: PoolMixInput, opts: MixOptions | None = None) -> MixDecision:
    opts = opts or MixOptions()
    reasons: list[str] = []
    current = {
        "committed": inp.committed,
        "on_demand_percentage_above_base": inp.on_demand_percentage_above_base,
        "spot_allocation_strategy": inp.spot_allocation_strategy,
        "capacity_rebalance": inp.capacity_rebalance,
    }
    spot_pct = spot_share_pct(inp, opts, reasons)
    savings = [s.saving_pct for s in inp.spot if s.saving_pct is not None]
    spot_price = inp.unit_on_demand_usd * (1 - (statistics.median(savings) if savings else 0) / 100)
    sd = SortedDemand.of(inp.demand)
    base = inp.committed
    commit_rate = inp.unit_commit_usd
    if commit_rate is None or sd.hours == 0:
        reasons.append("no commitment rate or no usage: the base stays as it is")
    else:
        share = spot_pct / 100
        blended = share * spot_price + (1 - share) * inp.unit_on_demand_usd
        steady = min(optimal_units(sd, commit_rate, blended), inp.max_size)
        if steady < inp.committed:
            reasons.append(
                f"the steady state is {steady} unit(s), under the {inp.committed} already "
                "committed: keep the base until those commitments end"
            )
        base = max(inp.committed, steady)
        if base > inp.committed:
            reasons.append(
                f"commit {base - inp.committed} more unit(s) (the commitments plan) before "
                f"raising the on-demand base to {base}: until then the base runs at on-demand"
            )
    proposed = {
        "committed": base,
        "on_demand_percentage_above_base": 100 - spot_pct,
        "spot_allocation_strategy": PREFERRED_STRATEGY
        if spot_pct and inp.spot_allocation_strategy == "lowest-price"
        else inp.spot_allocation_strategy,
        "capacity_rebalance": bool(spot_pct) or inp.capacity_rebalance,
    }
    before = after = None
    if commit_rate is not None and sd.hours:
        current_spot = 100 - inp.on_demand_percentage_above_base
        per_month = HOURS_PER_MONTH / sd.hours
        before = cents(_window_cost(sd, inp.committed, inp, current_spot, commit_rate,
                                    spot_price) * per_month)  # fmt: skip
        after = cents(_window_cost(sd, base, inp, spot_pct, commit_rate, spot_price) * per_month)
        if after > before:
            reasons.append("raises cost: the change trades money for lower interruption risk")
    return MixDecision(
        pool=inp.pool,
        region=inp.region,
        current=current,
        proposed=proposed,
        spot_share_pct=spot_pct,
        base_units=base,
        purchase_units=base - inp.committed,
        monthly_cost_before_usd=before,
        monthly_cost_after_usd=after,
        reasons=reasons,
    )
