"""Serving: Triton in the primary region and at the edge, with its caches and vector store."""

from __future__ import annotations

from pydantic import Field, model_validator

from components.settings.base import Model, Name
from components.settings.caches import Cache, VectorStore


class DynamicBatching(Model):
    max_batch_size: int = Field(ge=1, le=1024)
    max_queue_delay_microseconds: int = Field(ge=0)
    priority_levels: int = Field(ge=1, le=10)
    max_queue_size: int = Field(ge=1)
    queue_timeout_ms: int = Field(ge=1)


def check_replicas(replicas: int, max_replicas: int) -> None:
    if replicas > max_replicas:
        raise ValueError(f"replicas {replicas} must be <= max_replicas {max_replicas}")


class Inference(Model):
    pool: Name
    model_name: str
    image: str
    replicas: int = Field(ge=1)
    max_replicas: int = Field(ge=1)
    tensor_parallelism: int = Field(ge=1, le=8)
    batching: DynamicBatching
    namespace: Name = "inference"
    hpa_target_cpu_pct: int = Field(default=70, ge=1, le=100)
    node_port: int = Field(
        default=30800, ge=30000, le=32767, description="HTTP port the load balancer targets"
    )
    cpu_per_replica: float = Field(default=8, gt=0)
    memory_gib_per_replica: float = Field(default=64, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Inference:
        check_replicas(self.replicas, self.max_replicas)
        return self


class EdgeInference(Model):
    """Triton in each edge region, on that region's inference pool (single-GPU pods)."""

    model_name: str
    replicas: int = Field(ge=1)
    max_replicas: int = Field(ge=1)
    namespace: Name = "edge-inference"
    cpu_per_replica: float = Field(default=3, gt=0)
    memory_gib_per_replica: float = Field(default=12, gt=0)

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
