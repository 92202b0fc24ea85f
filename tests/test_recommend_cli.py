"""`aeon recommend` end to end: csv telemetry in, table/JSON out, the saved recommendations file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aeon.cli import invoke
from optimizers.recommendation import load, recommendations_path
from optimizers.telemetry.frame import Series
from tests.rightsizing.fleet import Fleet, burst, noisy, write_csv

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("proj")
    shutil.copy(REPO / "Pulumi.yaml", root)
    shutil.copy(REPO / "Pulumi.dev.yaml", root)
    fleet = Fleet(days=3)
    for rid, phase in (("n1", 2), ("n2", 12)):
        shape = burst(5, 40, phase)
        fleet.add(rid, "dev-inference", "g6.xlarge", purchase="spot", cpu=5, mem_gib=6,
                  gpus=[{"busy": shape, "mem_gib": 6}])  # fmt: skip
    fleet.add("s1", "dev-system", "m7i.xlarge", cpu=noisy(10, 3, 2), mem_gib=3)
    fleet.add("s2", "dev-system", "m7i.xlarge", cpu=noisy(10, 3, 3), mem_gib=3, days=0.1)
    write_csv(fleet, root / "telemetry")
    return root, fleet


def args(root: Path, *extra: str) -> list[str]:
    return ["recommend", "--stack", "dev", "--source", "csv", "--input", str(root / "telemetry"),
            "--cwd", str(root), *extra]  # fmt: skip


def test_json_output_and_saved_file(project, capsys):
    root, fleet = project
    assert invoke(args(root, "--format", "json")) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert "catalog: moto" in captured.err
    for key in ("stack", "generated_at", "inputs_hash", "recommendations"):
        assert key in doc
    rec = doc["recommendations"][0]
    for key in ("id", "target", "targets", "pool", "region", "kind", "current", "proposed",
                "monthly_cost_before_usd", "monthly_cost_after_usd", "monthly_saving_usd", "risk",
                "confidence", "evidence"):  # fmt: skip
        assert key in rec
    assert set(rec["current"]) == {"instance_type", "count", "purchase"}
    assert set(rec["proposed"]) == {"instance_type", "count", "gpu_replicas"}
    covered = [t for r in doc["recommendations"] for t in r["targets"]]
    assert sorted(covered) == ["n1", "n2", "s1", "s2"]
    kinds = {r["kind"] for r in doc["recommendations"]}
    assert {"share", "downsize", "not-enough-data"} <= kinds
    saved = load(recommendations_path(root, "dev"))
    # The file keeps one entry per planner; stdout shows this run's.
    assert {"stack": saved.stack, **saved.run("rightsizing").model_dump(mode="json")} == doc
    # The window of a recording ends at its newest sample.
    newest = max(int(s.timestamps[-1]) for s in fleet.series.values())
    assert all(r["evidence"]["window_end"] == newest for r in doc["recommendations"])


def test_ids_and_inputs_hash_are_stable(project, capsys):
    root, _ = project
    invoke(args(root, "--format", "json"))
    first = json.loads(capsys.readouterr().out)
    invoke(args(root, "--format", "json"))
    second = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in first["recommendations"]] == [
        r["id"] for r in second["recommendations"]
    ]
    assert first["inputs_hash"] == second["inputs_hash"]
    invoke(args(root, "--format", "json", "--headroom", "30"))
    assert json.loads(capsys.readouterr().out)["inputs_hash"] != first["inputs_hash"]


def test_table_output(project, capsys):
    root, _ = project
    assert invoke(args(root)) == 0
    out = capsys.readouterr().out
    assert "share" in out and "[n1, n2]" in out and "total monthly saving" in out


def test_peer_modes_run(project, capsys):
    root, _ = project
    assert invoke(args(root, "--mode", "compute-optimizer", "--format", "json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mode"] == "compute-optimizer"
    assert all(r["kind"] != "share" for r in doc["recommendations"])
    assert invoke(args(root, "--mode", "krr", "--format", "json")) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lookback", "soon"], "bad duration"),
        (["--mode", "compute-optimizer", "--headroom", "25"], "headroom"),
    ],
)
def test_bad_options_are_user_errors(project, capsys, extra, message):
    root, _ = project
    path = recommendations_path(root, "dev")
    before = path.read_bytes() if path.exists() else None
    assert invoke(args(root, *extra)) == 2
    assert message in capsys.readouterr().err
    assert (path.read_bytes() if path.exists() else None) == before


def test_bad_input_changes_nothing(project, tmp_path, capsys):
    root, _ = project
    shutil.copy(root / "Pulumi.yaml", tmp_path)
    shutil.copy(root / "Pulumi.dev.yaml", tmp_path)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "inventory.csv").write_text("resource_id,pool\nx,y\n")
    code = invoke(["recommend", "--stack", "dev", "--source", "csv", "--input",
                   str(tmp_path / "bad"), "--cwd", str(tmp_path)])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.startswith("aeon: ")
    assert not (tmp_path / ".aeon").exists()


def test_unknown_stack_and_missing_input(project, capsys):
    root, _ = project
    assert invoke(["recommend", "--stack", "nope", "--source", "csv", "--input", "x",
                   "--cwd", str(root)]) == 2  # fmt: skip
    assert "stacks here: dev" in capsys.readouterr().err
    assert invoke(["recommend", "--stack", "dev", "--source", "csv", "--cwd", str(root)]) == 2
    assert "--input" in capsys.readouterr().err


def test_subprocess_stdout_is_only_json(project):
    root, _ = project
    aeon = Path(sys.executable).with_name("aeon")
    done = subprocess.run([str(aeon), *args(root, "--format", "json")], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stack"] == "dev"
    assert "wrote" in done.stderr


def test_cloudwatch_reads_each_region_of_the_stack(project, monkeypatch, capsys):
    import optimizers.telemetry as telemetry

    root, fleet = project
    calls = []
    shift = 0

    class FakeCloudWatch:
        def load(self, **kwargs):
            calls.append(kwargs)
            frame = fleet.frame()
            frame.source = "cloudwatch"
            frame.series = {
                k: Series(s.timestamps + shift, s.values) for k, s in frame.series.items()
            }
            return frame

    monkeypatch.setattr(telemetry, "get_source", lambda name: FakeCloudWatch())
    argv = ["recommend", "--stack", "dev", "--source", "cloudwatch", "--endpoint-url",
            "http://127.0.0.1:5000", "--lookback", "1d", "--cwd", str(root),
            "--format", "json"]  # fmt: skip
    # A live source's window ends now, long after this recording: nothing is in the window, and
    # a run that knows nothing is refused rather than saved over a better one.
    saved = recommendations_path(root, "dev")
    before = saved.read_bytes() if saved.exists() else None
    assert invoke(argv) == 2
    assert "no resource has enough data" in capsys.readouterr().err
    assert (saved.read_bytes() if saved.exists() else None) == before
    shift = int(time.time()) - fleet.frame().newest_timestamp()  # the same samples, ending now
    code = invoke(argv)
    assert code == 0, capsys.readouterr().err
    assert [c["region"] for c in calls] == ["us-east-1"] * 2  # Pulumi.dev.yaml's one region
    assert calls[0]["endpoint_url"] == "http://127.0.0.1:5000" and calls[0]["lookback_s"] == 86400
    doc = json.loads(capsys.readouterr().out)
    assert doc["source"] == "cloudwatch"
    assert {r["kind"] for r in doc["recommendations"]} - {"not-enough-data"}
