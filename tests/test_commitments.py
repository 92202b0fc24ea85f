"""Commitment plans: every formula on hand-computed cases, and the optima against brute force."""

from __future__ import annotations

from datetime import datetime

import botocore.session
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers.billing.usage import HourlyUsage, UnknownTypes, UsageSeries
from optimizers.commitments import plan_commitments
from optimizers.commitments.curve import (
    SortedDemand,
    break_even_hours_per_month,
    cents,
    heuristic_units,
    optimal_units,
    window_cost,
)
from optimizers.commitments.plan import plan_series
from optimizers.commitments.rates import (
    PAYMENTS,
    CommitmentRate,
    RatesInputError,
    estimated_rates,
    load_rates,
)
from optimizers.commitments.savings_plan import (
    SavingsPlanInput,
    cost_curve,
    evaluate,
    heuristic_commitment,
    optimal_commitment,
)
from optimizers.pricing import load_price_book


def rate(usd, term="1y", payment="no-upfront", kind="reserved-instance", itype="m5.large"):
    return CommitmentRate(kind, itype, "us-east-1", term, payment, usd, "test", False)


def series(demand, od=1.0, itype="m5.large", committed=None):
    demand = np.asarray(demand, dtype=float)
    done = np.zeros_like(demand) if committed is None else np.asarray(committed, dtype=float)
    return UsageSeries(itype, "us-east-1", demand - done, done, np.zeros_like(demand), od,
                       "billing")  # fmt: skip


def test_cost_formula_by_hand():
    # D = [0, 1, 2, 3, 4], c = 2, rate 0.6, on-demand 1: 5*2*0.6 + (1 + 2) = 9
    d = np.array([0, 1, 2, 3, 4.0])
    assert window_cost(d, 2, 0.6, 1.0) == pytest.approx(9.0)
    assert SortedDemand.of(d).cost(2, 0.6, 1.0) == pytest.approx(9.0)
    # c = 0..4: 10; 3 + 6 = 9; 6 + 3 = 9; 9 + 1 = 10; 12 + 0 = 12
    assert [SortedDemand.of(d).cost(c, 0.6, 1.0) for c in range(5)] == pytest.approx(
        [10, 9, 9, 10, 12]
    )
    assert optimal_units(SortedDemand.of(d), 0.6, 1.0) == 1  # tie 1 vs 2: the smaller


def test_optimum_is_the_quantile():
    # rate/on-demand = 0.25: commit the level exceeded in at most 25% of hours
    d = np.array([1, 1, 2, 2, 3, 3, 4, 10.0])
    assert optimal_units(SortedDemand.of(d), 0.25, 1.0) == 3


def test_coverage_utilization_break_even_by_hand():
    d = np.array([0, 2, 4, 4.0])  # sum 10
    plan = plan_series(series(d), [rate(0.5)])
    best = plan.best
    assert best.units == 2  # cost(2) = 4*2*0.5 + 4 = 8 (c=3: 6+2 = 8 tie, c=4: 8)
    assert best.cost_usd == 8.0 and plan.cost_without_usd == 10.0 and plan.saving_usd == 2.0
    assert best.coverage == pytest.approx(6 / 10)  # min(D, 2) = 0+2+2+2
    assert best.utilization == pytest.approx(6 / 8)
    assert break_even_hours_per_month(0.5, 1.0) == 365.0
    assert best.break_even_hours_per_month == 365.0


def test_heuristic_is_cost_explorer_style_and_never_better():
    d = np.array([0.5, 1.5, 2.5, 2.5])
    sd = SortedDemand.of(d)
    exact = optimal_units(sd, 0.3, 1.0)
    pick = heuristic_units(d, 0.3, 1.0)
    assert pick in (0, 1, 2) and sd.cost(pick, 0.3, 1.0) >= sd.cost(exact, 0.3, 1.0)


