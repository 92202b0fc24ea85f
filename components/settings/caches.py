"""Caches and vector store: the Qdrant store with its two cache levels, and ElastiCache caches."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.facts import limits
from components.settings.base import (
    DiskGb,
    ImageRef,
    KubernetesCron,
    MemoryGib,
    Model,
    Name,
    TtlSeconds,
    Vcpus,
)


class CacheLevel(Model):
    size_gb: DiskGb
    ttl_s: TtlSeconds


class VectorStore(Model):
    partitions: int = Field(ge=1, le=256)
    replication_factor: int = Field(ge=1, le=5)
    partition_size_gb: DiskGb
    index_schedule: KubernetesCron
    index_max_duration_h: float = Field(gt=0, le=2)
    l1_cache: CacheLevel
    l2_cache: CacheLevel
    image: ImageRef = "qdrant/qdrant:v1.12.4"
    namespace: Name = "inference"
    pool: Name | None = Field(default=None, description="node pool (by name) the store runs on")
    cpu_per_replica: Vcpus = 2
    memory_gib_per_replica: MemoryGib = Field(default=8, description="besides the L1 cache")
    volume_headroom_pct: int = Field(
        default=50, ge=0, le=400, description="data volume size above the partition size"
    )

    @model_validator(mode="after")
    def _fits(self) -> VectorStore:
        volume = self.partition_size_gb * (1 + self.volume_headroom_pct / 100)
        if volume > limits.MAX_EBS_GIB:
            raise ValueError(
                f"the data volume (partition_size_gb {self.partition_size_gb:g} + "
                f"{self.volume_headroom_pct}% headroom = {volume:,.0f} GB) exceeds the largest "
                f"EBS volume, {limits.MAX_EBS_GIB:,} GiB"
            )
        memory = self.memory_gib_per_replica + self.l1_cache.size_gb
        if memory > limits.MAX_INSTANCE_MEMORY_GIB:
            raise ValueError(
                f"memory_gib_per_replica + l1_cache.size_gb = {memory:,.0f} GiB exceeds the "
                f"largest instance's memory ({limits.MAX_INSTANCE_MEMORY_GIB:,} GiB)"
            )
        return self


class Cache(Model):
    size_gb: MemoryGib
    eviction: Literal["allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-ttl"]
    ttl_s: Annotated[int, Field(ge=1, le=limits.MAX_TTL_S)] | None = None
    node_type: str = Field(default="cache.r7g.large", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    replicas: int = Field(default=1, ge=0, le=5, description="read replicas besides the primary")
    engine_version: str = Field(default="7.1", pattern=r"^[1-9]\d?(\.\d{1,2}){0,2}$")
