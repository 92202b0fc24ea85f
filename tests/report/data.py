"""A saved recommendation set with utilization summaries, for the report tests."""

from __future__ import annotations

from pathlib import Path

from optimizers.recommendation import (
    PoolUtilization,
    RecommendationsFile,
    recommendations_path,
    save,
)
from tests.apply.recs import REPO, prod_set, rightsizing_file


def report_set() -> RecommendationsFile:
    util = [
        PoolUtilization(
            pool="system",
            region="us-east-1",
            metric="cpu_util_pct",
            bins=[40, 30, 10] + [0] * 17,
            samples=80,
            percentiles={"p50": 4.0, "p95": 12.0, "p99": 14.0},
            max=14.5,
            proposed_pct=29.0,
        ),
        PoolUtilization(
            pool="inference-shared",
            region="us-east-1",
            metric="gpu_util_pct",
            bins=[50] + [0] * 3 + [20] + [0] * 9 + [30] + [0] * 5,
            samples=100,
            percentiles={"p50": 0.0, "p95": 72.0, "p99": 74.0},
            max=75.0,
            proposed_pct=88.0,
        ),
    ]
    return rightsizing_file(prod_set().recommendations, utilization=util)


def make_report_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    (root / "Pulumi.prod.yaml").write_text((REPO / "Pulumi.prod.yaml").read_text())
    save(report_set(), recommendations_path(root, "prod"))
    return root
