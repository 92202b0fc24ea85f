"""Caches and vector store: the Qdrant store with its two cache levels, and ElastiCache caches."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.settings.base import CRON, Model, Name


class CacheLevel(Model):
    size_gb: float = Field(gt=0)
    ttl_s: int = Field(ge=0)


class VectorStore(Model):
    partitions: int = Field(ge=1, le=256)
    replication_factor: int = Field(ge=1, le=5)
    partition_size_gb: float = Field(gt=0)
    index_schedule: str = Field(pattern=CRON.pattern)
    index_max_duration_h: float = Field(gt=0, le=2)
    l1_cache: CacheLevel
    l2_cache: CacheLevel
    image: str = "qdrant/qdrant:v1.12.4"
    namespace: Name = "inference"
    pool: Name | None = Field(default=None, description="node pool (by name) the store runs on")
    cpu_per_replica: float = Field(default=2, gt=0)
    memory_gib_per_replica: float = Field(default=8, gt=0, description="besides the L1 cache")
    volume_headroom_pct: int = Field(
        default=50, ge=0, le=400, description="data volume size above the partition size"
    )


class Cache(Model):
    size_gb: float = Field(gt=0)
    eviction: Literal["allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-ttl"]
    ttl_s: int | None = Field(default=None, ge=1)
    node_type: str = Field(default="cache.r7g.large", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    replicas: int = Field(default=1, ge=0, le=5, description="read replicas besides the primary")
    engine_version: str = "7.1"
