"""The cost of a change: additions, removals, a resize, a purchase-mix change and a price change,
biggest movers first; and `aeon cost --plan NEW --base-plan OLD` over real-format plans."""

from __future__ import annotations

import copy
import json

import pytest

from aeon.output.cost import diff_markdown
from optimizers.costing import diff_reports
from tests.costing.plans import urn
from tests.costing.prices import load, price_plan, sources
from tests.helpers import run_cli

H = 730
ASG = urn("aws:autoscaling/group:Group", "inference")
CPU = urn("aws:autoscaling/group:Group", "cpu")


def _asg_inputs(plan: dict) -> dict:
    return next(s for s in plan["steps"] if s["urn"] == ASG)["newState"]["inputs"]


def _changes(base_plan: dict, head_plan: dict, **kwargs):
    base = price_plan(base_plan, prices=kwargs.get("base_prices"))
    head = price_plan(head_plan, prices=kwargs.get("head_prices"))
    return diff_reports(base, head, base_label="main")


def test_resize_is_an_update_with_its_delta():
    base = load("autoscaling-group")
    head = copy.deepcopy(base)
    _asg_inputs(head)["desiredCapacity"] = 7.0  # +2 units: 1 more on-demand, 1 more spot
    diff = _changes(base, head)
    (change,) = diff.changes
    per_instance = 200 * 0.08 + 1000 * 0.005 + 125 * 0.04 + 7 * 0.3
    assert change.urn == ASG and change.change == "update"
    assert change.delta_monthly_usd == pytest.approx(H * 10 + H * 4 + 2 * per_instance)
    assert diff.total_delta_monthly_usd == pytest.approx(change.delta_monthly_usd)


def test_purchase_mix_change_moves_on_demand_to_spot():
    base = load("autoscaling-group")
    head = copy.deepcopy(base)
    distribution = _asg_inputs(head)["mixedInstancesPolicy"]["instancesDistribution"]
    distribution["onDemandPercentageAboveBaseCapacity"] = 0.0  # 1 on-demand, 4 spot
    (change,) = _changes(base, head).changes
    assert change.delta_monthly_usd == pytest.approx(-2 * H * (10 - 4))


def test_price_change_alone_is_an_update():
    plan = load("autoscaling-group")
    diff = _changes(
        plan,
        plan,
        base_prices=sources(),
        head_prices=sources(us_east_1__g6e_12xlarge__ondemand_usd_per_hour="11"),
    )
    (change,) = diff.changes
    assert change.change == "update" and change.delta_monthly_usd == pytest.approx(3 * H * 1.0)


def test_additions_and_removals_biggest_first_and_free_ones_left_out():
    base = load("autoscaling-group")
    head = copy.deepcopy(base)
    head["steps"] = [s for s in head["steps"] if s["urn"] != CPU]  # remove the CPU group
    head["steps"] += [
        s
        for s in load("networking")["steps"]
        if "natGateway" in s["urn"] and s["urn"].endswith("::nat")
    ]  # add a NAT
    head["steps"] += [s for s in load("networking")["steps"] if s["urn"].endswith("::nat-ip")]
    head["steps"] = [
        s for s in head["steps"] if not s["urn"].endswith("launchTemplate:LaunchTemplate::cpu")
    ]
    diff = _changes(base, head)
    assert [(c.change, c.name) for c in diff.changes] == [
        ("remove", "cpu"),
        ("add", "nat"),
        ("add", "nat-ip"),
    ]
    assert diff.changes[0].delta_monthly_usd == pytest.approx(-(12 * H * 0.2 + 12 * 8 * 0.1))
    assert diff.changes[1].delta_monthly_usd == pytest.approx(H * 0.045)
    assert diff.total_delta_monthly_usd == pytest.approx(
        -(12 * H * 0.2 + 12 * 8 * 0.1) + H * 0.045 + H * 0.005
    )


def test_a_side_that_is_unpriced_has_no_delta_and_says_why():
    base = load("autoscaling-group")
    head = copy.deepcopy(base)
    _asg_inputs(head)["mixedInstancesPolicy"]["launchTemplate"]["overrides"][0]["instanceType"] = (
        "g6e.48xlarge"  # not in the test price book
    )
    diff = _changes(base, head)
    (change,) = diff.changes
    assert change.delta_monthly_usd is None and change.base_monthly_usd > 0
    assert "ondemand_usd_per_hour for g6e.48xlarge" in change.why_unpriced
    # The group left the head's total, but going unpriced is not a saving of its whole cost.
    assert diff.head_total_monthly_usd < diff.base_total_monthly_usd
    assert diff.total_delta_monthly_usd == 0 and diff.unpriced_changes == (change,)
    doc = diff.as_json()
    assert doc["total_delta_monthly_usd"] == 0 and doc["unpriced_changes"] == [ASG]
    md = diff_markdown(diff)
    assert "±$0.00" in md and "1 unpriced change not in the delta" in md
    table, rows = md.split("**Unpriced changes (not in the delta):**")
    assert "inference" not in table and "| update | `inference` |" in rows
    # and back: priced only in the head is not an addition of its whole cost either
    assert _changes(head, base).total_delta_monthly_usd == 0


def test_cli_compares_two_plans_in_the_documented_shape(tmp_path):
    base = load("autoscaling-group")
    head = copy.deepcopy(base)
    _asg_inputs(head)["desiredCapacity"] = 6.0
    (tmp_path / "old.json").write_text(json.dumps(base))
    (tmp_path / "new.json").write_text(json.dumps(head))
    result = run_cli(
        "cost",
        "--plan",
        str(tmp_path / "new.json"),
        "--base-plan",
        str(tmp_path / "old.json"),
        "--format",
        "json",
        "--price-date",
        "2026-12-01",
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert {
        "stack",
        "base",
        "base_total_monthly_usd",
        "head_total_monthly_usd",
        "total_delta_monthly_usd",
        "changes",
    } <= set(doc)
    (change,) = doc["changes"]
    assert set(change) >= {
        "urn",
        "type",
        "change",
        "base_monthly_usd",
        "head_monthly_usd",
        "delta_monthly_usd",
    }
    assert change["change"] == "update" and change["delta_monthly_usd"] > 0
    assert doc["total_delta_monthly_usd"] == pytest.approx(
        doc["head_total_monthly_usd"] - doc["base_total_monthly_usd"], abs=0.011
    )
    table = run_cli(
        "cost",
        "--plan",
        str(tmp_path / "new.json"),
        "--base-plan",
        str(tmp_path / "old.json"),
        "--price-date",
        "2026-12-01",
    )
    assert table.code == 0 and "inference" in table.out and "against" in table.out
