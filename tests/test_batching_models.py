"""Each served model has its own batching and replica keys: the batching planner plans either
model of the stack (`--model`), and `aeon apply` writes the keys of the model a recommendation
names and no other's; what the components then render still parses with Triton's own proto."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from aeon.cli import invoke
from aeon.project import find_project
from aeon.settings_loader import load_settings
from components.triton_models import VLLM, repository_files
from optimizers.apply_config import plan_config_edits
from optimizers.recommendation import RecommendationsFile
from optimizers.recommendation.batching import BatchingRecommendation
from tests import rendered
from tests.apply.recs import make_project
from tests.batching_fixtures import TOKENS_128, curve_csv
from tests.helpers import REPO


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return make_project(root, recset=RecommendationsFile(stack="prod", runs=[]))


def _serving(root: Path) -> dict:
    return YAML(typ="safe").load((root / "Pulumi.prod.yaml").read_text())["config"][
        "aeon-infra:serving"
    ]


def _recommend(project: Path, tmp_path: Path, capsys, *extra: str) -> dict:
    curve = curve_csv(tmp_path / "curve.csv", TOKENS_128)
    argv = ["recommend", "--stack", "prod", "--planner", "batching", "--latency-curve",
            str(curve), "--arrival-rps", "3000", "--output", "json", "--cwd", str(project),
            *extra]  # fmt: skip
    assert invoke(argv) == 0
    (rec,) = json.loads(capsys.readouterr().out)["recommendations"]
    return rec


def _apply(project: Path, capsys) -> None:
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    capsys.readouterr()


def test_an_llm_recommendation_leaves_the_embedder_and_the_edge_as_they_were(
    project, tmp_path, capsys
):
    before = _serving(project)
    rec = _recommend(project, tmp_path, capsys)
    assert rec["target"] == "llm-7b" and rec["evidence"]["backend"] == "vllm"
    assert not any("embedder" in n for n in rec["risk"]["notes"] + rec["evidence"]["notes"])
    _apply(project, capsys)
    after = _serving(project)
    assert after["inference"]["max_num_seqs"] == rec["proposed"]["batching"]["max_num_seqs"]
    assert after["embedder"] == before["embedder"]
    assert after["edge_inference"] == before["edge_inference"]


def test_an_embedder_recommendation_writes_its_batcher_and_leaves_the_llm(
    project, tmp_path, capsys
):
    before = _serving(project)
    rec = _recommend(project, tmp_path, capsys, "--model", "embedder")
    assert rec["target"] == "embedder" and rec["evidence"]["backend"] == "triton"
    assert rec["pool"] == "inference-shared"  # its own pool, priced as a time-sliced GPU
    assert any("time-sliced 4 ways" in n for n in rec["evidence"]["notes"])
    proposed = rec["proposed"]["batching"]
    assert proposed["max_num_seqs"] is None and proposed["max_batch_size"] >= 1
    _apply(project, capsys)
    after = _serving(project)
    batching = after["embedder"]["batching"]
    assert batching["max_batch_size"] == proposed["max_batch_size"]
    assert batching["max_queue_delay_microseconds"] == round(proposed["max_queue_delay_ms"] * 1000)
    assert after["embedder"]["replicas"] == proposed["replicas"]
    # Its queue policy and priorities are the model's own, kept; the LLM's keys are untouched.
    for key in ("priority_levels", "max_queue_size", "queue_timeout_ms"):
        assert batching[key] == before["embedder"]["batching"][key]
    assert after["inference"] == before["inference"]
    assert after["edge_inference"] == before["edge_inference"]
    _rendered_configs_parse(project, tmp_path)


def _rendered_configs_parse(project: Path, tmp_path: Path) -> None:
    """What the components render for both primary models parses with Triton's proto."""
    serving = load_settings(find_project(project), "prod").serving
    assert serving is not None
    llm, embedder = serving.inference, serving.embedder
    files = {
        llm.model_name: repository_files(
            llm.model_name, VLLM, llm.max_num_seqs,
            tensor_parallelism=llm.tensor_parallelism, weights_dir="/models/w",
        ),
        embedder.name: repository_files(
            embedder.name, embedder.backend, embedder.batching,
            tensor_parallelism=1, weights_dir="/models/w",
        ),
    }  # fmt: skip
    verdicts = rendered.validate(
        tmp_path, {}, {name: f["config.pbtxt"] for name, f in files.items()}
    )["triton"]
    assert json.loads(files[llm.model_name]["1/model.json"])["max_num_seqs"] == llm.max_num_seqs
    parsed = verdicts[embedder.name]["parsed"]
    assert parsed["max_batch_size"] == embedder.batching.max_batch_size
    assert parsed["dynamic_batching"]["preferred_batch_size"] == embedder.batching.preferred
    assert "parsed" in verdicts[llm.model_name]


