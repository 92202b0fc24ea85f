"""Commitment plans as `commit` recommendations: one per instance type x region with usage (its
best term and payment; every option evaluated in the evidence) and one for the best Compute
Savings Plan. Pure.

Money over the window is to the cent; monthly figures scale it to 730 h. A commitment is billed
every hour of its term whether used or not, so the window must say something about the term:
under 7 days of data (Cost Explorer's shortest lookback) nothing is recommended, and the
confidence grows with the window (under 30 days medium, then high).
"""

from __future__ import annotations

from datetime import UTC

from optimizers.billing.usage import HourlyUsage
from optimizers.commitments import CommitmentsPlan
from optimizers.commitments.curve import HOURS_PER_MONTH, cents
from optimizers.commitments.plan import SeriesPlan
from optimizers.errors import InputError
from optimizers.recommendation import Confidence, DemandSummary, Risk, recommendation_id
from optimizers.recommendation.commitments import (
    Commitment,
    CommitmentEvidence,
    CommitmentFigures,
    CommitmentOption,
    CommitmentUsage,
    CommitProposal,
    CommitRecommendation,
    CostPoint,
)

MIN_WINDOW_H = 7 * 24  # Cost Explorer's shortest lookback
HIGH_CONFIDENCE_H = 30 * 24
COMPUTE_SP = "compute-savings-plan"
TERM_NOTE = "billed every hour of its {term} term, used or not, from the day it is bought"


def check_window(usage: HourlyUsage) -> None:
    if usage.hours < MIN_WINDOW_H:
        raise InputError(
            f"{usage.source}: the billing window is {usage.hours} h; commitment plans need at "
            f"least {MIN_WINDOW_H} h (7 days, Cost Explorer's shortest lookback): export more "
            "hourly data or widen --lookback"
        )


def _confidence(hours: int) -> Confidence:
    return Confidence.HIGH if hours >= HIGH_CONFIDENCE_H else Confidence.MEDIUM


def _monthly(window_usd: float, hours: int) -> float:
    return cents(window_usd * HOURS_PER_MONTH / hours)


def _money(without: float, after: float, hours: int) -> dict[str, float | bool]:
    before_m, after_m = _monthly(without, hours), _monthly(after, hours)
    return {
        "priced": True,
        "monthly_cost_before_usd": before_m,
        "monthly_cost_after_usd": after_m,
        "monthly_saving_usd": cents(before_m - after_m),
    }


def _risk(units: float, term: str, hours: int, estimate: bool, extra: list[str]) -> Risk:
    if not units:
        return Risk(level="low", notes=["nothing to buy", *extra])
    notes = [TERM_NOTE.format(term=term), *extra]
    if estimate:
        notes.append("rates are the price table's estimates: check them against AWS's offer")
    if hours < HIGH_CONFIDENCE_H:
        notes.append(f"planned on {hours / 24:.0f} days of usage, under 30")
    level = "high" if hours < HIGH_CONFIDENCE_H else "medium" if term == "3y" else "low"
    return Risk(level=level, notes=notes)


def _window(usage: HourlyUsage) -> dict[str, int]:
    begin = int(usage.window_start.replace(tzinfo=UTC).timestamp())
    return {"window_start": begin, "window_end": begin + usage.hours * 3600}


def series_recommendation(
    plan: SeriesPlan, usage: HourlyUsage, instance_hours: float, bought: bool, why_not: str
) -> CommitRecommendation | None:
    """The best option of one series (`instance_hours`: all its usage, commitments held
    included); with `bought` False (the Compute Savings Plan alone costs less) it buys nothing
    and says `why_not`. None when the series has no on-demand rate or no rate to commit at."""
    best = plan.best
    if best is None or plan.on_demand_rate is None or plan.cost_without_usd is None:
        return None
    rate = best.rate
    units = best.units if bought else 0
    chosen = Commitment(
        type=rate.type, instance_type=plan.instance_type, region=plan.region, term=rate.term,
        payment=rate.payment, units=units, usd_per_hour=round(units * rate.usd_per_hour, 6),
    )  # fmt: skip
    figures = CommitmentFigures(
        hours=plan.hours,
        demand=DemandSummary(min=plan.demand_min, mean=plan.demand_mean, max=plan.demand_max),
        cost_usd_over_window=best.cost_usd,
        cost_without_commitment_usd=plan.cost_without_usd,
        coverage=min(1.0, best.coverage),
        utilization=None if best.utilization is None else min(1.0, best.utilization),
        break_even_hours_per_month=best.break_even_hours_per_month,
        options=[
            CommitmentOption(
                type=o.rate.type,
                term=o.rate.term,
                payment=o.rate.payment,
                units=o.units,
                cost_usd_over_window=o.cost_usd,
            )
            for o in plan.options
        ],  # fmt: skip
        heuristic=None
        if plan.heuristic is None
        else CostPoint(units=plan.heuristic[0], cost_usd_over_window=plan.heuristic[1]),
        curve=[CostPoint(units=p.units, cost_usd_over_window=p.cost_usd) for p in plan.curve],
    )
    notes = list(plan.notes) + ([] if bought else [why_not])
    if plan.existing_covered_hours:
        notes.append(
            f"commitments held covered {plan.existing_covered_hours:,.1f} instance-hours (at most "
            f"{plan.existing_covered_max:g} an hour); planned on the usage they left on-demand"
        )
    proposal = CommitProposal(commitment=chosen)
    target = f"{plan.instance_type}@{plan.region}"
    return CommitRecommendation(
        id=recommendation_id("commit", [target], proposal),
        target=target,
        targets=[target],
        region=plan.region,
        kind="commit",
        current=CommitmentUsage(
            instance_type=plan.instance_type,
            region=plan.region,
            instance_hours=instance_hours,
            existing_covered_hours=plan.existing_covered_hours,
            on_demand_usd_per_hour=plan.on_demand_rate,
        ),  # fmt: skip
        proposed=proposal,
        evidence=CommitmentEvidence(
            commitment=figures,
            rates_source=rate.source,
            estimate=rate.estimate,
            notes=notes,
            **_window(usage),
        ),  # fmt: skip
        risk=_risk(units, rate.term, plan.hours, rate.estimate, []),
        confidence=_confidence(plan.hours),
        **_money(plan.cost_without_usd, best.cost_usd if bought else plan.cost_without_usd,
                 plan.hours),
    )  # fmt: skip


