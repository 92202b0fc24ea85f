"""`aeon recommend --planner storage|batching` and `aeon apply` of their recommendations, end to
end through the CLI on a copy of the project."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from aeon.cli import invoke
from tests.apply.recs import make_project
from tests.batching_fixtures import TOKENS_128, curve_csv
from tests.storage_fixtures import TAKEN, log_line, write_inventory

DAY = dt.timedelta(days=1)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    from optimizers.recommendation import RecommendationsFile

    return make_project(root, recset=RecommendationsFile(stack="prod", runs=[]))


@pytest.fixture
def bucket(tmp_path: Path) -> tuple[Path, Path]:
    """400 days of 10 MB objects read only in their first week, 30 days of logs."""
    rng = random.Random(3)
    objects, lines = [], []
    for i in range(3000):
        made = TAKEN - dt.timedelta(days=rng.uniform(0, 400))
        objects.append((f"d/{i}", 10_000_000, made, "STANDARD"))
        read = made + dt.timedelta(days=rng.uniform(0, 7))
        if TAKEN - 30 * DAY <= read <= TAKEN:
            lines.append(log_line(f"d/{i}", read, sent=10_000_000))
    lines.append(log_line("d/0", TAKEN - 30 * DAY, op="REST.PUT.OBJECT"))
    manifest = write_inventory(tmp_path, objects)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "2026-11-01-00-00-00-0123456789ABCDEF").write_text("\n".join(lines) + "\n")
    return manifest, logs


def _config(root: Path) -> dict:
    return YAML(typ="safe").load((root / "Pulumi.prod.yaml").read_text())["config"]


def test_storage_recommendation_for_a_stack_bucket_applies_to_its_tier_keys(
    project, bucket, capsys
):
    manifest, logs = bucket
    argv = ["recommend", "--stack", "prod", "--planner", "storage", "--bucket", "datasets",
            "--s3-inventory", str(manifest), "--access-logs", str(logs), "--output", "json",
            "--cwd", str(project)]  # fmt: skip
    assert invoke(argv) == 0
    (rec,) = json.loads(capsys.readouterr().out)["recommendations"]
    assert rec["kind"] == "lifecycle" and rec["target"] == "datasets"
    assert rec["current"]["lifecycle"]["expiration_days"] == 402  # the stack's retention
    assert rec["proposed"]["lifecycle"]["expiration_days"] == 402
    costs = rec["evidence"]["storage"]["predicted_monthly_usd"]
    assert costs["proposed"] <= min(costs["current"], costs["intelligent_tiering"])
    assert rec["monthly_saving_usd"] > 0
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    datasets = next(
        b for b in _config(project)["aeon-infra:storage"]["buckets"] if b["name"] == "datasets"
    )
    tiers = datasets["lifecycle"]["tiers"]
    assert tiers[0] == {"storage_class": "STANDARD", "after_days": 0}
    assert [t["storage_class"] for t in tiers[1:]] == [
        t["storage_class"] for t in rec["proposed"]["lifecycle"]["transitions"]
    ]
    assert datasets["lifecycle"]["expire_after_days"] == 402
    applied = _config(project)["aeon-infra:recommendations"]["applied"]
    assert applied[0]["kind"] == "lifecycle" and applied[0]["baseline"]["predicted_monthly_usd"]
    # Applying again changes nothing.
    before = (project / "Pulumi.prod.yaml").read_text()
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    assert (project / "Pulumi.prod.yaml").read_text() == before


def test_a_bucket_outside_the_stack_needs_its_region_and_is_unpriced_where_no_prices(
    project, bucket, capsys
):
    manifest, logs = bucket
    base = ["recommend", "--stack", "prod", "--planner", "storage", "--s3-inventory",
            str(manifest), "--access-logs", str(logs), "--cwd", str(project)]  # fmt: skip
    assert invoke(base) == 2
    assert "--bucket-region" in capsys.readouterr().err
    assert invoke([*base, "--bucket-region", "sa-east-1", "--output", "json"]) == 0
    (rec,) = json.loads(capsys.readouterr().out)["recommendations"]
    assert rec["priced"] is False and rec["monthly_saving_usd"] is None
    assert rec["current"]["inferred"] is True
    assert any("unpriced" in n for n in rec["evidence"]["notes"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "--access-logs"),
        (["--access-logs", "/nonexistent/logs"], "no such directory"),
    ],
)
def test_storage_user_errors_exit_2_with_one_line(project, bucket, capsys, extra, message):
    manifest, _ = bucket
    argv = ["recommend", "--stack", "prod", "--planner", "storage", "--bucket", "datasets",
            "--s3-inventory", str(manifest), *extra, "--cwd", str(project)]  # fmt: skip
    assert invoke(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1]


def test_batching_recommendation_for_the_stacks_vllm_model_applies_max_num_seqs(
    project, tmp_path, capsys
):
    curve = curve_csv(tmp_path / "curve.csv", TOKENS_128)
    argv = ["recommend", "--stack", "prod", "--planner", "batching", "--latency-curve",
            str(curve), "--arrival-rps", "5000", "--output", "json",
            "--cwd", str(project)]  # fmt: skip
    assert invoke(argv) == 0
    (rec,) = json.loads(capsys.readouterr().out)["recommendations"]
    assert rec["kind"] == "batching" and rec["evidence"]["backend"] == "vllm"
    proposed = rec["proposed"]["batching"]
    assert proposed["max_batch_size"] == 0 and proposed["max_num_seqs"] >= 1
    assert rec["evidence"]["batching"]["proposed"]["p95_ms"] <= rec["evidence"]["target_p95_ms"]
    assert not any("embedder" in note for note in rec["risk"]["notes"])
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    inference = _config(project)["aeon-infra:serving"]["inference"]
    assert inference["max_num_seqs"] == proposed["max_num_seqs"]
    assert inference["replicas"] == proposed["replicas"] <= inference["max_replicas"]


def test_batching_needs_a_load_and_a_known_model(project, tmp_path, capsys):
    curve = curve_csv(tmp_path / "curve.csv", TOKENS_128)
    base = ["recommend", "--stack", "prod", "--planner", "batching", "--latency-curve",
            str(curve), "--cwd", str(project)]  # fmt: skip
    assert invoke(base) == 2
    assert "--arrival-rps" in capsys.readouterr().err
    assert invoke([*base, "--arrival-rps", "10", "--model", "other"]) == 2
    assert "--max-batch-size" in capsys.readouterr().err


def test_batching_reads_the_models_load_from_prometheus(project, tmp_path, capsys):
    from optimizers.batching.request_rate import RATE_QUERY
    from tests.telemetry.fake_prometheus import FakePrometheus

    # The LLM: 1,000 req/s, 5,000 in the busiest 10% of minutes; the embedder elsewhere.
    data = {
        RATE_QUERY: [
            ({"model": "llm-7b"}, lambda t: 5000.0 if (t // 60) % 10 == 0 else 1000.0),
            ({"model": "embedder"}, lambda t: 40.0),
        ]
    }
    curve = curve_csv(tmp_path / "curve.csv", TOKENS_128)
    base = ["recommend", "--stack", "prod", "--planner", "batching", "--latency-curve",
            str(curve), "--output", "json", "--cwd", str(project)]  # fmt: skip
    with FakePrometheus(data) as prom:
        assert invoke([*base, "--request-rate-url", prom.url, "--lookback", "1d"]) == 0
        days = {int(r["end"]) - int(r["start"]) for r in prom.requests}
    (rec,) = json.loads(capsys.readouterr().out)["recommendations"]
    assert rec["evidence"]["batching"]["load_rps"] == pytest.approx(5000.0)  # the p95 minute
    assert max(days) <= 86_400
    with FakePrometheus(data) as prom:
        assert invoke([*base, "--request-rate-url", prom.url, "--model", "other"]) == 2
    with FakePrometheus({}) as prom:
        assert invoke([*base, "--request-rate-url", prom.url]) == 2
    assert "are the Triton servers scraped" in capsys.readouterr().err
