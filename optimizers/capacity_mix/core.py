"""The spot / on-demand / committed mix of one pool, from its hourly usage: pure.

The pool's `capacity` keys are EC2 Auto Scaling's own knobs: `committed` is the on-demand base
(instances covered by reservations or savings plans), `on_demand_percentage_above_base` splits
what runs above it between on-demand and spot. Decided here, in pool capacity units per hour:

1. Spot above the base only for pools marked `interruptible`, only when the pool and its spot
   siblings (the other spot pools of its role in its region: one node shape each, among which
   the Cluster Autoscaler chooses) list enough distinct types together for the policy pack's
   `asg-spot-diversified` (N by role, capped at the suitable types the region offers), across at
   least two Availability Zones; a pool that fails these runs no spot (a safety change, even when
   it costs money).
2. For the others, the spot share follows the Spot Advisor interruption band of its types (the
   median band): the expected share of above-base capacity interrupted in a month, share x band,
   stays under `interruption_budget_pct` (5%: all spot under a "<5%" band, half under "5-10%",
   ...), and only when the median saving is worth it (`min_spot_saving_pct`). A safe pool never
   gets less spot than it runs today: that would cost money for a risk its owner accepted.
3. The base stays at the commitments held (`committed`, which the stack keeps equal to what is
   bought): raised above them, the base runs at on-demand prices, which the policy pack's
   `on-demand-base-within-commitment` refuses; lowered, commitments paid until their term ends
   would cover spot-eligible capacity no more. The committed steady state c*, the integer that
   minimises `H c rate + blended * sum_h max(0, D_h - c)` (`blended`: what an above-base unit
   costs with that spot share, capped at `max_size`), is reported with the units to buy before
   the base can rise to it (`purchase_units`; the commitments planner plans the purchase).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from optimizers.commitments.curve import HOURS_PER_MONTH, SortedDemand, cents, optimal_units

# Spot Advisor "frequency of interruption" bands -> the monthly rate used (upper bound; 25% for
# the open ">20%" band).
BAND_RATE = {"<5%": 0.05, "5-10%": 0.10, "10-15%": 0.15, "15-20%": 0.20, ">20%": 0.25}
# The policy pack's default asg-spot-diversified minimums (policies/aeon_guardrails/spot.py); a
# stack's policy config may relax them.
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
    unit_on_demand_usd: float | None  # per capacity unit-hour (None: unpriced, decided anyway)
    unit_commit_usd: float | None  # per capacity unit-hour committed (None: no rate)
    spot: Sequence[SpotFigures]
    suitable_types: int | None = None  # interchangeable types the region offers (policy cap)
    sibling_types: Sequence[str] = ()  # types of the pool's spot siblings (same role and region)
    min_types_by_role: Mapping[str, int] = field(default_factory=lambda: dict(MIN_TYPES_BY_ROLE))
    min_zones: int = MIN_ZONES  # the stack's policy config may relax both

    @property
    def spot_types(self) -> set[str]:
        """The distinct types the pack counts for this pool's spot: its own and its siblings'."""
        return set(self.instance_types) | set(self.sibling_types)


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
    purchase_units: int  # committed units to buy before the base may rise to c*
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


def required_types(
    role: str, suitable: int | None, by_role: Mapping[str, int] = MIN_TYPES_BY_ROLE
) -> int:
    """The pack's N: the role's minimum (its config's), capped at the suitable types offered."""
    wanted = by_role.get(role, 10)
    return wanted if suitable is None else max(1, min(wanted, suitable))


def _unsafe(inp: PoolMixInput) -> str | None:
    """Why spot is unsafe for the pool (the pack would refuse it, or the work would be lost)."""
    if not inp.interruptible:
        return "not interruptible (set interruptible: true if its work checkpoints)"
    need = required_types(inp.role, inp.suitable_types, inp.min_types_by_role)
    if len(inp.spot_types) < need:
        siblings = " with its spot siblings" if inp.sibling_types else ""
        return (
            f"lists {len(inp.spot_types)} instance type(s){siblings}; spot needs {need} "
            f"interchangeable types for {inp.role} pools in a region (asg-spot-diversified)"
        )
    if inp.zones < inp.min_zones:
        return f"spans {inp.zones} Availability Zone(s); spot needs {inp.min_zones}"
    return None


def _worth(inp: PoolMixInput, opts: MixOptions, reasons: list[str]) -> int:
    """The spot share the Spot Advisor's figures justify (0: none, or no figures)."""
    bands = [BAND_RATE[s.band] for s in inp.spot if s.band in BAND_RATE]
    savings = [s.saving_pct for s in inp.spot if s.saving_pct is not None]
    if not bands or not savings:
        reasons.append("no Spot Advisor figures for its types in the price table")
        return 0
    saving = statistics.median(savings)
    if saving < opts.min_spot_saving_pct:
        reasons.append(f"median spot saving {saving:g}% is under {opts.min_spot_saving_pct:g}%")
        return 0
    rate = statistics.median(bands)
    pct = int(min(1.0, opts.interruption_budget_pct / 100 / rate) * 100)
    reasons.append(
        f"median interruption band {rate:.0%}/month and saving {saving:g}% of {len(bands)} "
        f"type(s): {pct}% spot above the base keeps expected interruptions under "
        f"{opts.interruption_budget_pct:g}% of it a month"
    )
    return pct


def spot_share_pct(inp: PoolMixInput, opts: MixOptions, reasons: list[str]) -> int:
    """Percent of above-base capacity to run on spot. Unsafe pools get none; a safe pool gets
    what the figures justify, and never less than it runs today (lowering it would cost money
    for a risk the pool's owner already accepted)."""
    current = 100 - inp.on_demand_percentage_above_base
    unsafe = _unsafe(inp)
    if unsafe is not None:
        reasons.append(f"{unsafe}: no spot" + (f" (today {current}%)" if current else ""))
        return 0
    pct = _worth(inp, opts, reasons)
    if pct < current:
        reasons.append(f"keeps its {current}% spot: it is interruptible and diversified")
        return current
    return pct


def _window_cost(sd: SortedDemand, base: int, od: float, spot_pct: int, commit_rate: float,
                 spot_price: float) -> float:  # fmt: skip
    share = spot_pct / 100
    above = share * spot_price + (1 - share) * od
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
    sd = SortedDemand.of(inp.demand)
    held = inp.committed
    steady = held
    commit_rate, od = inp.unit_commit_usd, inp.unit_on_demand_usd
    savings = [s.saving_pct for s in inp.spot if s.saving_pct is not None]
    spot_price = (
        None if od is None else od * (1 - (statistics.median(savings) if savings else 0) / 100)
    )
    if commit_rate is None or od is None or spot_price is None or sd.hours == 0:
        reasons.append("no on-demand or commitment rate, or no usage: no committed steady state")
    else:
        share = spot_pct / 100
        blended = share * spot_price + (1 - share) * od
        steady = min(optimal_units(sd, commit_rate, blended), inp.max_size)
        if steady > held:
            reasons.append(
                f"the committed steady state is {steady} unit(s): buy {steady - held} more "
                f"(the commitments planner), then raise capacity.committed to {steady}; until "
                f"they are bought the base stays at the {held} held"
            )
        elif steady < held:
            reasons.append(
                f"the committed steady state is {steady} unit(s), under the {held} held: keep "
                "the base until those commitments end"
            )
    proposed = {
        "committed": held,  # the commitments held; never raised by this planner
        "on_demand_percentage_above_base": 100 - spot_pct,
        "spot_allocation_strategy": PREFERRED_STRATEGY
        if spot_pct and inp.spot_allocation_strategy == "lowest-price"
        else inp.spot_allocation_strategy,
        "capacity_rebalance": bool(spot_pct) or inp.capacity_rebalance,
    }
    before = after = None
    if sd.hours and od is not None and spot_price is not None:
        # the base is the same before and after: its rate (unknown: on-demand) cancels out
        base_rate = od if commit_rate is None else commit_rate
        current_spot = 100 - inp.on_demand_percentage_above_base
        per_month = HOURS_PER_MONTH / sd.hours
        before = cents(_window_cost(sd, held, od, current_spot, base_rate, spot_price) * per_month)
        after = cents(_window_cost(sd, held, od, spot_pct, base_rate, spot_price) * per_month)
        if after > before:
            reasons.append("raises cost: the change trades money for lower interruption risk")
    return MixDecision(
        pool=inp.pool,
        region=inp.region,
        current=current,
        proposed=proposed,
        spot_share_pct=spot_pct,
        base_units=steady,
        purchase_units=max(0, steady - held),
        monthly_cost_before_usd=before,
        monthly_cost_after_usd=after,
        reasons=reasons,
    )
