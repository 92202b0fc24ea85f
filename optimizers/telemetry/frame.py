"""The one in-memory shape every telemetry source produces and every optimizer reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from components.facts.roles import PoolRole


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
    # What the served requests saw (per machine): saturation signals beside GPM activity.
    REQUEST_LATENCY_MS = "request_latency_ms"  # p95 request time (Prometheus: Triton's summary)
    QUEUE_WAIT_MS = "queue_wait_ms"  # time requests waited before their GPU work started

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
    # What the pool is for, as the fleet says (inventory `role`, the `aeon:pool-role` tag, a
    # Prometheus label); None: unknown. A pool declared in the stack has its own role.
    role: PoolRole | None = None


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
    samples_outside: int = 0  # samples read but outside the lookback window (recordings)

    def sample_count(self) -> int:
        return sum(len(s) for s in self.series.values())

    def newest_timestamp(self) -> int | None:
        ends = [int(s.timestamps[-1]) for s in self.series.values() if len(s)]
        return max(ends) if ends else None

    def series_of(self, resource_id: str) -> dict[SeriesKey, Series]:
        return {k: v for k, v in self.series.items() if k.resource_id == resource_id}

    def fingerprint(self) -> str:
        """sha256 over the inventory and every series' samples: equal frames, equal prints."""
        digest = hashlib.sha256()
        for rid in sorted(self.resources):
            digest.update(repr(self.resources[rid]).encode())
        for key in sorted(self.series):
            series = self.series[key]
            digest.update(repr(key).encode())
            digest.update(series.timestamps.astype("<i8").tobytes())
            digest.update(series.values.astype("<f8").tobytes())
        return "sha256:" + digest.hexdigest()


def merge_frames(frames: list[TelemetryFrame]) -> TelemetryFrame:
    """One frame from reads of disjoint parts of a fleet (e.g. one per region)."""
    merged = TelemetryFrame(frames[0].source, {}, {})
    for frame in frames:
        merged.resources.update(frame.resources)
        merged.series.update(frame.series)
        merged.warnings.extend(frame.warnings)
        merged.samples_outside += frame.samples_outside
    return merged


def only_regions(frame: TelemetryFrame, regions: set[str]) -> TelemetryFrame:
    """The part of the frame in these regions."""
    resources = {k: r for k, r in frame.resources.items() if r.region in regions}
    series = {k: s for k, s in frame.series.items() if k.resource_id in resources}
    return TelemetryFrame(
        frame.source, resources, series, list(frame.warnings), frame.samples_outside
    )