def savings_plan_recommendation(
    plan: CommitmentsPlan, rates_source: str
) -> CommitRecommendation | None:
    sp, usage = plan.savings_plan, plan.usage
    best = sp.best
    if best is None or sp.hours == 0:
        return None
    chosen = Commitment(
        type=COMPUTE_SP, instance_type=None, region=None, term=best.term, payment=best.payment,
        units=None, usd_per_hour=best.usd_per_hour,
    )  # fmt: skip
    low, mean, high = sp.demand_usd
    figures = CommitmentFigures(
        hours=sp.hours,
        demand=DemandSummary(min=low, mean=mean, max=high),
        cost_usd_over_window=best.cost_usd,
        cost_without_commitment_usd=sp.cost_without_usd,
        coverage=min(1.0, best.coverage),
        utilization=None if best.utilization is None else min(1.0, best.utilization),
        break_even_hours_per_month=None
        if best.rate_ratio is None
        else HOURS_PER_MONTH * best.rate_ratio,
        options=[
            CommitmentOption(
                type=COMPUTE_SP,
                term=o.term,
                payment=o.payment,
                units=None,
                usd_per_hour=o.usd_per_hour,
                cost_usd_over_window=o.cost_usd,
            )
            for o in sp.options
        ],
        heuristic=None
        if best.heuristic is None
        else CostPoint(
            units=None, usd_per_hour=best.heuristic[0], cost_usd_over_window=best.heuristic[1]
        ),
        per_type_cost_usd_over_window=plan.per_type_cost_usd,
    )
    notes = [_portfolio_note(plan)]
    if plan.per_type_bought:
        notes.append(
            "planned on the usage the per-type commitments of this run leave on-demand: AWS "
            "applies reservations and instance savings plans first"
        )
    notes.append(
        "demand is the on-demand $/h of that usage per hour; AWS applies the plan to the usage "
        "with the highest discount first"
    )
    unplanned = [f"{p.instance_type}@{p.region}" for p in plan.series if p.best is None]
    if unplanned:
        notes.append(
            f"no per-type recommendation for {', '.join(unplanned)}: no reserved-instance or "
            "instance savings plan rate (pass --rates with theirs) or no on-demand rate"
        )
    proposal = CommitProposal(commitment=chosen)
    targets = sorted(f"{s.instance_type}@{s.region}" for s in usage.series)
    return CommitRecommendation(
        id=recommendation_id("commit", [COMPUTE_SP], proposal),
        target=COMPUTE_SP,
        targets=targets or [COMPUTE_SP],
        kind="commit",
        current=CommitmentUsage(
            instance_type=None,
            region=None,
            instance_hours=float(sum(s.demand.sum() for s in usage.series)),
            existing_covered_hours=float(sum(s.committed.sum() for s in usage.series)),
        ),  # fmt: skip
        proposed=proposal,
        evidence=CommitmentEvidence(
            commitment=figures,
            rates_source=rates_source,
            estimate=best.estimate,
            notes=notes,
            **_window(usage),
        ),  # fmt: skip
        risk=_risk(best.usd_per_hour, best.term, sp.hours, best.estimate, []),
        confidence=_confidence(sp.hours),
        **_money(sp.cost_without_usd, best.cost_usd, sp.hours),
    )


def _portfolio_note(plan: CommitmentsPlan) -> str:
    return (
        f"over the window: per-type commitments then this plan ${plan.layered_cost_usd:,.2f}, "
        f"a Compute Savings Plan alone ${plan.plan_alone_cost_usd:,.2f}, per-type commitments "
        f"alone ${plan.per_type_cost_usd:,.2f}; recommended: "
        + ("per-type commitments then this plan" if plan.per_type_bought else "this plan alone")
    )


def commit_recommendations(plan: CommitmentsPlan, rates_source: str) -> list[CommitRecommendation]:
    """One per series with a rate to commit at, then the Compute Savings Plan's."""
    check_window(plan.usage)
    used = {(s.instance_type, s.region): float(s.demand.sum()) for s in plan.usage.series}
    why_not = (
        "not bought: a Compute Savings Plan alone covers this usage for less over the window "
        f"(${plan.plan_alone_cost_usd:,.2f} against ${plan.layered_cost_usd:,.2f})"
    )
    found = [
        series_recommendation(
            p, plan.usage, used[(p.instance_type, p.region)], plan.per_type_bought, why_not
        )
        for p in plan.series
    ]
    found.append(savings_plan_recommendation(plan, rates_source))
    return [r for r in found if r is not None]
