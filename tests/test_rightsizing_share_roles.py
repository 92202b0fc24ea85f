"""Sharing on pools the stack does not declare: the fleet's role decides, the default latency target
applies, unmeasured host CPU does not block it; with no role, what sharing would save is shown."""

from __future__ import annotations

import pytest

from aeon.output.report_data import build, role_unknown_line
from optimizers.recommendation import Kind, PlannerRun, RecommendationsFile
from tests.rightsizing.fleet import Fleet, burst, run, settings


def _fleet(role: str | None, cpu: float | None = None, mem: float | None = 60) -> Fleet:
    fleet = Fleet(days=2, step=60)
    for rid, phase in (("a", 2.0), ("b", 14.0)):
        shape = burst(5, 35, phase)
        fleet.add(rid, "genai", "p5.4xlarge", cpu=cpu, mem_gib=mem, role=role,
                  gpus=[{"busy": shape, "mem_gib": 25}])  # fmt: skip
    return fleet


def test_an_undeclared_inference_pool_shares_without_cpu_data():
    recs = run(_fleet("inference"), settings(), lookback_s=2 * 86_400)
    assert len(recs) == 1
    rec = recs[0]
    assert rec.kind is Kind.SHARE and rec.targets == ["a", "b"] and rec.target == "genai"
    notes = " ".join(rec.evidence.notes)
    assert "host CPU of 2 member(s) not measured" in notes
    assert "target 100 ms (recommendations.default_latency_target_ms" in notes
    assert "not in the stack" in notes
    assert rec.risk.level == "high"  # share is medium; unmeasured CPU raises it one level
    assert rec.monthly_saving_usd == pytest.approx(rec.monthly_cost_before_usd / 2, abs=0.02)
    # measured CPU is checked as before, and the risk stays at the kind's
    measured = run(_fleet("inference", cpu=10), settings(), lookback_s=2 * 86_400)[0]
    assert measured.kind is Kind.SHARE and measured.risk.level == "medium"
    too_busy = run(_fleet("inference", cpu=45), settings(), lookback_s=2 * 86_400)
    assert all(r.kind is not Kind.SHARE for r in too_busy)  # 2 x 45% x 1.2 of 16 vCPUs


def test_unmeasured_host_memory_does_not_block_share():
    # It once counted as the whole host's 256 GiB each, so no two members ever fit.
    rec = run(_fleet("inference", cpu=10, mem=None), settings(), lookback_s=2 * 86_400)
    assert [r.kind for r in rec] == [Kind.SHARE] and rec[0].targets == ["a", "b"]
    notes = " ".join(rec[0].evidence.notes)
    assert "host memory of 2 member(s) not measured" in notes
    assert "host CPU" not in notes  # CPU was measured
    assert rec[0].risk.level == "high"  # share is medium; unmeasured memory raises it one level
    assert any("host memory not measured" in n for n in rec[0].risk.notes)
    # measured host memory is checked as before: 2 x 150 GiB do not fit 256 GiB
    measured = run(_fleet("inference", cpu=10, mem=150), settings(), lookback_s=2 * 86_400)
    assert all(r.kind is not Kind.SHARE for r in measured)


def test_the_latency_target_flag_and_setting_apply_to_undeclared_pools():
    # a 2 ms request served by two time-sliced members takes 4 ms: beyond a 3 ms target
    fleet = _fleet("inference")
    kw = {"lookback_s": 2 * 86_400, "service_time_ms": 2}
    assert run(fleet, settings(), **kw)[0].kind is Kind.SHARE
    tight = run(fleet, settings(), latency_target_ms=3, **kw)
    assert all(r.kind is not Kind.SHARE for r in tight)
    stack = settings()
    stack = stack.model_copy(
        update={
            "recommendations": stack.recommendations.model_copy(
                update={"default_latency_target_ms": 3}
            )
        }
    )
    assert all(r.kind is not Kind.SHARE for r in run(fleet, stack, **kw))


@pytest.mark.parametrize("role", ["training", "cpu"])
def test_other_roles_never_share(role):
    recs = run(_fleet(role), settings(), lookback_s=2 * 86_400)
    assert all(r.kind is not Kind.SHARE for r in recs)
    assert all("role unknown" not in " ".join(r.evidence.notes) for r in recs)


def test_role_unknown_says_so_and_report_totals_what_share_would_save():
    recs = run(_fleet(None), settings(), lookback_s=2 * 86_400)
    assert {r.kind for r in recs} == {Kind.KEEP}
    for rec in recs:
        assert any(n.startswith("role unknown: share not considered") for n in rec.evidence.notes)
    missed = sum(r.evidence.share_if_inference_usd for r in recs)
    shared = run(_fleet("inference"), settings(), lookback_s=2 * 86_400)[0]
    assert missed == pytest.approx(shared.monthly_saving_usd, abs=0.02)
    run_ = PlannerRun(
        planner="rightsizing", generated_at="2026-11-01T00:00:00Z", inputs_hash="sha256:0",
        recommendations=recs,
    )  # fmt: skip
    totals = build(RecommendationsFile(stack="prod", runs=[run_])).totals
    assert totals.role_unknown_pools == ["genai"]
    assert totals.share_if_roles_known_usd == pytest.approx(missed, abs=0.02)
    assert "genai" in role_unknown_line(totals)


def test_a_declared_pool_keeps_its_own_role_over_the_fleets():
    from tests.rightsizing.fleet import pool

    stack = settings(pool("genai", ["p5.4xlarge"], role="training"))
    recs = run(_fleet("inference"), stack, lookback_s=2 * 86_400)
    assert all(r.kind is not Kind.SHARE for r in recs)
