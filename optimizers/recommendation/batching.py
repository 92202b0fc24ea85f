"""`batching`: the batching planner's dynamic-batcher settings and replicas for one served model
(`target`, the model name). For a vLLM model (continuous batching, Triton `max_batch_size: 0`)
only `max_num_seqs` and `replicas` are proposed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from optimizers.recommendation.common import Kind, Model, RecommendationBase


class BatchingConfig(Model):
    max_batch_size: int | None = Field(ge=0, description="Triton's; 0 for vLLM models")
    max_queue_delay_ms: float | None = Field(ge=0)
    preferred_batch_sizes: list[int] = Field(default_factory=list)
    replicas: int = Field(ge=1)
    max_num_seqs: int | None = Field(default=None, ge=1, description="vLLM's engine argument")


class BatchingState(Model):
    batching: BatchingConfig


class LatencyFigures(Model):
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_rps_per_replica: float | None = Field(
        description="the highest load one replica carries within the p95 target"
    )


class BatchingFigures(Model):
    load_rps: float = Field(ge=0)
    current: LatencyFigures
    proposed: LatencyFigures


class BatchingEvidence(Model):
    batching: BatchingFigures
    target_p95_ms: float = Field(gt=0)
    backend: Literal["triton", "vllm"]
    notes: list[str] = Field(default_factory=list)


class BatchingRecommendation(RecommendationBase):
    kind: Literal[Kind.BATCHING]
    current: BatchingState
    proposed: BatchingState
    evidence: BatchingEvidence

    def current_text(self) -> str:
        return _config(self.current.batching)

    def proposed_text(self) -> str:
        return _config(self.proposed.batching)


def _config(b: BatchingConfig) -> str:
    if b.max_num_seqs is not None:
        return f"max_num_seqs {b.max_num_seqs}, {b.replicas} replicas"
    return f"batch {b.max_batch_size}, delay {b.max_queue_delay_ms:g} ms, {b.replicas} replicas"
