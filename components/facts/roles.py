"""What a pool is for: its role decides who scales it, whether it has GPUs, and its tags."""

from __future__ import annotations

from enum import StrEnum


class PoolRole(StrEnum):
    TRAINING = "training"
    INFERENCE = "inference"
    CPU = "cpu"
    PREPROCESSING = "preprocessing"
    EDGE_CACHE = "edge-cache"

    @property
    def runs_on_kubernetes(self) -> bool:
        """Node pools are scaled by the Cluster Autoscaler; the other fleets by ASG policies."""
        return self in (PoolRole.TRAINING, PoolRole.INFERENCE, PoolRole.CPU)

    @property
    def is_gpu(self) -> bool:
        return self in GPU_ROLES


GPU_ROLES = (PoolRole.TRAINING, PoolRole.INFERENCE)
