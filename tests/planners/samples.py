"""One recommendation of each kind the planners to come return, built from the shared model."""

from __future__ import annotations

from components.settings import CapacityMix
from optimizers.recommendation import RECOMMENDATION, Recommendation, Risk, recommendation_id
from optimizers.recommendation.batching import (
    BatchingConfig,
    BatchingEvidence,
    BatchingFigures,
    BatchingState,
    LatencyFigures,
)
from optimizers.recommendation.commitments import (
    CapacityMixEvidence,
    CapacityState,
    Commitment,
    CommitmentEvidence,
    CommitmentFigures,
    CommitmentOption,
    CommitmentUsage,
    CommitProposal,
    CostPoint,
    Diversification,
)
from optimizers.recommendation.common import DemandSummary
from optimizers.recommendation.lifecycle import (
    CurrentLifecycle,
    LifecycleEvidence,
    LifecyclePolicy,
    PredictedMonthly,
    ProposedLifecycle,
    StorageFigures,
    Transition,
)
from optimizers.recommendation.revert import (
    ConfigValue,
    RevertCurrent,
    RevertEvidence,
    RevertProposal,
)


def _money(before: float, after: float) -> dict:
    return {
        "priced": True,
        "monthly_cost_before_usd": before,
        "monthly_cost_after_usd": after,
        "monthly_saving_usd": round(before - after, 2),
        "risk": Risk(level="low"),
        "confidence": "high",
    }


def _rec(kind: str, target: str, current, proposed, evidence, **rest) -> Recommendation:
    return RECOMMENDATION.validate_python(
        {
            "id": recommendation_id(kind, [target], proposed),
            "kind": kind,
            "target": target,
            "targets": [target],
            "current": current,
            "proposed": proposed,
            "evidence": evidence,
            **rest,
        }
    )


def commit() -> Recommendation:
    chosen = Commitment(
        type="reserved-instance", instance_type="p5.48xlarge", region="us-east-1", term="1y",
        payment="no-upfront", units=2, usd_per_hour=2 * 38.5,
    )  # fmt: skip
    figures = CommitmentFigures(
        hours=720,
        demand=DemandSummary(min=1, mean=2.6, max=4),
        cost_usd_over_window=90_000.0,
        cost_without_commitment_usd=103_000.0,
        coverage=0.77,
        utilization=1.0,
        break_even_hours_per_month=511.0,
        options=[
            CommitmentOption(
                type="reserved-instance",
                term="1y",
                payment="no-upfront",
                units=2,
                cost_usd_over_window=90_000.0,
            )
        ],  # fmt: skip
        heuristic=CostPoint(units=3, cost_usd_over_window=91_000.0),
    )
    return _rec(
        "commit", "p5.48xlarge@us-east-1",
        CommitmentUsage(instance_type="p5.48xlarge", region="us-east-1", instance_hours=1872,
                        existing_covered_hours=0.0, on_demand_usd_per_hour=55.04),
        CommitProposal(commitment=chosen),
        CommitmentEvidence(commitment=figures, rates_source="price table estimate",
                           estimate=True),
        region="us-east-1", **_money(104_000.0, 91_500.0),
    )  # fmt: skip


def capacity_mix() -> Recommendation:
    before = CapacityMix(committed=0, on_demand_percentage_above_base=100)
    after = CapacityMix(committed=2, on_demand_percentage_above_base=30)
    return _rec(
        "capacity-mix", "inference",
        CapacityState(capacity=before), CapacityState(capacity=after),
        CapacityMixEvidence(hours=720, demand=DemandSummary(min=2, mean=3, max=6),
                            base_units=2, spot_share_pct=70,
                            diversification=Diversification(instance_types=10,
                                                            availability_zones=3)),
        pool="inference", region="us-east-1", **_money(5_000.0, 3_900.0),
    )  # fmt: skip


def lifecycle() -> Recommendation:
    now = LifecyclePolicy(transitions=[Transition(days=30, storage_class="STANDARD_IA")],
                          expiration_days=365)  # fmt: skip
    better = LifecyclePolicy(
        transitions=[Transition(days=30, storage_class="STANDARD_IA"),
                     Transition(days=90, storage_class="GLACIER_IR")],
        expiration_days=365,
    )  # fmt: skip
    figures = StorageFigures(
        objects=1_000_000, bytes=5 * 2**40,
        predicted_monthly_usd=PredictedMonthly(proposed=60.0, current=70.0,
                                               intelligent_tiering=66.0, framework_default=75.0),
    )  # fmt: skip
    return _rec(
        "lifecycle", "checkpoints", CurrentLifecycle(lifecycle=now),
        ProposedLifecycle(lifecycle=better), LifecycleEvidence(storage=figures),
        region="us-east-1", **_money(70.0, 60.0),
    )  # fmt: skip


def batching() -> Recommendation:
    cur = BatchingConfig(max_batch_size=32, max_queue_delay_ms=50, replicas=4)
    new = BatchingConfig(max_batch_size=16, max_queue_delay_ms=5, preferred_batch_sizes=[8, 16],
                         replicas=3)  # fmt: skip
    lat = LatencyFigures(p50_ms=20, p95_ms=60, p99_ms=80, max_rps_per_replica=300)
    return _rec(
        "batching", "llama-70b", BatchingState(batching=cur), BatchingState(batching=new),
        BatchingEvidence(batching=BatchingFigures(load_rps=800, current=lat, proposed=lat),
                         target_p95_ms=100, backend="triton"),
        **_money(40_000.0, 30_000.0),
    )  # fmt: skip


def revert() -> Recommendation:
    path = ["pools", "system", "instance_types"]
    return _rec(
        "revert", "rec-0123456789abcdef",
        RevertCurrent(values=[ConfigValue(path=path, value=["m6i.xlarge", "m7i.xlarge"])]),
        RevertProposal(reverts="rec-0123456789abcdef",
                       values=[ConfigValue(path=path, value=["m7i.xlarge", "m6i.xlarge"])]),
        RevertEvidence(verdict="regressed", applied_at="2026-11-28T12:00:00Z",
                       reasons=["CPU p99.5 112% of the new capacity"]),
        pool="system", region="us-east-1", **_money(100.0, 140.0),
    )  # fmt: skip


def every_new_kind() -> list[Recommendation]:
    return [commit(), capacity_mix(), lifecycle(), batching(), revert()]
