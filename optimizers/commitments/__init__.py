"""Commitment planning (reserved instances, Savings Plans) from hourly billing usage: pure."""

from __future__ import annotations

from dataclasses import dataclass

from optimizers.billing.usage import HourlyUsage, UsageSeries
from optimizers.commitments.plan import (
    SavingsPlanPlan,
    SeriesPlan,
    plan_compute_savings_plan,
    plan_series,
)
from optimizers.commitments.rates import CommitmentRate, rates_for
from optimizers.pricing import PriceBook


@dataclass(frozen=True)
class CommitmentsPlan:
    usage: HourlyUsage
    series: list[SeriesPlan]
    savings_plan: SavingsPlanPlan


def plan_commitments(
    usage: HourlyUsage, *, rates: list[CommitmentRate] | None = None, book: PriceBook | None = None
) -> CommitmentsPlan:
    """Every series' best per-type commitment and the best Compute Savings Plan."""

    def rates_of(s: UsageSeries) -> list[CommitmentRate]:
        return rates_for(rates, book, s.instance_type, s.region, s.on_demand_rate or 0.0)

    plans = [plan_series(s, rates_of(s)) for s in usage.series]
    return CommitmentsPlan(usage, plans, plan_compute_savings_plan(usage.series, rates_of, plans))


__all__ = ["CommitmentsPlan", "plan_commitments"]
