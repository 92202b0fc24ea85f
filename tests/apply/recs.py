"""Small recommendation sets for the apply and report tests, built from the shared model."""

from __future__ import annotations

import shutil
from pathlib import Path

from optimizers.recommendation import (
    PlannerRun,
    PoolUtilization,
    RecommendationsFile,
    Risk,
    SizingCurrent,
    SizingEvidence,
    SizingProposed,
    SizingRecommendation,
    recommendation_id,
    recommendations_path,
    save,
)

REPO = Path(__file__).resolve().parents[2]


def rec(
    pool: str,
    region: str,
    kind: str,
    cur: str,
    new: str | None,
    *,
    rid: str = "i-1",
    count: int = 1,
    new_count: int = 1,
    replicas: int | None = None,
    risk: str = "low",
    saving: float | None = 100.0,
) -> SizingRecommendation:
    proposed = SizingProposed(instance_type=new, count=new_count, gpu_replicas=replicas)
    targets = [f"{rid}-{k}" for k in range(count)] if count > 1 else [rid]
    return SizingRecommendation(
        id=recommendation_id(kind, targets, proposed),
        target=rid if count == 1 else pool,
        targets=targets,
        pool=pool,
        region=region,
        kind=kind,
        current=SizingCurrent(instance_type=cur, count=count, purchase="on-demand"),
        proposed=proposed,
        priced=saving is not None,
        monthly_cost_before_usd=None if saving is None else 500.0,
        monthly_cost_after_usd=None if saving is None else 500.0 - saving,
        monthly_saving_usd=saving,
        risk=Risk(level=risk),
        confidence=None if kind == "not-enough-data" else "medium",
        evidence=SizingEvidence(
            mode="ours",
            window_start=0,
            window_end=3600,
            lookback_s=3600,
            sample_count=200,
            span_s=3600,
            percentiles_used={"busy": "p95"},
            headroom_pct=15,
        ),
    )


def rightsizing_file(
    recs: list[SizingRecommendation],
    stack: str = "prod",
    utilization: list[PoolUtilization] | None = None,
) -> RecommendationsFile:
    """A saved file holding one right-sizing run of `recs`."""
    run = PlannerRun(
        planner="rightsizing",
        mode="ours",
        source="csv",
        generated_at="2026-11-28T12:00:00Z",
        inputs_hash="sha256:test",
        inputs={"telemetry": "csv", "catalog": "test"},
        recommendations=recs,
        utilization=utilization or [],
    )
    return RecommendationsFile(stack=stack, runs=[run])


def prod_set() -> RecommendationsFile:
    """One of each kind on prod's pools, plus one for a pool the stack does not have."""
    recs = [
        rec(
            "system",
            "us-east-1",
            "remove",
            "m7i.xlarge",
            None,
            rid="i-sys1",
            new_count=0,
            saving=140.0,
        ),
        rec(
            "system",
            "us-east-1",
            "downsize",
            "m7i.2xlarge",
            "m6i.xlarge",
            rid="i-sys2",
            saving=70.0,
        ),
        rec(
            "inference-shared",
            "us-east-1",
            "share",
            "g6.xlarge",
            "g6.xlarge",
            rid="i-sh",
            count=2,
            replicas=8,
            risk="medium",
            saving=587.0,
        ),
        rec(
            "inference",
            "us-east-1",
            "change-family",
            "g5.12xlarge",
            "g6e.12xlarge",
            rid="i-inf",
            risk="high",
            saving=900.0,
        ),
        rec("vector", "us-east-1", "keep", "r7i.2xlarge", "r7i.2xlarge", rid="i-vec", saving=0.0),
        rec(
            "edge-cache-euw1",
            "eu-west-1",
            "not-enough-data",
            "c7i.large",
            "c7i.large",
            rid="i-ec",
            saving=None,
        ),
        rec("ghost-pool", "us-east-1", "downsize", "m7i.2xlarge", "m7i.xlarge", rid="i-gh"),
    ]
    return rightsizing_file(recs)


def make_project(
    root: Path, stack: str = "prod", recset: RecommendationsFile | None = None
) -> Path:
    """A copy of the project's program and stack files, with a saved recommendation set."""
    for name in ("Pulumi.yaml", f"Pulumi.{stack}.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(
        REPO / "components", root / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "policies" / "config").mkdir(parents=True)
    shutil.copy(REPO / "policies" / "config" / f"{stack}.json", root / "policies" / "config")
    save(recset or prod_set(), recommendations_path(root, stack))
    return root
