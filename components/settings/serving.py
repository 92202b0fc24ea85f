"""Serving: Triton in the primary region and at the edge, with its caches and vector store."""

from __future__ import annotations

from pydantic import Field, model_validator

from components.facts import limits
from components.settings.base import (
    ImageRef,
    MemoryGib,
    Model,
    ModelName,
    Name,
    Replicas,
    Vcpus,
)
from components.settings.caches import Cache, VectorStore


class DynamicBatching(Model):
    max_batch_size: int = Field(ge=1, le=1024)
    max_queue_delay_microseconds: int = Field(ge=0, le=limits.MAX_REQUEST_S * 1_000_000)
    priority_levels: int = Field(ge=1, le=10)
    max_queue_size: int = Field(ge=1, le=10_000_000)
    queue_timeout_ms: int = Field(ge=1, le=limits.MAX_REQUEST_S * 1000)


def check_replicas(replicas: int, max_replicas: int) -> None:
    if replicas > max_replicas:
        raise ValueError(f"replicas {replicas} must be <= max_replicas {max_replicas}")


class Inference(Model):
    pool: Name
    model_name: ModelName
    image: ImageRef
    replicas: Replicas
    max_replicas: Replicas
    tensor_parallelism: int = Field(ge=1, le=8)
    batching: DynamicBatching
    namespace: Name = "inference"
    hpa_target_cpu_pct: int = Field(default=70, ge=1, le=100)
    node_port: int = Field(
        default=30800, ge=30000, le=32767, description="HTTP port the load balancer targets"
    )
    cpu_per_replica: Vcpus = 8
    memory_gib_per_replica: MemoryGib = 64

    @model_validator(mode="after")
    def _ordered(self) -> Inference:
        check_replicas(self.replicas, self.max_replicas)
        return self


class EdgeInference(Model):
    """Triton in each edge region, on that region's inference pool (single-GPU pods)."""

    model_name: ModelName
    replicas: Replicas
    max_replicas: Replicas
    namespace: Name = "edge-inference"
    cpu_per_replica: Vcpus = 3
    memory_gib_per_replica: MemoryGib = 12

    @model_validator(mode="after")
    def _ordered(self) -> EdgeInference:
        check_replicas(self.replicas, self.max_replicas)
        return self


class Serving(Model):
    inference: Inference
    edge_inference: EdgeInference | None = None
    vector_store: VectorStore
    embedding_cache: Cache
    result_cache: Cache
