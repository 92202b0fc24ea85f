"""Per-pool busy-ness distributions over the window, saved beside the recommendations.

The report draws them against the proposed capacity without reading telemetry again. GPU pools use
the metric the sizing read GPU busy-ness from (`evidence.busy_metric`: the GPM SM activity when
recorded, else the NVML counter); other pools use CPU utilization.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimizers.recommendation import Kind, PoolUtilization, SizingRecommendation
from optimizers.telemetry.frame import Metric, TelemetryFrame

BIN_PCT = 5.0
PERCENTILES = (50, 90, 95, 99)
# Projected busy-ness on the proposal, as the planner names it, by preference.
PROJECTED_KEYS = ("summed_gpu_busy_pct", "gpu_busy_pct", "cpu_busy_pct", "busy_pct")


def _projected(recs: Sequence[SizingRecommendation]) -> float | None:
    changes = [r for r in recs if r.kind not in (Kind.KEEP, Kind.NOT_ENOUGH_DATA)] or list(recs)
    values = []
    for rec in changes:
        for key in PROJECTED_KEYS:
            if key in rec.evidence.projected:
                values.append(rec.evidence.projected[key])
                break
    return round(max(values), 2) if values else None


def summarize_pools(
    frame: TelemetryFrame, recs: Sequence[SizingRecommendation], *, end: int, lookback_s: int
) -> list[PoolUtilization]:
    start = end - lookback_s
    by_pool: dict[tuple[str, str], list[str]] = {}
    for rid, info in frame.resources.items():
        by_pool.setdefault((info.pool, info.region), []).append(rid)
    recs_by_pool: dict[str, list[SizingRecommendation]] = {}
    for rec in recs:
        recs_by_pool.setdefault(rec.pool, []).append(rec)
    out: list[PoolUtilization] = []
    for (pool, region), rids in sorted(by_pool.items()):
        members = set(rids)
        pool_recs = recs_by_pool.get(pool, [])
        gpu_keys = [k for k in frame.series if k.resource_id in members and k.metric.per_gpu]
        named = {r.evidence.busy_metric for r in pool_recs if r.evidence.busy_metric}
        if gpu_keys:
            available = {k.metric.value for k in gpu_keys}
            metric = next(
                (m for m in sorted(named) if m in available),
                Metric.GPU_UTIL_PCT.value
                if Metric.GPU_UTIL_PCT.value in available
                else Metric.GPU_SM_UTIL_PCT.value,
            )
        else:
            metric = Metric.CPU_UTIL_PCT.value
        parts = []
        for key, series in frame.series.items():
            if key.resource_id in members and key.metric.value == metric:
                part = series.since(start)
                parts.append(part.values[part.timestamps <= end])
        values = np.concatenate(parts) if parts else np.empty(0)
        values = np.clip(values[np.isfinite(values)], 0.0, 100.0)
        if not len(values):
            continue
        edges = np.arange(0.0, 100.0 + BIN_PCT, BIN_PCT)
        counts, _ = np.histogram(values, bins=edges)
        out.append(
            PoolUtilization(
                pool=pool or "(untagged)",
                region=region,
                metric=metric,
                bin_pct=BIN_PCT,
                bins=[int(c) for c in counts],
                samples=int(len(values)),
                percentiles={
                    f"p{p}": round(float(np.percentile(values, p)), 2) for p in PERCENTILES
                },
                max=round(float(values.max()), 2),
                proposed_pct=_projected(pool_recs),
            )
        )
    return out
