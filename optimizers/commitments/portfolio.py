"""What to buy in all: per-type commitments, a Compute Savings Plan, or both. Pure.

Per-type commitments (reserved instances, EC2 Instance Savings Plans) and a Compute Savings Plan
can cover the same usage, so their savings do not add up: buying both for one usage pays twice.
AWS applies reservations first and then Savings Plans, highest discount first (AWS Savings Plans
user guide), so two portfolios are priced over the window and the cheaper one is recommended:

- layered: each series' best per-type commitment, then the Compute Savings Plan of lowest cost on
  the usage they leave on-demand (zero when none pays);
- plan alone: the Compute Savings Plan of lowest cost on all the on-demand usage.
Ties go to the layered portfolio. Each recommendation's saving is then its own share of the
chosen portfolio's, so the run's savings add up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from optimizers.billing.usage import HourlyUsage, UsageSeries
from optimizers.commitments.curve import cents
from optimizers.commitments.plan import (
    SavingsPlanPlan,
    SeriesPlan,
    plan_compute_savings_plan,
    plan_series,
)
from optimizers.commitments.rates import CommitmentRate, rates_for
from optimizers.pricing import PriceBook

Portfolio = Literal["layered", "plan-alone"]


@dataclass(frozen=True)
class CommitmentsPlan:
    usage: HourlyUsage
    series: list[SeriesPlan]  # each series' best per-type commitment, on its own
    savings_plan: SavingsPlanPlan  # the chosen portfolio's Compute Savings Plan
    portfolio: Portfolio
    layered_cost_usd: float  # over the window, each portfolio
    plan_alone_cost_usd: float
    per_type_cost_usd: float  # the per-type commitments without any Savings Plan

    @property
    def per_type_bought(self) -> bool:
        return self.portfolio == "layered"


def _left_on_demand(series: UsageSeries, plan: SeriesPlan) -> UsageSeries:
    """The series' on-demand usage above its per-type commitment."""
    units = plan.best.units if plan.best is not None else 0
    return replace(series, on_demand=np.maximum(series.on_demand - units, 0.0))


def plan_commitments(
    usage: HourlyUsage, *, rates: list[CommitmentRate] | None = None, book: PriceBook | None = None
) -> CommitmentsPlan:
    """Every series' best per-type commitment, the Compute Savings Plan, and the portfolio."""

    def rates_of(s: UsageSeries) -> list[CommitmentRate]:
        return rates_for(rates, book, s.instance_type, s.region, s.on_demand_rate or 0.0)

    plans = [plan_series(s, rates_of(s)) for s in usage.series]
    per_type = math.fsum(
        p.best.cost_usd if p.best is not None else (p.cost_without_usd or 0.0) for p in plans
    )
    alone = plan_compute_savings_plan(usage.series, rates_of)
    rest = [_left_on_demand(s, p) for s, p in zip(usage.series, plans, strict=True)]
    on_top = plan_compute_savings_plan(rest, rates_of)
    layered = (
        per_type
        - on_top.cost_without_usd
        + (on_top.best.cost_usd if on_top.best is not None else on_top.cost_without_usd)
    )
    alone_cost = alone.best.cost_usd if alone.best is not None else alone.cost_without_usd
    chosen: Portfolio = "layered" if cents(layered) <= cents(alone_cost) else "plan-alone"
    return CommitmentsPlan(
        usage=usage,
        series=plans,
        savings_plan=on_top if chosen == "layered" else alone,
        portfolio=chosen,
        layered_cost_usd=cents(layered),
        plan_alone_cost_usd=cents(alone_cost),
        per_type_cost_usd=cents(per_type),
    )