def test_best_option_ties_go_to_shorter_term_then_less_upfront():
    d = np.full(10, 3.0)
    options = [
        rate(0.5, "3y", "no-upfront"),
        rate(0.5, "1y", "all-upfront"),
        rate(0.5, "1y", "partial-upfront"),
    ]
    best = plan_series(series(d), options).best
    assert (best.rate.term, best.rate.payment) == ("1y", "partial-upfront")
    cheaper = plan_series(series(d), [*options, rate(0.49, "3y", "all-upfront")]).best
    assert (cheaper.rate.term, cheaper.rate.payment) == ("3y", "all-upfront")


def test_existing_commitments_are_reported_and_never_bought_twice():
    # 2 instances every hour, 1 of them covered by a commitment held in the first two hours:
    # on-demand [1, 1, 2]; at rate 0.5, c = 1 costs 1.5 + 1 = 2.5 (c = 2: 3, c = 0: 4)
    plan = plan_series(series([2, 2, 2], committed=[1, 1, 0]), [rate(0.5)])
    assert plan.best.units == 1 and plan.best.cost_usd == 2.5 and plan.cost_without_usd == 4
    assert plan.existing_covered_hours == 2 and plan.existing_covered_max == 1


def test_no_commitment_when_it_never_pays():
    plan = plan_series(series([0, 0, 0, 5]), [rate(0.9)])
    assert plan.best.units == 0 and plan.saving_usd == 0
    assert any("no commitment level" in n for n in plan.notes)


def test_money_to_the_cent_half_up():
    assert cents(0.125) == 0.13 and cents(2.675) == 2.68 and cents(-0.005) == -0.01


@settings(max_examples=200, deadline=None)
@given(
    demand=st.lists(st.floats(0, 40, allow_nan=False).map(lambda x: round(x, 3)),
                    min_size=1, max_size=80),
    on_demand=st.floats(0.01, 60),
    ratio=st.floats(0.05, 1.2),
)  # fmt: skip
def test_c_star_is_never_worse_than_any_integer_commitment(demand, on_demand, ratio):
    d = np.array(demand)
    r = on_demand * ratio
    best = optimal_units(SortedDemand.of(d), r, on_demand)
    mine = cents(window_cost(d, best, r, on_demand))
    for c in range(0, int(np.ceil(d.max())) + 1):
        assert mine <= cents(window_cost(d, c, r, on_demand))
    assert cents(window_cost(d, heuristic_units(d, r, on_demand), r, on_demand)) >= mine


# --- Compute Savings Plans ------------------------------------------------------------------------


def test_savings_plan_by_hand():
    # one hour, two series: A on-demand 1.0 SP 0.5 (50% off), B on-demand 1.0 SP 0.8 (20% off)
    inp = SavingsPlanInput(np.array([[1.0, 1.0]]), np.array([1.0, 1.0]), np.array([0.5, 0.8]))
    # S = 0.5 covers all of A first (highest discount): cost 0.5 + B's 1.0 = 1.5
    assert evaluate(inp, 0.5).cost_usd == pytest.approx(1.5)
    # S = 1.3 also covers B: 1.3, the optimum (each SP dollar on B saves 1.25)
    assert evaluate(inp, 1.3).cost_usd == pytest.approx(1.3)
    assert optimal_commitment(inp) == pytest.approx(1.3)


def test_savings_plan_ignores_hours_of_low_usage_past_the_break_even():
    # 4 hours of 2 instances and 4 hours of 0: 30% off; half the hours idle makes it not pay
    d = np.array([[2.0]] * 4 + [[0.0]] * 4)
    inp = SavingsPlanInput(d, np.array([1.0]), np.array([0.7]))
    assert optimal_commitment(inp) == 0.0
    inp = SavingsPlanInput(d[:5], np.array([1.0]), np.array([0.7]))
    assert optimal_commitment(inp) == pytest.approx(1.4)


