"""The one in-memory shape every telemetry source produces and every optimizer reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Purchase(StrEnum):
    ON_DEMAND = "on-demand"
    SPOT = "spot"
    COMMITTED = "committed"  # reserved instances or savings plans


class Metric(StrEnum):
    CPU_UTIL_PCT = "cpu_util_pct"
    MEM_USED_BYTES = "mem_used_bytes"
    GPU_UTIL_PCT = "gpu_util_pct"  # the NVML counter: share of time any kernel ran
    GPU_MEM_USED_BYTES = "gpu_mem_used_bytes"
    GPU_SM_UTIL_PCT = "gpu_sm_util_pct"  # GPM (Hopper+)
    GPU_SM_OCCUPANCY_PCT = "gpu_sm_occupancy_pct"  # GPM: resident warps vs the maximum
    GPU_TENSOR_UTIL_PCT = "gpu_tensor_util_pct"  # GPM
    GPU_DRAM_BW_UTIL_PCT = "gpu_dram_bw_util_pct"  # GPM
    GPU_POWER_W = "gpu_power_w"

    @property
    def per_gpu(self) -> bool:
        return self.value.startswith("gpu_")


@dataclass(frozen=True)
class ResourceInfo:
    """One row of the fleet inventory: what runs where and how it is paid for."""

    resource_id: str
    pool: str
    region: str
    instance_type: str
    purchase: Purchase


@dataclass(frozen=True, order=True)
class SeriesKey:
    resource_id: str
    metric: Metric
    gpu_index: int | None = None  # None for host metrics


@dataclass(frozen=True)
class Series:
    """Samples of one metric, sorted by time; timestamps are Unix seconds (int64)."""

    timestamps: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.timestamps.shape != self.values.shape:
            raise ValueError("timestamps and values differ in length")

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def since(self, start: int) -> Series:
        cut = int(np.searchsorted(self.timestamps, start, side="left"))
        return Series(self.timestamps[cut:], self.values[cut:])


@dataclass
class TelemetryFrame:
    """Inventory plus series, from one source. Warnings are user-facing notes (dropped rows...)."""

    source: str
    resources: dict[str, ResourceInfo]
    series: dict[SeriesKey, Series]
    warnings: list[str] = field(default_factory=list)

    def newest_timestamp(self) -> int | None:
        ends = [int(s.timestamps[-1]) for s in self.series.values() if len(s)]
        return max(ends) if ends else None

    def series_of(self, resource_id: str) -> dict[SeriesKey, Series]:
        return {k: v for k, v in self.series.items() if k.resource_id == resource_id}
