"""Every pool's mix as a `capacity-mix` recommendation: pure.

What `plan_pool_mix` needs of a pool comes from the stack (role, types, sizes, capacity keys,
interruptible, the region's zones), the usage (capacity units per hour and their on-demand
price), the price table (Spot Advisor saving and interruption band of each type) and the
commitment rates (the cheapest per-type rate of the pool's first type). Diversification is
counted as the policy pack's `asg-spot-diversified` counts it: the types the pool lists against
the suitable types its region offers (policies/aeon_guardrails/fleet.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from components.facts.catalog import Catalog, InstanceSpec
from components.settings import CapacityMix, Pool, StackSettings
from optimizers.capacity_mix.core import (
    MIN_TYPES_BY_ROLE,
    MIN_ZONES,
    MixDecision,
    MixOptions,
    PoolMixInput,
    SpotFigures,
    plan_pool_mix,
    required_types,
)
from optimizers.capacity_mix.usage import CapacityOf, PoolDemand, PoolUsage, units_of
from optimizers.commitments.rates import CommitmentRate, rates_for
from optimizers.pricing import SPOT_INTERRUPTION, SPOT_SAVING, PriceBook
from optimizers.recommendation import Confidence, DemandSummary, Risk, recommendation_id
from optimizers.recommendation.commitments import (
    CapacityMixEvidence,
    CapacityMixRecommendation,
    CapacityState,
    Diversification,
    SpotFigure,
)

PER_TYPE = ("reserved-instance", "instance-savings-plan")


@dataclass(frozen=True)
class SpotMinimums:
    """The pack's asg-spot-diversified minimums as the stack's policy config sets them."""

    types_by_role: Mapping[str, int] = field(default_factory=lambda: dict(MIN_TYPES_BY_ROLE))
    zones: int = MIN_ZONES
    source: str = "the policy pack's defaults"


def _gpu_profile(spec: InstanceSpec) -> tuple[int, int, str, str]:
    """As `aeon policy sync-config` writes it: GPUs, GiB per GPU (rounded), maker, arch."""
    arch = spec.architectures[0] if spec.architectures else "x86_64"
    return spec.gpu_count, round(spec.gpu_memory_mib_each / 1024), spec.gpu_manufacturer or "", arch


def _has_gpu_info(spec: InstanceSpec) -> bool:
    return spec.gpu_manufacturer is not None or spec.gpu_name is not None


def suitable_types(types: Iterable[str], region: str, catalog: Catalog) -> int | None:
    """How many types the region offers that could stand in for `types`, as the pack counts
    them (GPU types: same maker and architecture, GPU count in their range, no less memory per
    GPU; others: every type without GPUs)."""
    offered = catalog.in_region(region)
    if not offered:
        return None
    mine = [catalog.get(t) for t in types]
    gpus = [_gpu_profile(s) for s in mine if s is not None and _has_gpu_info(s)]
    if not gpus:
        return sum(1 for s in offered if not _has_gpu_info(s))
    low, high = min(g[0] for g in gpus), max(g[0] for g in gpus)
    memory = min(g[1] for g in gpus)
    makers, archs = {g[2] for g in gpus}, {g[3] for g in gpus}
    profiles = (_gpu_profile(s) for s in offered if _has_gpu_info(s))
    return sum(
        1 for c in profiles if low <= c[0] <= high and c[1] >= memory and c[2] in makers
        and c[3] in archs
    )  # fmt: skip


def _commit_rate(
    pool: Pool, demand: PoolDemand, rates: list[CommitmentRate] | None, book: PriceBook,
    capacity: CapacityOf,
) -> float | None:  # fmt: skip
    """Per unit-hour: the cheapest per-type commitment of the pool's first type."""
    first = pool.instance_types[0]
    size = units_of(pool, first, capacity)
    if size is None or demand.unit_on_demand_usd is None:
        return None
    found = [
        r.usd_per_hour
        for r in rates_for(rates, book, first, pool.region, demand.unit_on_demand_usd * size)
        if r.type in PER_TYPE
    ]
    return min(found) / size if found else None


def mix_input(
    pool: Pool, demand: PoolDemand, settings: StackSettings, book: PriceBook,
    rates: list[CommitmentRate] | None, catalog: Catalog, capacity: CapacityOf,
    siblings: list[Pool], minimums: SpotMinimums,
) -> PoolMixInput:  # fmt: skip
    """`siblings`: the other pools of its role and region that may run spot with it."""
    zones = next((r.availability_zones for r in settings.regions if r.name == pool.region), 0)
    spot = []
    for t in pool.instance_types:
        band = book.figure(pool.region, t, SPOT_INTERRUPTION)
        spot.append(SpotFigures(t, book.number(pool.region, t, SPOT_SAVING),
                                None if band is None else band.value))  # fmt: skip
    cap = pool.capacity
    return PoolMixInput(
        pool=pool.name, role=pool.role.value, region=pool.region,
        interruptible=pool.interruptible, instance_types=list(pool.instance_types),
        max_size=pool.max_size, committed=cap.committed,
        on_demand_percentage_above_base=cap.on_demand_percentage_above_base,
        spot_allocation_strategy=cap.spot_allocation_strategy,
        capacity_rebalance=cap.capacity_rebalance, zones=zones, demand=demand.units,
        unit_on_demand_usd=demand.unit_on_demand_usd,
        unit_commit_usd=_commit_rate(pool, demand, rates, book, capacity), spot=spot,
        suitable_types=suitable_types(
            [*pool.instance_types, *(t for s in siblings for t in s.instance_types)], pool.region,
            catalog,
        ),
        sibling_types=sorted({t for s in siblings for t in s.instance_types}),
        min_types_by_role=minimums.types_by_role, min_zones=minimums.zones,
    )  # fmt: skip


