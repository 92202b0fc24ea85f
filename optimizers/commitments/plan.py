"""Commitment plans from hourly usage: per instance type and region, and one Compute Savings Plan.

Pure: usage and rates in, plans out. For every (type, region) with usage and every commitment
option its rates offer, the exact integer optimum c*, its cost over the window, coverage,
utilization and break-even; the best option is the cheapest over the window (ties: shorter term,
then less upfront). Then the Compute Savings Plan of lowest cost across every series, compared with
the per-type plans. Money over the window is rounded to the cent only when shown.

What is planned is a commitment to BUY, so it is planned on the usage billed at on-demand rates:
usage the commitments already held cover is paid for until their terms end, and planning on it
would buy it a second time. The plan reports that covered usage beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizers.billing.usage import UsageSeries
from optimizers.commitments.curve import (
    CurvePoint,
    SortedDemand,
    break_even_hours_per_month,
    cents,
    curve_points,
    heuristic_units,
    optimal_units,
)
from optimizers.commitments.rates import PAYMENTS, TERMS, CommitmentRate, Payment, Term
from optimizers.commitments.savings_plan import (
    SavingsPlanInput,
    evaluate,
    heuristic_commitment,
    optimal_commitment,
)

PER_TYPE = ("reserved-instance", "instance-savings-plan")


@dataclass(frozen=True)
class OptionResult:
    rate: CommitmentRate
    units: int
    cost_usd: float  # over the window, to the cent
    coverage: float
    utilization: float | None  # None when units is 0
    break_even_hours_per_month: float | None

    def key(self) -> tuple[float, int, int]:
        return (self.cost_usd, *self.rate.order)


@dataclass(frozen=True)
class SeriesPlan:
    instance_type: str
    region: str
    hours: int
    demand_min: float
    demand_mean: float
    demand_max: float
    on_demand_rate: float | None
    rate_source: str
    cost_without_usd: float | None
    existing_covered_hours: float
    existing_covered_max: float
    options: list[OptionResult]
    best: OptionResult | None
    heuristic: tuple[int, float] | None  # (units, cost) of the Cost Explorer pick, best option
    curve: list[CurvePoint]
    notes: list[str] = field(default_factory=list)

    @property
    def saving_usd(self) -> float | None:
        if self.best is None or self.cost_without_usd is None:
            return None
        return cents(self.cost_without_usd - self.best.cost_usd)


def _option(sd: SortedDemand, rate: CommitmentRate, on_demand: float) -> OptionResult:
    units = optimal_units(sd, rate.usd_per_hour, on_demand)
    covered = sd.covered(units)
    return OptionResult(
        rate=rate,
        units=units,
        cost_usd=cents(sd.cost(units, rate.usd_per_hour, on_demand)),
        coverage=covered / sd.total if sd.total > 0 else 0.0,
        utilization=covered / (units * sd.hours) if units else None,
        break_even_hours_per_month=break_even_hours_per_month(rate.usd_per_hour, on_demand),
    )


def plan_series(series: UsageSeries, rates: list[CommitmentRate]) -> SeriesPlan:
    demand = series.on_demand  # what commitments held leave at on-demand rates
    sd = SortedDemand.of(demand)
    od = series.on_demand_rate
    notes: list[str] = []
    options: list[OptionResult] = []
    if od is None or od <= 0:
        notes.append("no on-demand rate in the billing rows or the price table: not planned")
    else:
        options = [_option(sd, r, od) for r in rates if r.type in PER_TYPE]
        if not options:
            notes.append("no reserved-instance or instance savings plan rate for this type")
    best = min(options, key=OptionResult.key) if options else None
    heuristic = curve = None
    if best is not None and od is not None:
        h_units = heuristic_units(demand, best.rate.usd_per_hour, od)
        heuristic = (h_units, cents(sd.cost(h_units, best.rate.usd_per_hour, od)))
        curve = curve_points(sd, best.rate.usd_per_hour, od, best.units)
    if best is not None and best.units == 0:
        notes.append("no commitment level costs less than on-demand over this window")
    if any(r.estimate for r in rates):
        notes.append("commitment rates are estimates from the price table (pass --rates FILE)")
    return SeriesPlan(
        instance_type=series.instance_type,
        region=series.region,
        hours=sd.hours,
        demand_min=float(demand.min()) if sd.hours else 0.0,
        demand_mean=float(demand.mean()) if sd.hours else 0.0,
        demand_max=float(demand.max()) if sd.hours else 0.0,
        on_demand_rate=od,
        rate_source=series.rate_source,
        cost_without_usd=None if od is None else cents(od * sd.total),
        existing_covered_hours=float(series.committed.sum()),
        existing_covered_max=float(series.committed.max()) if sd.hours else 0.0,
        options=sorted(options, key=OptionResult.key),
        best=best,
        heuristic=heuristic,
        curve=curve or [],
        notes=notes,
    )


@dataclass(frozen=True)
class SavingsPlanOption:
    term: Term
    payment: Payment
    usd_per_hour: float
    cost_usd: float
    coverage: float  # share of the covered series' on-demand value the plan covers
    utilization: float | None
    estimate: bool
    series: int  # how many series have a rate for this option
    rate_ratio: float | None  # plan rate / on-demand rate, weighted by the usage it may cover
    heuristic: tuple[float, float] | None = None  # Cost Explorer's pick: ($/h, cost)

    def key(self) -> tuple[float, int, int]:
        return (self.cost_usd, TERMS.index(self.term), PAYMENTS.index(self.payment))


@dataclass(frozen=True)
class SavingsPlanPlan:
    hours: int
    cost_without_usd: float
    options: list[SavingsPlanOption]
    best: SavingsPlanOption | None
    demand_usd: tuple[float, float, float]  # on-demand $/h of the usage per hour: min, mean, max


def plan_compute_savings_plan(
    series: list[UsageSeries], rates_of: Callable[[UsageSeries], list[CommitmentRate]]
) -> SavingsPlanPlan:
    """The Compute Savings Plan of lowest cost for each term x payment with rates, and the best."""
    usable = [s for s in series if s.on_demand_rate and s.on_demand_rate > 0]
    hours = len(usable[0].on_demand) if usable else 0
    on_demand = np.array([s.on_demand_rate for s in usable], dtype=float)
    demand = np.column_stack([s.on_demand for s in usable]) if usable else np.zeros((0, 0))
    without = math.fsum(float(s.on_demand.sum()) * float(s.on_demand_rate) for s in usable)
    by_option: dict[tuple[str, str], dict[int, CommitmentRate]] = {}
    for i, s in enumerate(usable):
        for r in rates_of(s):
            if r.type == "compute-savings-plan":
                by_option.setdefault((r.term, r.payment), {})[i] = r
    options: list[SavingsPlanOption] = []
    for (term, payment), found in sorted(by_option.items()):
        sp = np.array([found[i].usd_per_hour if i in found else 0.0 for i in range(len(usable))])
        inp = SavingsPlanInput(demand, on_demand, sp)
        commitment = optimal_commitment(inp)
        cost = evaluate(inp, commitment)
        pick = heuristic_commitment(inp)
        discounted = [i for i in found if sp[i] < on_demand[i]]
        covered_od = math.fsum(float(demand[:, i].sum()) * on_demand[i] for i in discounted)
        covered_sp = math.fsum(float(demand[:, i].sum()) * sp[i] for i in discounted)
        options.append(
            SavingsPlanOption(
                term=term,  # type: ignore[arg-type]
                payment=payment,  # type: ignore[arg-type]
                usd_per_hour=commitment,
                cost_usd=cents(cost.cost_usd),
                coverage=cost.covered_on_demand_usd / covered_od if covered_od else 0.0,
                utilization=(cost.used_commitment_usd / (commitment * hours))
                if commitment > 0
                else None,
                estimate=any(r.estimate for r in found.values()),
                series=len(found),
                rate_ratio=covered_sp / covered_od if covered_od else None,
                heuristic=(pick, cents(evaluate(inp, pick).cost_usd)),
            )
        )
    spend = demand @ on_demand if usable else np.zeros(1)
    return SavingsPlanPlan(
        hours=hours,
        cost_without_usd=cents(without),
        demand_usd=(float(spend.min()), float(spend.mean()), float(spend.max())),
        options=sorted(options, key=SavingsPlanOption.key),
        best=min(options, key=SavingsPlanOption.key) if options else None,
    )
