"""`aeon recommend --demo`: moto server, seeded fleet, the cloudwatch source, under a minute."""

from __future__ import annotations

import json
import time

import numpy as np

from aeon.cli import invoke
from optimizers.demo import PHASES, PROD_FLEET, WINDOW_S, gpu_busy, series_count
from optimizers.recommendation import load, recommendations_path
from tests.apply.recs import make_project


def test_demo_fleet_is_small_and_built_from_the_measured_phases():
    # moto's GetMetricData cost (docs/moto.md#getmetricdata-cost-grows-with-the-window)
    assert series_count(PROD_FLEET) <= 50
    assert WINDOW_S <= 6 * 3600
    machine = next(m for m in PROD_FLEET if m.pool == "inference")
    busy = gpu_busy(machine, 240, np.random.default_rng(1))
    # every sample sits near one of the phases the machine mixes (noise sd 3)
    means = np.array([PHASES[p] for p in machine.phases])
    assert np.all(np.min(np.abs(busy[:, None] - means[None, :]), axis=1) < 15)
    assert (busy == 0).any() and (busy > 60).any()


def test_demo_end_to_end_then_apply_and_report(tmp_path, capsys):
    root = make_project(tmp_path)
    recommendations_path(root, "prod").unlink()
    started = time.perf_counter()
    code = invoke(
        ["recommend", "--stack", "prod", "--demo", "--format", "json", "--cwd", str(root)]
    )
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert elapsed < 60
    assert "demo: took" in captured.err
    doc = json.loads(captured.out)
    assert doc["source"] == "cloudwatch"
    kinds = {r["kind"] for r in doc["recommendations"]}
    assert len(doc["recommendations"]) >= 5 and kinds - {"keep", "not-enough-data"}
    # the idle system machine (P99.5 CPU under 1%) is removed, not moved to another family
    idle = [r for r in doc["recommendations"] if r["current"]["instance_type"] == "m7i.xlarge"]
    assert "remove" in {r["kind"] for r in idle}
    saved = load(recommendations_path(root, "prod"))
    assert saved.monthly_saving_usd > 0
    assert {u.pool for u in saved.utilization} >= {"inference", "inference-shared", "system"}
    # the demo's recommendations go through apply and report
    assert invoke(["apply", "--stack", "prod", "--max-risk", "medium", "--cwd", str(root)]) == 0
    assert invoke(["report", "--stack", "prod", "--format", "html", "--cwd", str(root)]) == 0
    assert "alt='utilization of inference'" in capsys.readouterr().out


def test_demo_refuses_a_stack_without_its_pools(tmp_path, capsys):
    root = make_project(tmp_path, "dev")
    assert invoke(["recommend", "--stack", "dev", "--demo", "--cwd", str(root)]) == 2
    assert "--stack prod" in capsys.readouterr().err
