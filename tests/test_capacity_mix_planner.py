"""`aeon recommend --planner capacity-mix` end to end, from billing data (rows split by the
aeon:pool tag) and from telemetry, then `aeon apply` into the pools' `capacity` keys, checked by
the policy pack itself (`aeon policy` on the applied stack); commitments to buy are recorded in
the policy config, never written as held.

The stack is the dev stack with its two CPU sibling pools (one node group, 5 types each, 10
together: what asg-spot-diversified asks of cpu pools) marked interruptible.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from aeon.cli import invoke
from aeon.project import find_project
from aeon.settings_loader import load_settings
from components.pool_types import capacity_of
from optimizers.billing.usage import HourlyUsage, UnknownTypes, UsageSeries
from optimizers.capacity_mix.usage import from_billing
from optimizers.recommendation import load, recommendations_path
from tests.apply.recs import REPO
from tests.billing.exports import focus_columns, focus_row, write_csv
from tests.helpers import run_json
from tests.policy.pack import import_guardrails
from tests.rightsizing.fleet import Fleet, noisy
from tests.rightsizing.fleet import write_csv as write_telemetry

DAYS = 8
SYSTEM = '{"aeon:pool": "dev-system"}'
SYSTEM_4C = '{"aeon:pool": "dev-system-4c"}'


def busy(hour: int) -> bool:
    return 8 <= hour % 24 <= 18


def billing_export(path: Path, *, both_siblings: bool = True) -> Path:
    rows = []
    for h in range(24 * DAYS):
        rows.append(focus_row(h, "m7i.large", 2 if busy(h) else 1, 0.1008, tags=SYSTEM,
                              usage_type="USE1-BoxUsage:m7i.large"))  # fmt: skip
        rows.append(focus_row(h, "m6i.large", 1, 0.096, tags=None,  # untagged: one pool lists it
                              usage_type="USE1-BoxUsage:m6i.large"))  # fmt: skip
        if both_siblings and busy(h):
            rows.append(focus_row(h, "m7i.xlarge", 1, 0.2016, tags=SYSTEM_4C,
                                  usage_type="USE1-BoxUsage:m7i.xlarge"))  # fmt: skip
    return write_csv(path, rows, focus_columns(rows))


@pytest.fixture
def project(tmp_path):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    text = (REPO / "Pulumi.dev.yaml").read_text()
    cpu = "      capacity: {committed: 0, on_demand_percentage_above_base: 100}\n      off_hours:"
    assert text.count(cpu) == 2
    (tmp_path / "Pulumi.dev.yaml").write_text(
        text.replace(cpu, cpu.replace("\n      off_hours:", "\n      interruptible: true\n"
                                                          "      off_hours:"))
    )  # fmt: skip
    shutil.copytree(REPO / "components", tmp_path / "components",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copytree(REPO / "policies", tmp_path / "policies",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (tmp_path / ".venv").symlink_to(REPO / ".venv")  # the project's interpreter starts the pack
    return tmp_path


def recommend(root: Path, *extra: str) -> list[str]:
    return ["recommend", "--stack", "dev", "--planner", "capacity-mix", "--cwd", str(root),
            "--format", "json", *extra]  # fmt: skip


def by_pool(doc: dict) -> dict[str, dict]:
    return {r["pool"]: r for r in doc["recommendations"]}


def test_billing_mix_applied_and_accepted_by_the_pack(project, capsys):
    doc = run_json(*recommend(project, "--billing", str(billing_export(project / "b.csv"))))
    recs = by_pool(doc)
    assert set(recs) == {"dev-system", "dev-system-4c"}  # the pools with usage
    system = recs["dev-system"]
    assert system["kind"] == "capacity-mix" and system["risk"]["level"] == "medium"
    current, proposed = system["current"]["capacity"], system["proposed"]["capacity"]
    assert current["on_demand_percentage_above_base"] == 100
    assert 0 <= proposed["on_demand_percentage_above_base"] < 100  # spot above the base
    assert proposed["committed"] == current["committed"] == 0  # the commitments held
    evidence = system["evidence"]
    # m7i.large 1 or 2 plus the untagged m6i.large (only dev-system lists it): 2 or 3 units
    assert evidence["demand"] == {"min": 2.0, "mean": pytest.approx(2 + 11 / 24), "max": 3.0}
    assert evidence["diversification"] == {
        "instance_types": 10, "required_types": 10, "availability_zones": 2,
    }  # fmt: skip
    assert evidence["base_units"] >= 1 and evidence["purchase_units"] == evidence["base_units"]
    assert system["monthly_saving_usd"] > 0
    saved = load(recommendations_path(project, "dev")).run("capacity-mix")
    assert saved is not None and saved.inputs["spot-policy"] == "dev.json"

    assert invoke(["apply", "--stack", "dev", "--cwd", str(project), "--format", "json"]) == 0
    applied = json.loads(capsys.readouterr().out)
    changes = {a["pool"]: a["changes"] for a in applied["applied"]}
    assert set(changes) == {"dev-system", "dev-system-4c"}
    assert "committed" not in changes["dev-system"]
    assert applied["enforced"] == {}  # the pack enforces right-sizing's types, not the mix
    stack = (project / "Pulumi.dev.yaml").read_text()
    share = proposed["on_demand_percentage_above_base"]
    assert f"capacity: {{committed: 0, on_demand_percentage_above_base: {share}}}" in stack
    # applying again changes nothing
    assert invoke(["apply", "--stack", "dev", "--cwd", str(project)]) == 0
    assert "nothing to change" in capsys.readouterr().err
    assert invoke(["policy", "--stack", "dev", "--cwd", str(project), "--format", "json"]) == 0
    violations = json.loads(capsys.readouterr().out).get("violations", [])
    assert not [v for v in violations if v["policy"] == "asg-spot-diversified"]


def test_one_sibling_alone_is_not_diversified_enough(project):
    billing = billing_export(project / "b.csv", both_siblings=False)
    recs = by_pool(run_json(*recommend(project, "--billing", str(billing))))
    assert set(recs) == {"dev-system"}  # the other sibling runs nothing: it stays on-demand
    system = recs["dev-system"]
    assert system["proposed"]["capacity"]["on_demand_percentage_above_base"] == 100
    assert any("spot needs 10" in n for n in system["evidence"]["notes"])


def test_telemetry_instances_present_each_hour(project, capsys):
    fleet = Fleet(days=2)
    fleet.add("a", "dev-system", "m7i.large", cpu=noisy(20, 3, 1), mem_gib=2)
    fleet.add("b", "dev-system", "m7i.large", cpu=noisy(20, 3, 2), mem_gib=2, days=1)
    fleet.add("c", "dev-system-4c", "m7i.xlarge", cpu=noisy(20, 3, 3), mem_gib=4)
    fleet.add("x", "not-a-pool", "m7i.large", cpu=noisy(20, 3, 4), mem_gib=2)
    write_telemetry(fleet, project / "telemetry")
    code = invoke(recommend(project, "--source", "csv", "--input", str(project / "telemetry"),
                            "--lookback", "2d"))  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "resource(s) of pool 'not-a-pool'" in captured.err
    recs = by_pool(json.loads(captured.out))
    demand = recs["dev-system"]["evidence"]["demand"]
    assert demand["max"] == 2.0 and demand["min"] == 1.0  # b ran the first day only
    assert recs["dev-system-4c"]["evidence"]["demand"]["max"] == 1.0  # one xlarge: 1 unit of 4c
    assert recs["dev-system"]["evidence"]["hours"] == 48


def test_no_usage_source_is_a_user_error(project, capsys):
    assert invoke(recommend(project)) == 2
    assert "needs the pools' usage" in capsys.readouterr().err
    billing = billing_export(project / "b.csv")
    assert invoke(recommend(project, "--billing", str(billing), "--source", "csv")) == 2
    assert "not both" in capsys.readouterr().err


def test_untagged_rows_go_to_the_one_pool_listing_their_type():
    settings = load_settings(find_project(REPO), "dev")
    ones = np.ones(4)
    usage = HourlyUsage("t", "focus-1.0", datetime(2024, 9, 1), 4, [
        UsageSeries("m6i.large", "us-east-1", ones, 0 * ones, 0 * ones, 0.096, "billing"),
        UsageSeries("g5.xlarge", "us-east-1", ones, 0 * ones, ones, 1.006, "billing"),
        UsageSeries("m6i.large", "eu-west-1", ones, 0 * ones, 0 * ones, 0.1, "billing"),
    ], UnknownTypes())  # fmt: skip
    found = from_billing(usage, settings, lambda p, t: capacity_of(p, t, p.region))
    assert found.pools["dev-system"].units.tolist() == [1, 1, 1, 1]
    assert found.pools["dev-inference"].units.tolist() == [2, 2, 2, 2]  # spot counts too
    assert found.pools["dev-system"].price_source == "billing"
    assert any("m6i.large in eu-west-1" in n for n in found.notes)


def test_apply_records_commitments_to_buy_and_the_pack_names_them(project, capsys):
    import tests.test_commitments_planner as commitments

    billing = commitments.focus_export(project / "focus.csv")
    shutil.copy(REPO / "Pulumi.prod.yaml", project / "Pulumi.prod.yaml")
    args = ["recommend", "--stack", "prod", "--planner", "commitments", "--cwd", str(project),
            "--billing", str(billing), "--format", "json"]  # fmt: skip
    doc = run_json(*args)
    buying = {
        r["id"] for r in doc["recommendations"]
        if r["proposed"]["commitment"]["units"] or r["proposed"]["commitment"]["usd_per_hour"]
    }  # fmt: skip
    stack_before = (project / "Pulumi.prod.yaml").read_text()
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project), "--format", "json"]) == 0
    applied = json.loads(capsys.readouterr().out)
    assert set(applied["purchases"]) == buying and applied["applied"] == []
    assert (project / "Pulumi.prod.yaml").read_text() == stack_before  # nothing held changed
    config = json.loads((project / "policies/config/prod.json").read_text())
    recorded = config["on-demand-base-within-commitment"]["purchases"]
    assert set(recorded) == buying
    p5 = next(v for v in recorded.values() if v["commitment"]["instance_type"] == "p5.48xlarge")
    # a group whose base exceeds what is held is told what to buy first
    import_guardrails()
    from aeon_guardrails.commitments import base_within_commitment
    from aeon_guardrails.core import Res

    group = Res(
        type="aws:autoscaling/group:Group", urn="urn:x", name="training-p5",
        props={"mixedInstancesPolicy": {
            "instancesDistribution": {"onDemandBaseCapacity": 3.0},
            "launchTemplate": {"overrides": [{"instanceType": "p5.48xlarge"}]}},
            "tags": [{"key": "aeon:pool", "value": "training-p5"}]},
    )  # fmt: skip
    cfg = {"pools": {"training-p5": {"committed": 1}}, "purchases": recorded}
    [message] = list(base_within_commitment(group, cfg))
    units = p5["commitment"]["units"]
    assert f"recommended, not yet bought: reserved-instance {units} x p5.48xlarge" in message


def test_the_stack_s_policy_config_sets_the_spot_minimums(project, capsys):
    config = project / "policies/config/dev.json"
    data = json.loads(config.read_text())
    billing = str(billing_export(project / "b.csv", both_siblings=False))
    # relaxed to 5 cpu types (with a reason, as dev relaxes inference): one sibling is enough
    data["asg-spot-diversified"]["min_types_by_role"]["cpu"] = 5
    config.write_text(json.dumps(data))
    system = by_pool(run_json(*recommend(project, "--billing", billing)))["dev-system"]
    assert system["evidence"]["diversification"]["required_types"] == 5
    assert system["proposed"]["capacity"]["on_demand_percentage_above_base"] < 100
    # values the pack's schema would refuse keep the pack's defaults; a broken file is exit 2
    data["asg-spot-diversified"]["min_types_by_role"] = {"cpu": "ten", "inference": True}
    config.write_text(json.dumps(data))
    system = by_pool(run_json(*recommend(project, "--billing", billing)))["dev-system"]
    assert system["evidence"]["diversification"]["required_types"] == 10
    config.write_text("{not json")
    assert invoke(recommend(project, "--billing", billing)) == 2
    assert "not a policy config" in capsys.readouterr().err


def test_apply_refuses_a_saved_mix_that_raises_the_base_or_adds_unsafe_spot():
    from components.settings import CapacityMix
    from optimizers.apply import plan_apply
    from optimizers.recommendation import PlannerRun, RecommendationsFile
    from optimizers.recommendation.commitments import CapacityState
    from tests.planners.samples import capacity_mix

    settings = load_settings(find_project(REPO), "prod")
    sample = capacity_mix()  # pool inference, us-east-1

    def mix(pool, committed, on_demand):
        proposed = CapacityState(capacity=CapacityMix(
            committed=committed, on_demand_percentage_above_base=on_demand))  # fmt: skip
        return sample.model_copy(update={"id": f"rec-{pool}", "target": pool, "pool": pool,
                                         "proposed": proposed})  # fmt: skip

    recs = [mix("inference", 5, 0), mix("system", 3, 0), mix("vector", 4, 100)]
    run = PlannerRun(planner="capacity-mix", generated_at="2026-12-01T00:00:00Z",
                     inputs_hash="sha256:x", recommendations=recs)  # fmt: skip
    plan = plan_apply(RecommendationsFile(stack="prod", runs=[run]), settings, recs,
                      applied_at="2026-12-01T00:00:00Z")  # fmt: skip
    why = {s.pool: (s.reason, s.detail) for s in plan.skipped}
    assert (
        why["inference"][0] == "not-applicable"
        and "raises capacity.committed" in (why["inference"][1])
    )
    assert why["system"] == ("not-applicable", "system is not interruptible (any more): no spot")
    assert why["vector"][0] == "nothing-to-change"
    assert plan.applied == [] and plan.edits == []
