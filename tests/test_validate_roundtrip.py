"""The validation loop end to end on the CSV source: apply -> new telemetry -> validate ->
revert -> apply, through the CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ruamel.yaml import YAML

from aeon.cli import invoke
from aeon.project import find_project
from aeon.settings_loader import load_settings
from components.settings import AppliedRecommendation
from optimizers.recommendation import load, recommendations_path
from optimizers.telemetry.frame import TelemetryFrame
from optimizers.validate import judge
from tests.apply.recs import make_project, rec, rightsizing_file


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _pools(root: Path) -> dict[str, dict]:
    config = YAML(typ="safe").load((root / "Pulumi.prod.yaml").read_text())["config"]
    return {p["name"]: p for p in config["aeon-infra:pools"]}


def _applied(root: Path) -> list[dict]:
    config = YAML(typ="safe").load((root / "Pulumi.prod.yaml").read_text())["config"]
    return config["aeon-infra:recommendations"]["applied"]


def _telemetry(folder: Path, busy_new: float, start: int) -> Path:
    """The old m7i.2xlarge before the change, then the new m6i.xlarge at `busy_new` % CPU."""
    folder.mkdir()
    (folder / "inventory.csv").write_text(
        "resource_id,pool,region,instance_type,purchase\n"
        "i-old,system,us-east-1,m7i.2xlarge,on-demand\n"
        "i-new,system,us-east-1,m6i.xlarge,on-demand\n"
    )
    rows = ["timestamp,resource_id,gpu_index,metric,value"]
    rows += [f"{start + 60 * i},i-old,,cpu_util_pct,20" for i in range(120)]
    rows += [f"{start + 7200 + 60 * i},i-new,,cpu_util_pct,{busy_new}" for i in range(240)]
    (folder / "metrics.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_regressed_downsize_is_reverted_to_the_exact_previous_values(tmp_path, capsys):
    downsize = rec("system", "us-east-1", "downsize", "m7i.2xlarge", "m6i.xlarge", rid="i-old")
    project = make_project(_folder(tmp_path / "p"), recset=rightsizing_file([downsize]))
    system_types = _pools(project)["system"]["instance_types"]
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    assert _pools(project)["system"]["instance_types"][0] == "m6i.xlarge" != system_types[0]
    applied = _applied(project)
    assert applied[0]["baseline"]["headroom_pct"] == 15
    assert applied[0]["baseline"]["monthly_cost_after_usd"] == 400.0
    capsys.readouterr()

    telemetry = _telemetry(tmp_path / "t", busy_new=96.0, start=int(time.time()) - 6 * 3600)
    argv = ["validate", "--stack", "prod", "--source", "csv", "--input", str(telemetry)]
    assert invoke([*argv, "--output", "json", "--cwd", str(project)]) == 0
    doc = json.loads(capsys.readouterr().out)
    (verdict,) = doc["verdicts"]
    assert verdict["verdict"] == "regressed"
    assert "headroom" in verdict["reasons"][0]
    (revert,) = doc["reverts"]
    assert revert["proposed"]["values"] == [
        {"path": ["pools", "system", "instance_types"], "value": system_types}
    ]
    saved = load(recommendations_path(project, "prod"))
    assert {r.planner for r in saved.runs} == {"rightsizing", "validate"}

    assert invoke(["apply", "--stack", "prod", "--ids", revert["id"], "--cwd", str(project)]) == 0
    assert _pools(project)["system"]["instance_types"] == system_types
    assert [a["kind"] for a in _applied(project)] == ["downsize", "revert"]
    capsys.readouterr()
    # Validated again, the reverted change is not judged a second time.
    assert invoke([*argv, "--output", "json", "--cwd", str(project)]) == 0
    assert json.loads(capsys.readouterr().out)["verdicts"] == []


def test_a_downsize_within_headroom_that_saves_is_improved(tmp_path, capsys):
    downsize = rec("system", "us-east-1", "downsize", "m7i.2xlarge", "m6i.xlarge", rid="i-old")
    project = make_project(_folder(tmp_path / "p"), recset=rightsizing_file([downsize]))
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    telemetry = _telemetry(tmp_path / "t", busy_new=55.0, start=int(time.time()) - 6 * 3600)
    capsys.readouterr()
    argv = ["validate", "--stack", "prod", "--source", "csv", "--input", str(telemetry)]
    assert invoke([*argv, "--output", "json", "--cwd", str(project)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [v["verdict"] for v in doc["verdicts"]] == ["improved"]
    assert (
        doc["verdicts"][0]["after"]["pool_usd_per_month"]
        < doc["verdicts"][0]["before"]["pool_usd_per_month"]
    )
    assert doc["reverts"] == []


def test_a_change_that_does_not_show_yet_is_pending():
    entry = AppliedRecommendation(
        id="rec-1", pool="system", kind="downsize", applied_at="2026-11-30T00:00:00Z",
        changes={"instance_types": [["m7i.2xlarge"], ["m6i.xlarge"]]},
        baseline={"headroom_pct": 15},
    )  # fmt: skip
    settings = load_settings(find_project(Path(__file__).parents[1]), "prod")
    verdict = judge(entry, settings, TelemetryFrame(source="csv", resources={}, series={}))
    assert verdict.verdict == "pending"


def test_kinds_machine_telemetry_cannot_judge_say_where_to_look():
    settings = load_settings(find_project(Path(__file__).parents[1]), "prod")
    frame = TelemetryFrame(source="csv", resources={}, series={})
    for kind, where in (("capacity-mix", "billing export"), ("lifecycle", "newer inventory")):
        entry = AppliedRecommendation(
            id=f"rec-{kind}", pool="system", kind=kind, applied_at="2026-11-30T00:00:00Z",
            changes={"spot_pct": [0, 50]}, baseline={},
        )  # fmt: skip
        verdict = judge(entry, settings, frame)
        assert verdict.verdict == "pending" and where in verdict.reasons[0]