@settings(max_examples=80, deadline=None)
@given(
    hours=st.integers(1, 24),
    seed=st.integers(0, 10_000),
    n=st.integers(1, 5),
    samples=st.lists(st.floats(0, 1), min_size=5, max_size=30),
)
def test_savings_plan_optimum_is_never_worse_than_a_sampled_commitment(hours, seed, n, samples):
    rng = np.random.default_rng(seed)
    d = np.round(rng.integers(0, 6, (hours, n)) * rng.random((hours, n)), 2)
    od = rng.uniform(0.05, 5.0, n)
    inp = SavingsPlanInput(d, od, od * rng.uniform(0.3, 1.05, n))
    best = evaluate(inp, optimal_commitment(inp)).cost_usd
    top = float((d * od).sum(axis=1).max()) + 0.1
    curve = cost_curve(inp)
    for s in samples:
        assert best <= evaluate(inp, s * top).cost_usd + 1e-6
        # the breakpoints describe G exactly, past the last one too
        assert curve.at(np.array([s * top]))[0] == pytest.approx(evaluate(inp, s * top).cost_usd)
    # Cost Explorer's pick (each hour's usage a candidate) never beats the optimum
    assert evaluate(inp, heuristic_commitment(inp)).cost_usd >= best - 1e-6


def test_compute_savings_plan_across_types_and_the_comparison():
    a = series([2, 2, 2, 2], od=1.0, itype="m5.large")
    b = series([0, 4, 0, 4], od=2.0, itype="c5.xlarge")
    usage = HourlyUsage("t", "focus-1.0", datetime(2024, 9, 1), 4, [a, b], UnknownTypes())
    rates = [
        rate(0.6, itype="m5.large"),
        rate(1.2, itype="c5.xlarge"),
        rate(0.7, kind="compute-savings-plan", itype="m5.large"),
        rate(1.4, kind="compute-savings-plan", itype="c5.xlarge"),
    ]
    plan = plan_commitments(usage, rates=rates)
    # per type: m5 commits 2 (4*2*0.6 = 4.8), c5 none (8 * 2 = 16): 20.8
    assert plan.per_type_cost_usd == pytest.approx(20.8)
    # the plan alone covers m5's 2 instances every hour: 4 * 1.4 + 16
    assert plan.plan_alone_cost_usd == pytest.approx(21.6)
    # layered: m5's reservation, then no plan pays on c5's every other hour (1.4/2 = 70%)
    assert plan.layered_cost_usd == pytest.approx(20.8) and plan.portfolio == "layered"
    assert plan.savings_plan.cost_without_usd == 16 and plan.savings_plan.best.usd_per_hour == 0


def test_the_plan_alone_wins_when_its_discount_is_deeper():
    a = series([2, 2, 2, 2], od=1.0, itype="m5.large")
    b = series([3, 3, 3, 3], od=2.0, itype="c5.xlarge")
    usage = HourlyUsage("t", "focus-1.0", datetime(2024, 9, 1), 4, [a, b], UnknownTypes())
    rates = [
        rate(0.8, itype="m5.large"),  # 20% off per type
        rate(1.6, itype="c5.xlarge"),
        rate(0.5, kind="compute-savings-plan", itype="m5.large"),  # 50% off as a plan
        rate(1.0, kind="compute-savings-plan", itype="c5.xlarge"),
    ]
    plan = plan_commitments(usage, rates=rates)
    # per type: 4 * (2 * 0.8 + 3 * 1.6) = 25.6; the plan alone covers all: 4 * (1 + 3) = 16
    assert plan.per_type_cost_usd == pytest.approx(25.6)
    assert plan.plan_alone_cost_usd == pytest.approx(16.0) and plan.portfolio == "plan-alone"
    assert plan.savings_plan.best.usd_per_hour == pytest.approx(4.0)


# --- rates --------------------------------------------------------------------------------------


