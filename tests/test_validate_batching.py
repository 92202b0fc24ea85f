"""`aeon validate` of an applied batching change: judged by the request latency the model's pool
reports against the p95 target it was planned for; a miss is reverted to the exact previous keys."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from aeon.cli import invoke
from optimizers.recommendation import RecommendationsFile
from tests.apply.recs import make_project
from tests.batching_fixtures import TOKENS_128, curve_csv

HOUR = 3600


def _inference(root: Path) -> dict:
    config = YAML(typ="safe").load((root / "Pulumi.prod.yaml").read_text())["config"]
    return config["aeon-infra:serving"]["inference"]


@pytest.fixture
def applied(tmp_path: Path, capsys) -> tuple[Path, dict, dict]:
    """The project after `apply` of a batching recommendation for the LLM: (project, the
    recommendation, the serving keys before)."""
    root = tmp_path / "project"
    root.mkdir()
    make_project(root, recset=RecommendationsFile(stack="prod", runs=[]))
    before = _inference(root)
    curve = curve_csv(tmp_path / "curve.csv", TOKENS_128)
    assert invoke(["recommend", "--stack", "prod", "--planner", "batching", "--latency-curve",
                   str(curve), "--arrival-rps", "5000", "--output", "json",
                   "--cwd", str(root)]) == 0  # fmt: skip
    (rec,) = json.loads(capsys.readouterr().out)["recommendations"]
    assert invoke(["apply", "--stack", "prod", "--cwd", str(root)]) == 0
    assert _inference(root) != before
    capsys.readouterr()
    return root, rec, before


def _telemetry(folder: Path, metric: str, value: float, start: int) -> Path:
    """Two machines of the LLM's pool reporting `metric` every minute for four hours."""
    folder.mkdir()
    (folder / "inventory.csv").write_text(
        "resource_id,pool,region,instance_type,purchase\n"
        "i-a,inference,us-east-1,g6e.12xlarge,on-demand\n"
        "i-b,inference,us-east-1,g6e.12xlarge,on-demand\n"
    )
    rows = ["timestamp,resource_id,gpu_index,metric,value"]
    rows += [f"{start + 60 * i},{r},,{metric},{value}" for r in ("i-a", "i-b") for i in range(240)]
    (folder / "metrics.csv").write_text("\n".join(rows) + "\n")
    return folder


def _validate(root: Path, telemetry: Path, since: int, capsys) -> dict:
    when = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert invoke(["validate", "--stack", "prod", "--source", "csv", "--input", str(telemetry),
                   "--since", when, "--output", "json", "--cwd", str(root)]) == 0  # fmt: skip
    return json.loads(capsys.readouterr().out)


def test_latency_beyond_the_target_regresses_and_the_revert_restores_the_keys(
    applied, tmp_path, capsys
):
    root, rec, before = applied
    target = rec["evidence"]["target_p95_ms"]
    start = int(time.time()) - 5 * HOUR
    telemetry = _telemetry(tmp_path / "t", "request_latency_ms", 2.5 * target, start)
    doc = _validate(root, telemetry, start, capsys)
    (verdict,) = doc["verdicts"]
    assert (verdict["kind"], verdict["verdict"]) == ("batching", "regressed")
    assert "misses its target" in verdict["reasons"][0]
    assert verdict["after"]["request_latency_ms_p95"] == 2.5 * target
    assert verdict["before"]["target_p95_ms"] == target
    (revert,) = doc["reverts"]
    assert invoke(["apply", "--stack", "prod", "--ids", revert["id"], "--cwd", str(root)]) == 0
    assert _inference(root) == before


@pytest.mark.parametrize(("share", "expected"), [(0.5, "improved"), (1.0, "no-change")])
def test_latency_within_the_target_is_kept(applied, tmp_path, capsys, share, expected):
    # The plan keeps the cost (same replicas): faster than predicted before is the improvement.
    root, rec, _ = applied
    assert rec["monthly_saving_usd"] == 0.0
    predicted = rec["evidence"]["batching"]["current"]["p95_ms"]
    assert predicted < rec["evidence"]["target_p95_ms"]
    start = int(time.time()) - 5 * HOUR
    telemetry = _telemetry(tmp_path / "t", "request_latency_ms", share * predicted, start)
    doc = _validate(root, telemetry, start, capsys)
    assert [v["verdict"] for v in doc["verdicts"]] == [expected]
    assert doc["reverts"] == []


def test_without_request_latency_the_change_is_pending(applied, tmp_path, capsys):
    root, _, _ = applied
    start = int(time.time()) - 5 * HOUR
    telemetry = _telemetry(tmp_path / "t", "cpu_util_pct", 99.0, start)
    (verdict,) = _validate(root, telemetry, start, capsys)["verdicts"]
    assert verdict["verdict"] == "pending"
    assert "no request_latency_ms samples from pool inference" in verdict["reasons"][0]
