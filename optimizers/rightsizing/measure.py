"""From a telemetry frame to what each resource needs: statistics over the window, per policy.

All series of one metric are reduced together (one padded 2-D array, `window_stats`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from optimizers.gpu_capability import Bound
from optimizers.recommendation import SeriesSummary
from optimizers.rightsizing.policies import SizingPolicy
from optimizers.rightsizing.stats import interval_maxima, pad, window_stats
from optimizers.telemetry.frame import Metric, Series, SeriesKey, TelemetryFrame

GIB = 1024**3
BOUND_PERCENTILE = 95.0
LATENCY_PERCENTILE = 95.0  # latency targets are p95 targets: judged at the same percentile
LATENCY_METRICS = (Metric.REQUEST_LATENCY_MS, Metric.QUEUE_WAIT_MS)


@dataclass
class Needs:
    """What one resource used over the window (statistics as the policy defines them)."""

    resource_id: str
    sample_count: int = 0
    span_s: int = 0
    cpu_busy_pct: float | None = None
    mem_peak_gib: float | None = None
    mem_need_gib: float | None = None  # before any headroom the sizing adds
    gpu_busy_pct: list[float] = field(default_factory=list)  # per GPU, the busy statistic
    gpu_mem_peak_gib: list[float] = field(default_factory=list)  # per GPU
    gpu_bound: Bound = Bound.UNKNOWN
    busy_metric: str | None = None
    summaries: list[SeriesSummary] = field(default_factory=list)
    busy_series: dict[int, Series] = field(default_factory=dict)  # per GPU, raw, for sharing
    occupancy_series: dict[int, Series] = field(default_factory=dict)  # NVML counter if present
    # Saturation signals (whatever the policy reads busy-ness from): per GPU, the larger of GPM SM
    # and tensor activity at the busy percentile; the served requests' p95 latency and queue wait
    # over the window (latency targets are p95 targets, whatever the busy percentile).
    gpm_activity_pct: list[float] = field(default_factory=list)
    latency_p95_ms: float | None = None
    queue_p95_ms: float | None = None

    @property
    def has_gpu_data(self) -> bool:
        return bool(self.gpu_busy_pct) and bool(self.gpu_mem_peak_gib)

    @property
    def gpu_busy_total(self) -> float:
        return float(sum(self.gpu_busy_pct))

    @property
    def gpu_busy_max(self) -> float:
        return float(max(self.gpu_busy_pct)) if self.gpu_busy_pct else 0.0


def cut(series: Series, start: int, end: int) -> Series:
    lo = int(np.searchsorted(series.timestamps, start, side="left"))
    hi = int(np.searchsorted(series.timestamps, end, side="right"))
    return Series(series.timestamps[lo:hi], series.values[lo:hi])


def _reduce(policy: SizingPolicy, series: Series) -> np.ndarray:
    if policy.interval_max_s:
        return interval_maxima(series.timestamps, series.values, policy.interval_max_s)
    return series.values


def _stats_by_key(
    policy: SizingPolicy, items: list[tuple[SeriesKey, Series]], quantiles: Iterable[float]
) -> dict[SeriesKey, dict[str, float]]:
    if not items:
        return {}
    matrix, counts = pad([_reduce(policy, s).astype(np.float64) for _, s in items])
    stats = window_stats(matrix, counts, tuple(sorted(set(quantiles))))
    return {key: stats.row(i) | {"count": float(counts[i])} for i, (key, _) in enumerate(items)}


def measure(frame: TelemetryFrame, policy: SizingPolicy, start: int, end: int) -> dict[str, Needs]:
    windowed: dict[SeriesKey, Series] = {}
    for key, series in frame.series.items():
        if key.resource_id in frame.resources:
            part = cut(series, start, end)
            finite = np.isfinite(part.values)
            if not finite.all():
                part = Series(part.timestamps[finite], part.values[finite])
            if len(part):
                windowed[key] = part
    by_metric: dict[Metric, list[tuple[SeriesKey, Series]]] = {}
    for key, series in sorted(windowed.items()):
        by_metric.setdefault(key.metric, []).append((key, series))
    q = policy.busy_percentile
    stats: dict[SeriesKey, dict[str, float]] = {}
    for metric, items in by_metric.items():
        quantiles = {q}
        if metric.per_gpu:
            quantiles.add(BOUND_PERCENTILE)
        if metric in LATENCY_METRICS:
            quantiles.add(LATENCY_PERCENTILE)
        stats.update(_stats_by_key(policy, items, quantiles))

    needs = {rid: Needs(rid) for rid in frame.resources}
    used: dict[str, list[SeriesKey]] = {rid: [] for rid in frame.resources}
    pq, p_latency = f"p{q:g}", f"p{LATENCY_PERCENTILE:g}"
    for key, row in stats.items():
        need, rid = needs[key.resource_id], key.resource_id
        if key.metric is Metric.CPU_UTIL_PCT:
            need.cpu_busy_pct = row[pq]
            used[rid].append(key)
        elif key.metric is Metric.REQUEST_LATENCY_MS:
            need.latency_p95_ms = row[p_latency]
        elif key.metric is Metric.QUEUE_WAIT_MS:
            need.queue_p95_ms = row[p_latency]
        elif key.metric is Metric.MEM_USED_BYTES:
            need.mem_peak_gib = row["max"] / GIB
            need.mem_need_gib = max(
                row["max"] * policy.memory_peak_factor / GIB,
                row[pq] * policy.memory_headroom() / GIB
                if policy.memory_percentile_with_headroom
                else 0,
            )
            used[rid].append(key)

    gpu_keys: dict[str, set[int]] = {}
    for key in stats:
        if key.metric.per_gpu and key.gpu_index is not None:
            gpu_keys.setdefault(key.resource_id, set()).add(key.gpu_index)
    for rid, gpus in gpu_keys.items():
        need = needs[rid]
        busy, mem = [], []
        tensor, dram, activity = [], [], []
        for g in sorted(gpus):
            sm = SeriesKey(rid, Metric.GPU_SM_UTIL_PCT, g)
            nvml = SeriesKey(rid, Metric.GPU_UTIL_PCT, g)
            key = sm if policy.gpu_busy_from_gpm and sm in stats else nvml
            if key in stats:
                busy.append(stats[key][pq])
                need.busy_series[g] = windowed[key]
                need.busy_metric = key.metric.value
                used[rid].append(key)
            if nvml in windowed:
                need.occupancy_series[g] = windowed[nvml]
            mkey = SeriesKey(rid, Metric.GPU_MEM_USED_BYTES, g)
            if mkey in stats:
                mem.append(stats[mkey]["max"] / GIB)
                used[rid].append(mkey)
            for metric, sink in (
                (Metric.GPU_TENSOR_UTIL_PCT, tensor),
                (Metric.GPU_DRAM_BW_UTIL_PCT, dram),
            ):
                k = SeriesKey(rid, metric, g)
                if k in stats:
                    sink.append(stats[k][f"p{BOUND_PERCENTILE:g}"])
            gpm = [
                stats[k][pq]
                for m in (Metric.GPU_SM_UTIL_PCT, Metric.GPU_TENSOR_UTIL_PCT)
                if (k := SeriesKey(rid, m, g)) in stats
            ]
            if gpm:
                activity.append(max(gpm))
        need.gpu_busy_pct, need.gpu_mem_peak_gib = busy, mem
        need.gpm_activity_pct = activity
        if tensor and dram and len(tensor) == len(dram):
            need.gpu_bound = Bound.COMPUTE if max(tensor) >= max(dram) else Bound.MEMORY

    for rid, keys in used.items():
        need = needs[rid]
        if not keys:
            continue
        need.sample_count = min(int(stats[k]["count"]) for k in keys)
        need.span_s = min(int(windowed[k].timestamps[-1] - windowed[k].timestamps[0]) for k in keys)
        seen: set[Metric] = set()
        for key in keys:  # one summary per metric: the first GPU stands for the others
            if key.metric in seen:
                continue
            seen.add(key.metric)
            row = stats[key]
            need.summaries.append(
                SeriesSummary(
                    metric=key.metric.value
                    + ("" if key.gpu_index is None else f"[gpu{key.gpu_index}]"),
                    count=int(row["count"]),
                    percentiles={k: round(v, 4) for k, v in row.items() if k.startswith("p")},
                    max=round(row["max"], 4),
                )
            )
    return needs


def lacking_data(policy: SizingPolicy, need: Needs) -> str | None:
    """Why the data is not enough for the policy to recommend, or None when it is."""
    if need.sample_count == 0:
        return "no samples in the window"
    if need.sample_count < policy.min_samples or need.span_s < policy.min_span_s:
        wanted = f"{policy.min_span_s / 3600:g} h of data"
        if policy.min_samples > 1:
            wanted = f"{policy.min_samples} samples over {wanted}"
        return (
            f"{need.sample_count} samples over {need.span_s / 3600:.1f} h; "
            f"{policy.name} needs at least {wanted}"
        )
    return None
