"""`aeon policy` end to end: plans, exit codes, sync-config, and the offline --stack path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aeon.cli import invoke
from tests.policy.cases import fault_plan

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "tests" / "policy" / "plans"


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_fault_plan_exits_1_with_parseable_json(tmp_path, capsys):
    plan = tmp_path / "fault-ia-7-days.json"
    plan.write_text(json.dumps(fault_plan("fault-ia-7-days")))
    code = invoke(
        [
            "policy",
            "--plan",
            str(plan),
            "--format",
            "json",
            "--cwd",
            str(ROOT),
        ]
    )
    data = _json(capsys)
    assert code == 1
    found = [v for v in data["violations"] if v["policy"] == "s3-lifecycle-transitions-valid"]
    assert (
        found
        and "STANDARD_IA after 7 days" in found[0]["message"]
        and found[0]["enforcement"] == "mandatory"
    )
    assert data["summary"]["mandatory"] == len(
        [v for v in data["violations"] if v["enforcement"] == "mandatory"]
    )


def test_clean_plan_exits_0(capsys):
    code = invoke(
        ["policy", "--plan", str(PLANS / "clean.json"), "--output", "json", "--cwd", str(ROOT)]
    )
    data = _json(capsys)
    assert code == 0
    assert data["violations"] == [] and data["summary"]["resources_checked"] > 20


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "exactly one of --stack STACK or --plan"),
        (["--plan", "missing.json"], "plan file missing.json does not exist"),
        (["--plan", str(PLANS / "clean.json"), "--format", "xml"], "unknown format 'xml'"),
        (["--stack", "nope"], "no stack named 'nope'"),
    ],
)
def test_user_errors_exit_2(capsys, args, needle):
    assert invoke(["policy", *args, "--cwd", str(ROOT)]) == 2
    assert needle in capsys.readouterr().err


def test_a_plan_that_is_not_a_preview_is_a_user_error(tmp_path, capsys):
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps({"resources": []}))
    assert invoke(["policy", "--plan", str(bad), "--cwd", str(ROOT)]) == 2
    assert "no `steps` list" in capsys.readouterr().err


@pytest.fixture()
def project_copy(tmp_path):
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "policies" / "config").mkdir(parents=True)
    return tmp_path


def test_sync_config_writes_offerings_and_keeps_other_keys(project_copy, capsys):
    path = project_copy / "policies" / "config" / "dev.json"
    kept = {
        "recommendation-enforced": {
            "pools": {
                "dev-system": {
                    "allowed_instance_types": ["m7i.large"],
                    "max_size": 2,
                    "generated_at": "2026-11-20",
                    "source": "rightsizing",
                }
            }
        },
        "asg-spot-diversified": {"enforcementLevel": "mandatory", "primary_region": "stale"},
    }
    path.write_text(json.dumps(kept))
    assert invoke(["policy", "sync-config", "--stack", "dev", "--cwd", str(project_copy)]) == 0
    data = json.loads(path.read_text())
    assert data["recommendation-enforced"] == kept["recommendation-enforced"]
    spot = data["asg-spot-diversified"]
    assert spot["enforcementLevel"] == "mandatory" and spot["primary_region"] == "us-east-1"
    gpus = spot["region_offerings"]["us-east-1"]["gpu"]
    # moto's real DescribeInstanceTypes data: p5.48xlarge has 8 NVIDIA H100 80 GB.
    assert gpus["p5.48xlarge"] == [8, 80, "NVIDIA", "x86_64"] and "m7i.large" not in gpus
    assert spot["region_offerings"]["us-east-1"]["other_types"] > 500
    pools = data["on-demand-base-within-commitment"]["pools"]
    assert pools == {
        "dev-system": {"committed": 0, "role": "cpu"},
        "dev-system-4c": {"committed": 0, "role": "cpu"},
        "dev-inference": {"committed": 0, "role": "inference"},
        "dev-inference-8c": {"committed": 0, "role": "inference"},
    }
    assert data["regions-allowed"]["allowed_regions"] == ["us-east-1"]
    assert "wrote policies/config/dev.json" in capsys.readouterr().err


def test_sync_config_on_a_bad_stack_changes_nothing(project_copy, capsys):
    stack = project_copy / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("role: primary", "role: central"))
    path = project_copy / "policies" / "config" / "dev.json"
    path.write_text("{}\n")
    assert invoke(["policy", "sync-config", "--stack", "dev", "--cwd", str(project_copy)]) == 2
    assert "aeon-infra:regions" in capsys.readouterr().err
    assert path.read_text() == "{}\n"


def test_stack_runs_the_program_offline():
    """`aeon policy --stack` runs the real program through the offline engine, in a new process."""
    proc = subprocess.run(
        [sys.executable, "-m", "aeon.cli", "policy", "--stack", "dev", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["summary"]["resources_checked"] > 0
    assert data["summary"]["mandatory"] == 0