def test_a_stack_file_without_an_embedder_block_gets_one_written(project, tmp_path, capsys):
    path = project / "Pulumi.prod.yaml"
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("    embedder:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    path.write_text("".join(lines[:start] + lines[end:]))  # the embedder left to its defaults
    rec = _recommend(project, tmp_path, capsys, "--model", "embedder")
    _apply(project, capsys)
    batching = _serving(project)["embedder"]["batching"]
    assert batching["max_batch_size"] == rec["proposed"]["batching"]["max_batch_size"]
    once = path.read_text()
    _apply(project, capsys)  # applying twice changes nothing
    assert path.read_text() == once


def _rec(target: str, **batching) -> BatchingRecommendation:
    shape = {"max_batch_size": 8, "max_queue_delay_ms": 0.5, "replicas": 2, **batching}
    state = {"batching": shape}
    figures = {"p50_ms": 1, "p95_ms": 2, "p99_ms": 3, "max_rps_per_replica": 10}
    return BatchingRecommendation.model_validate({
        "id": "rec-1", "target": target, "targets": [target], "kind": "batching",
        "current": state, "proposed": state, "priced": False, "risk": {"level": "low"},
        "monthly_cost_before_usd": None, "monthly_cost_after_usd": None,
        "monthly_saving_usd": None,
        "confidence": "medium",
        "evidence": {"batching": {"load_rps": 1, "current": figures, "proposed": figures},
                     "target_p95_ms": 100, "backend": "triton"},
    })  # fmt: skip


def _prod_settings():
    return load_settings(find_project(REPO), "prod")


@pytest.mark.parametrize(
    ("rec", "written"),
    [
        (_rec("embedder"), {"/serving/embedder/batching/max_batch_size",
                            "/serving/embedder/batching/max_queue_delay_microseconds",
                            "/serving/embedder/replicas"}),
        (_rec("embedder", preferred_batch_sizes=[4, 8]),
         {"/serving/embedder/batching/max_batch_size",
          "/serving/embedder/batching/max_queue_delay_microseconds",
          "/serving/embedder/batching/preferred_batch_sizes", "/serving/embedder/replicas"}),
        (_rec("llm-7b", max_batch_size=0, max_queue_delay_ms=None, max_num_seqs=64, replicas=9),
         {"/serving/inference/max_num_seqs", "/serving/inference/replicas",
          "/serving/inference/max_replicas"}),
        (_rec("llm-7b"), set()),  # a Triton batcher for the vLLM model
        (_rec("embedder", max_batch_size=0, max_queue_delay_ms=None, max_num_seqs=64), set()),
        (_rec("llm-7b-distilled", max_batch_size=0, max_num_seqs=64), set()),  # the edge model
    ],
)  # fmt: skip
def test_apply_writes_the_keys_of_the_named_model_only(rec, written):
    skipped = []
    edits = plan_config_edits(rec, _prod_settings(), lambda r, why, d: skipped.append(why))
    assert {e.key for e in edits} == written
    assert bool(skipped) == (not written)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("llm-7b-distilled", "every edge region"),
        ("other", "llm-7b, embedder"),
    ],
)
def test_models_the_planner_cannot_plan_say_why(project, tmp_path, capsys, model, message):
    curve = curve_csv(tmp_path / "curve.csv", TOKENS_128)
    argv = ["recommend", "--stack", "prod", "--planner", "batching", "--latency-curve",
            str(curve), "--arrival-rps", "10", "--model", model, "--cwd", str(project)]  # fmt: skip
    assert invoke(argv) == 2
    assert message in capsys.readouterr().err


def test_a_revert_recorded_under_the_shared_key_goes_to_the_llms_own_key():
    from optimizers.recommendation.revert import RevertRecommendation

    old = ["serving", "inference", "batching", "max_batch_size"]
    rec = RevertRecommendation.model_validate({
        "id": "rec-2", "target": "llm-7b", "targets": ["llm-7b"], "kind": "revert",
        "current": {"values": [{"path": old, "value": 64}]},
        "proposed": {"reverts": "rec-1", "values": [{"path": old, "value": 16}]},
        "priced": False, "monthly_cost_before_usd": None, "monthly_cost_after_usd": None,
        "monthly_saving_usd": None, "risk": {"level": "low"}, "confidence": "medium",
        "evidence": {"verdict": "regressed", "applied_at": "2026-11-01T00:00:00Z",
                     "reasons": ["p95 over target"]},
    })  # fmt: skip
    (edit,) = plan_config_edits(rec, _prod_settings(), lambda *a: None)
    assert (edit.key, edit.before, edit.after) == ("/serving/inference/max_num_seqs", 32, 16)