def test_rates_file(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(
        "type,instance_type,region,term,payment,usd_per_hour\n"
        "reserved-instance,m5.large,us-east-1,1y,all-upfront,0.055\n"
        "compute-savings-plan,m5.large,us-east-1,3y,no-upfront,0.04\n"
    )
    got = load_rates(path)
    assert [(r.type, r.term, r.payment, r.usd_per_hour, r.estimate) for r in got] == [
        ("reserved-instance", "1y", "all-upfront", 0.055, False),
        ("compute-savings-plan", "3y", "no-upfront", 0.04, False),
    ]


@pytest.mark.parametrize(
    "line,match",
    [
        ("reserved,m5.large,us-east-1,1y,no-upfront,0.05", "line 2, column type"),
        ("reserved-instance,m5.large,us-east-1,2y,no-upfront,0.05", "line 2, column term"),
        ("reserved-instance,m5.large,us-east-1,1y,no-upfront,-1", "column usd_per_hour"),
        ("reserved-instance,m5.large,us-east-1,1y,no-upfront,nan", "column usd_per_hour"),
        ("reserved-instance,,us-east-1,1y,no-upfront,0.05", "instance_type and region"),
        ("reserved-instance,m5.large,us-east-1,1y", "4 fields"),
    ],
)
def test_bad_rates_file_names_the_line(tmp_path, line, match):
    path = tmp_path / "rates.csv"
    path.write_text("type,instance_type,region,term,payment,usd_per_hour\n" + line + "\n")
    with pytest.raises(RatesInputError, match=match):
        load_rates(path)


def test_payment_options_are_the_ones_aws_sells():
    model = botocore.session.get_session().get_service_model("savingsplans")
    aws = model.shape_for("SavingsPlanPaymentOption").enum
    assert {p.replace("-", " ").title().replace("Upfront", "Upfront") for p in PAYMENTS} == {
        a.title() for a in aws
    }


def test_estimates_are_labelled_and_below_on_demand():
    found = estimated_rates(load_price_book(), "p5.48xlarge", "us-east-1", 55.04)
    assert {(r.type, r.term) for r in found} == {
        (k, t)
        for k in ("reserved-instance", "instance-savings-plan", "compute-savings-plan")
        for t in ("1y", "3y")
    }
    assert all(r.estimate and "estimate" in r.source and r.usd_per_hour < 55.04 for r in found)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 4),
    ri=st.floats(0.3, 1.0),
    sp=st.floats(0.3, 1.0),
)
def test_the_portfolio_is_never_worse_than_either_instrument_alone(seed, n, ri, sp):
    rng = np.random.default_rng(seed)
    hours = 48
    usage = HourlyUsage("t", "focus-1.0", datetime(2024, 9, 1), hours, [
        series(rng.integers(0, 6, hours).astype(float), od=float(rng.uniform(0.1, 3)),
               itype=f"m5.{i}xlarge")
        for i in range(n)
    ], UnknownTypes())  # fmt: skip
    rates = [r for s in usage.series for r in (
        rate(s.on_demand_rate * ri, itype=s.instance_type),
        rate(s.on_demand_rate * sp, kind="compute-savings-plan", itype=s.instance_type),
    )]  # fmt: skip
    plan = plan_commitments(usage, rates=rates)
    chosen = min(plan.layered_cost_usd, plan.plan_alone_cost_usd)
    assert plan.layered_cost_usd <= plan.per_type_cost_usd + 0.01
    assert chosen <= plan.per_type_cost_usd + 0.01
    assert (plan.portfolio == "layered") == (plan.layered_cost_usd <= plan.plan_alone_cost_usd)


def test_a_region_without_a_discount_borrows_the_typical_one_and_says_so():
    found = estimated_rates(load_price_book(), "m5.large", "us-west-2", 0.096)
    per_type = [r for r in found if r.type == "reserved-instance"]
    assert {r.term for r in per_type} == {"1y", "3y"}
    assert all("no figure for us-west-2: us-east-1's typical one" in r.source for r in per_type)
    home = estimated_rates(load_price_book(), "m5.large", "us-east-1", 0.096)
    assert [r.usd_per_hour for r in found] == [r.usd_per_hour for r in home]
