"""A GenAI serving fleet synthesized from the phases measured on a real NVIDIA H200.

Shaped like the fleet issue 11 was found on: single-GPU pods on p5.4xlarge (one H100 80 GB), a
1-minute NVML duty cycle, GPU memory and host memory, no CPU metrics, a pool the stack does not
declare. Each pod's minute is a mixture of measured phases (docs/gpu-measurements.md#phase-means):
a busy fraction u(t) (a daily curve around the pod's own base, peaking at its customers' hour)
split between the phases of its kind of work, the rest idle; every metric of the minute is the
mixture of one real sample drawn from each phase. Kinds:
- serving: batch-1 decode, prefill-like half-duty matmul and launch-bound tiny kernels, at a
  modest busy fraction: most pods hold under 45 GiB and read under 40% on the counter;
- hot: continuous matmul and memory copies near full duty: the counter reads 93-99% at P99.5;
- idle: a loaded model and no traffic (the counter reads 0 with memory resident).
The H200 phases stand in for the H100's (both Hopper: the counter's and GPM's semantics are the
same; on an H100, memory-bound work would read busier by the bandwidth ratio, 4.8 / 3.35).

    phases = Phases.from_traces(shared_traces(Path(__file__)))   # or Phases.from_means(csv)
    frame = synthesize(phases, FleetShape(pods=140, hours=23))
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from components.facts.roles import PoolRole
from optimizers.telemetry.frame import (
    Metric,
    Purchase,
    ResourceInfo,
    Series,
    SeriesKey,
    TelemetryFrame,
)

GIB = 1024**3
DAY_S = 86_400
START = 1_790_000_040  # a whole minute
RAMP = 3  # samples at each end of a phase where the load starts and stops (left out)
# gpm_workloads.csv columns -> this module's metrics (per GPU)
TRACE_COLUMNS = {
    "nvml": "nvml_gpu_util_pct",
    "sm": "gpm_sm_util_pct",
    "tensor": "gpm_tensor_util_pct",
    "dram": "gpm_dram_bw_util_pct",
}
MEANS_COLUMNS = {
    "nvml": "gpu_util_pct",
    "sm": "sm_util_pct",
    "tensor": "tensor_util_pct",
    "dram": "dram_bw_util_pct",
}
METRICS = {
    "nvml": Metric.GPU_UTIL_PCT,
    "sm": Metric.GPU_SM_UTIL_PCT,
    "tensor": Metric.GPU_TENSOR_UTIL_PCT,
    "dram": Metric.GPU_DRAM_BW_UTIL_PCT,
}
# What each kind of pod runs when busy (phase -> share of the busy time).
WORK = {
    "serving": {
        "batch1_decode_mlp": 0.7,
        "matmul_half_duty": 0.2,
        "tiny_kernels_launch_bound": 0.1,
    },
    "hot": {"matmul_compute_bound": 0.5, "copy_memory_bound": 0.3, "batch1_decode_mlp": 0.2},
    "idle": {},
}


def shared_traces(start: Path) -> Path:
    """../shared/data/gpu-h200 beside the clone holding `start` (or beside a folder above it,
    as for a worktree); the first candidate when none exists."""
    folders = Path(start).resolve().parents
    for folder in folders:
        if (folder / "shared" / "data" / "gpu-h200").is_dir():
            return folder / "shared" / "data" / "gpu-h200"
    return folders[1] / "shared" / "data" / "gpu-h200"


@dataclass(frozen=True)
class Phases:
    """Per phase, samples of (NVML counter, GPM SM, tensor, DRAM) in percent."""

    samples: dict[str, np.ndarray]
    source: str

    @classmethod
    def from_traces(cls, folder: Path) -> Phases:
        """The steady samples of every phase of gpm_workloads.csv (the real traces)."""
        path = Path(folder) / "gpm_workloads.csv"
        rows: dict[str, list[list[float]]] = {}
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                rows.setdefault(row["phase"], []).append(
                    [float(row[c]) for c in TRACE_COLUMNS.values()]
                )
        samples = {
            phase: np.array(r[RAMP:-RAMP] if len(r) > 2 * RAMP else r) for phase, r in rows.items()
        }
        return cls(samples, str(path))

    @classmethod
    def from_means(cls, path: Path) -> Phases:
        """One sample per phase: the means table tests carry (tests/telemetry/h200_phases.csv)."""
        with Path(path).open(newline="") as handle:
            lines = [line for line in handle if not line.startswith("#")]
        samples = {
            row["phase"]: np.array([[float(row[c]) for c in MEANS_COLUMNS.values()]])
            for row in csv.DictReader(lines)
        }
        return cls(samples, str(path))

    def draw(self, phase: str, n: int, rng: np.random.Generator) -> np.ndarray:
        table = self.samples[phase]
        return table[rng.integers(0, len(table), n)]


@dataclass(frozen=True)
class FleetShape:
    pods: int = 140
    hot: int = 21  # the counter reads 93-99% at P99.5
    idle: int = 5  # a loaded model, no traffic
    hours: float = 23.0
    step_s: int = 60
    gpm: bool = False  # record GPM SM and tensor activity too (the fleet had none)
    pool: str = "genai-serving"
    instance_type: str = "p5.4xlarge"
    region: str = "us-east-1"
    role: PoolRole | None = None  # what the inventory says the pool is for
    serving_gib: tuple[float, float] = (22.0, 46.0)  # model memory of serving pods (uniform)
    seed: int = 11
    timezones_h: tuple[float, ...] = field(default=(14.0, 20.0, 2.0))  # customers' peak hours


def _kinds(shape: FleetShape) -> list[str]:
    return (
        ["hot"] * shape.hot
        + ["idle"] * shape.idle
        + ["serving"] * (shape.pods - shape.hot - shape.idle)
    )


def _busy_fraction(kind: str, hours: np.ndarray, rng: np.random.Generator, peak_h: float):
    if kind == "idle":
        return np.zeros_like(hours)
    daily = 0.5 + 0.5 * np.cos(2 * np.pi * (hours - peak_h) / 24)  # 1 at the peak hour
    if kind == "hot":
        base = 0.8 + 0.2 * daily
        return np.clip(base + rng.normal(0, 0.03, hours.shape), 0, 1)
    base = rng.uniform(0.12, 0.5)
    u = base * (0.35 + 0.65 * daily) + rng.normal(0, 0.03, hours.shape)
    return np.clip(u, 0, 1)


def synthesize(phases: Phases, shape: FleetShape) -> TelemetryFrame:
    rng = np.random.default_rng(shape.seed)
    points = int(shape.hours * 3600 // shape.step_s)
    ts = START + np.arange(points, dtype=np.int64) * shape.step_s
    hours = (ts - START) / 3600.0
    names = ("nvml", "sm", "tensor") if shape.gpm else ("nvml",)
    columns = [list(TRACE_COLUMNS).index(n) for n in names]
    resources: dict[str, ResourceInfo] = {}
    series: dict[SeriesKey, Series] = {}
    for i, kind in enumerate(_kinds(shape)):
        rid = f"pod-{i:04d}"
        resources[rid] = ResourceInfo(
            rid, shape.pool, shape.region, shape.instance_type, Purchase.ON_DEMAND, shape.role
        )
        peak = shape.timezones_h[i % len(shape.timezones_h)] + rng.normal(0, 1.0)
        u = _busy_fraction(kind, hours, rng, peak)
        values = np.zeros((points, len(TRACE_COLUMNS)))
        for phase, share in WORK[kind].items():
            values += (u * share)[:, None] * phases.draw(phase, points, rng)
        values = np.clip(values, 0, 100)
        for name, column in zip(names, columns, strict=True):
            series[SeriesKey(rid, METRICS[name], 0)] = Series(ts, values[:, column].round(1))
        gpu_gib = {"hot": (55, 75), "idle": (20, 60), "serving": shape.serving_gib}[kind]
        model = rng.uniform(*gpu_gib)
        kv = np.clip(u * rng.uniform(1, 4), 0, None)  # the KV cache grows with the traffic
        series[SeriesKey(rid, Metric.GPU_MEM_USED_BYTES, 0)] = Series(ts, (model + kv) * GIB)
        host = rng.uniform(30, 100)
        host_mem = host + rng.normal(0, 0.5, points).clip(-1, 1)
        series[SeriesKey(rid, Metric.MEM_USED_BYTES)] = Series(ts, host_mem * GIB)
    return TelemetryFrame(f"h200-synthetic ({phases.source})", resources, series)