def _confidence(hours: int) -> Confidence:
    if hours < 24:
        return Confidence.LOW
    return Confidence.MEDIUM if hours < 7 * 24 else Confidence.HIGH


def _risk(decision: MixDecision, inp: PoolMixInput) -> Risk:
    before = 100 - inp.on_demand_percentage_above_base
    if decision.spot_share_pct > before:
        return Risk(
            level="medium",
            notes=[
                f"spot above the base goes from {before}% to {decision.spot_share_pct}%: spot "
                "capacity is reclaimed with a 2-minute notice (the pool is interruptible)"
            ],
        )
    return Risk(level="low")


def mix_recommendation(
    decision: MixDecision, inp: PoolMixInput, usage: PoolUsage, price_source: str
) -> CapacityMixRecommendation:
    demand = inp.demand
    proposed = CapacityState(capacity=CapacityMix(**decision.proposed))  # type: ignore[arg-type]
    priced = decision.monthly_saving_usd is not None
    notes = [*decision.reasons, f"on-demand unit price: {price_source}"]
    return CapacityMixRecommendation(
        id=recommendation_id("capacity-mix", [inp.pool], proposed),
        target=inp.pool,
        targets=[inp.pool],
        pool=inp.pool,
        region=inp.region,
        kind="capacity-mix",
        current=CapacityState(capacity=CapacityMix(**decision.current)),  # type: ignore[arg-type]
        proposed=proposed,
        priced=priced,
        monthly_cost_before_usd=decision.monthly_cost_before_usd if priced else None,
        monthly_cost_after_usd=decision.monthly_cost_after_usd if priced else None,
        monthly_saving_usd=decision.monthly_saving_usd,
        risk=_risk(decision, inp),
        confidence=_confidence(usage.hours),
        evidence=CapacityMixEvidence(
            hours=usage.hours,
            demand=DemandSummary(min=float(demand.min()), mean=float(demand.mean()),
                                 max=float(demand.max())),
            base_units=decision.base_units,
            purchase_units=decision.purchase_units,
            spot_share_pct=decision.spot_share_pct,
            spot=[SpotFigure(instance_type=s.instance_type, interruption_band=s.band,
                             saving_pct=s.saving_pct) for s in inp.spot],
            diversification=Diversification(
                instance_types=len(inp.spot_types),
                required_types=required_types(
                    inp.role, inp.suitable_types, inp.min_types_by_role
                ),
                availability_zones=inp.zones,
            ),
            notes=notes,
        ),
    )  # fmt: skip


def plan_mix(
    usage: PoolUsage,
    settings: StackSettings,
    book: PriceBook,
    rates: list[CommitmentRate] | None,
    catalog: Catalog,
    capacity: CapacityOf,
    options: MixOptions,
    minimums: SpotMinimums | None = None,
) -> list[CapacityMixRecommendation]:
    """One recommendation per pool of the stack with usage in the window, in the stack's order.

    Sibling pools (one role, one region) are diversified together, as the pack counts them: a
    first pass lets every interruptible sibling count, a second only those that chose spot, so
    the pools that keep spot are diversified by each other alone."""
    planned = [p for p in settings.pools if p.name in usage.pools]
    minimums = minimums or SpotMinimums()

    def decide(spotted: set[str]) -> dict[str, tuple[MixDecision, PoolMixInput]]:
        out = {}
        for pool in planned:
            siblings = [
                s for s in settings.pools
                if s.name != pool.name and s.role == pool.role and s.region == pool.region
                and s.name in spotted
            ]  # fmt: skip
            demand = usage.pools[pool.name]
            inp = mix_input(
                pool, demand, settings, book, rates, catalog, capacity, siblings, minimums
            )
            out[pool.name] = (plan_pool_mix(inp, options), inp)
        return out

    # siblings without usage in the window keep what they run today
    keeping = {p.name for p in settings.pools if p.capacity.uses_spot and p.name not in usage.pools}
    first = decide({p.name for p in settings.pools if p.interruptible})
    chose = {name for name, (d, _) in first.items() if d.spot_share_pct > 0}
    final = decide(chose | keeping)
    return [
        mix_recommendation(final[p.name][0], final[p.name][1], usage,
                           usage.pools[p.name].price_source)
        for p in planned if p.name in final
    ]  # fmt: skip
