"""Judging applied changes against their baselines from new telemetry (`aeon validate`). Pure.

For each change `aeon apply` recorded (with its baseline), the telemetry is read from the moment
the change shows in it: the first sample of the new instance type in the pool, or, for changes
without a new type (a count, a served model's batching and replicas), the time it was applied
(or `since`, when given). Verdicts:

- regressed: a resource of the changed pool runs busier than the new capacity's headroom allows
  (busy p95 above 100 - headroom %), or the pool costs more per hour than before the change; for
  batching, the request latency the pool's machines report misses the p95 target it was planned
  for;
- improved: neither, and the change saves money (its baseline says how much it promised), or, for
  batching, requests are faster than the latency predicted before the change;
- no-change: neither, and nothing saved;
- pending: the change does not show in the telemetry yet, or the source has nothing to judge it
  by (an S3 lifecycle shows in the bucket's storage and reads, not in machine telemetry).
A regressed change yields a `revert` recommendation holding the exact previous values, which
`aeon apply` applies like any other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from components.settings import AppliedRecommendation, StackSettings
from optimizers.apply import CAPACITY_KEYS
from optimizers.pricing import PriceBook
from optimizers.recommendation import HOURS_PER_MONTH, Kind, Risk, recommendation_id
from optimizers.recommendation.revert import (
    ConfigValue,
    RevertCurrent,
    RevertEvidence,
    RevertProposal,
    RevertRecommendation,
)
from optimizers.telemetry.frame import Metric, TelemetryFrame

SIZING = {"downsize", "upsize", "change-family", "share", "remove"}
BUSY_METRICS = (Metric.GPU_UTIL_PCT, Metric.GPU_SM_UTIL_PCT, Metric.CPU_UTIL_PCT)
# Kinds machine telemetry cannot judge, and where their effect shows instead.
NOT_IN_TELEMETRY = {
    Kind.LIFECYCLE.value: "a lifecycle shows in the bucket's storage and reads, not in machine "
    "telemetry: run the storage planner on a newer inventory and access logs",
    Kind.CAPACITY_MIX.value: "a spot / on-demand mix shows in the bill and in interruptions, not "
    "in utilization: run the capacity-mix planner on a newer billing export",
}
POOL_KEY_PATHS = {
    "time_slicing_replicas": ("gpu_sharing", "time_slicing_replicas"),
    **{key: ("capacity", key) for key in CAPACITY_KEYS},  # committed and the mix keys
}


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: str
    pool: str
    target: str | None
    applied_at: str
    observed_since: str | None
    verdict: Literal["improved", "no-change", "regressed", "pending"]
    reasons: list[str] = Field(default_factory=list)
    before: dict[str, float] = Field(default_factory=dict)
    after: dict[str, float] = Field(default_factory=dict)


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _worst_p95(frame: TelemetryFrame, resources: list[str], since: int, metric: Metric):
    """Highest per-resource p95 of `metric` since `since`, and how many samples it rests on."""
    worst, samples = None, 0
    for key, series in frame.series.items():
        if key.resource_id not in resources or key.metric != metric:
            continue
        values = series.values[series.timestamps >= since]
        if values.size:
            samples += values.size
            p95 = float(np.percentile(values, 95))
            worst = p95 if worst is None else max(worst, p95)
    return worst, samples


def _first_seen(frame: TelemetryFrame, resources: list[str]) -> int | None:
    firsts = [
        int(s.timestamps[0])
        for k, s in frame.series.items()
        if k.resource_id in resources and s.timestamps.size
    ]
    return min(firsts) if firsts else None


def _hourly(prices: PriceBook | None, region: str, types: list[str]) -> float | None:
    if prices is None:
        return None
    costs = [prices.price_paid(t, region, "on-demand").usd_per_hour for t in types]
    return None if any(c is None for c in costs) else float(sum(costs))  # type: ignore[arg-type]


def _saves(entry: AppliedRecommendation) -> bool:
    """Whether the change promised a lower monthly cost."""
    before = entry.baseline.get("monthly_cost_before_usd")
    after = entry.baseline.get("monthly_cost_after_usd")
    return before is not None and after is not None and after < before


def judge(
    entry: AppliedRecommendation,
    settings: StackSettings,
    frame: TelemetryFrame,
    *,
    since: int | None = None,
    prices: PriceBook | None = None,
) -> Verdict:
    base = dict(id=entry.id, kind=entry.kind, pool=entry.pool, target=entry.target,
                applied_at=entry.applied_at)  # fmt: skip
    if entry.kind == Kind.BATCHING.value:
        return _judge_batching(entry, settings, frame, since, base)
    if entry.kind not in SIZING:
        why = NOT_IN_TELEMETRY.get(entry.kind, "machine telemetry has no figures for this kind")
        return Verdict(**base, observed_since=None, verdict="pending", reasons=[why])
    pool = next((p for p in settings.pools if p.name == entry.pool), None)
    members = {r.resource_id: r for r in frame.resources.values() if r.pool == entry.pool}
    types = entry.changes.get("instance_types")  # [before, after]: the proposed type goes first
    new_type = entry.baseline.get("proposed_instance_type") or (types[1][0] if types else None)
    old_type = entry.baseline.get("current_instance_type")
    if not types:  # a count change (remove): the pool keeps its types
        new_type = None
    after_ids = [r for r, info in members.items() if new_type in (None, info.instance_type)]
    start = since or (_first_seen(frame, after_ids) if new_type else _epoch(entry.applied_at))
    if not after_ids or start is None or pool is None:
        why = f"no resource of {entry.pool}" + (f" runs {new_type}" if new_type else "")
        return Verdict(**base, observed_since=None, verdict="pending", reasons=[why + " yet"])
    metric = next(
        (m for m in BUSY_METRICS if any(k.metric == m and k.resource_id in after_ids
                                        for k in frame.series)), None,
    )  # fmt: skip
    busy, samples = (None, 0) if metric is None else _worst_p95(frame, after_ids, start, metric)
    if busy is None or samples == 0:
        return Verdict(**base, observed_since=_iso(start), verdict="pending",
                       reasons=["no utilization samples since the change showed"])  # fmt: skip
    headroom = float(entry.baseline.get("headroom_pct", 15.0))
    limit = 100.0 - headroom
    reasons = []
    after: dict[str, float] = {f"{metric.value}_p95": round(busy, 2), "samples": samples}
    before: dict[str, float] = {"headroom_pct": headroom}
    if busy > limit:
        reasons.append(
            f"{metric.value} p95 {busy:.1f}% since the change is beyond the new capacity's "
            f"headroom ({limit:g}%)"
        )
    old_ids = [r for r, info in members.items() if old_type and info.instance_type == old_type]
    old_cost = _hourly(prices, pool.region, [members[r].instance_type for r in old_ids])
    new_cost = _hourly(prices, pool.region, [members[r].instance_type for r in after_ids])
    if old_cost is not None and new_cost is not None and old_ids:
        before["pool_usd_per_month"] = round(old_cost * HOURS_PER_MONTH, 2)
        after["pool_usd_per_month"] = round(new_cost * HOURS_PER_MONTH, 2)
        if new_cost > old_cost * 1.001:
            reasons.append(f"cost up: {old_cost:.3f} -> {new_cost:.3f} USD/h for the pool")
    verdict = "regressed" if reasons else ("improved" if _saves(entry) else "no-change")
    return Verdict(**base, observed_since=_iso(start), verdict=verdict, reasons=reasons,
                   before=before, after=after)  # fmt: skip


def _judge_batching(
    entry: AppliedRecommendation,
    settings: StackSettings,
    frame: TelemetryFrame,
    since: int | None,
    base: dict[str, Any],
) -> Verdict:
    """A served model's batching and replicas, by the latency its pool's machines report. The
    replica setting does not show in machine telemetry, so the figures count from `applied_at`."""
    group = settings.node_group(entry.pool)
    pools = {entry.pool, *(p.name for p in group)}
    ids = [r for r, info in frame.resources.items() if info.pool in pools]
    start = since or _epoch(entry.applied_at)
    metric = Metric.REQUEST_LATENCY_MS
    latency, samples = _worst_p95(frame, ids, start, metric)
    if latency is None:
        why = f"no {metric.value} samples from pool {entry.pool} since {_iso(start)}"
        return Verdict(**base, observed_since=None, verdict="pending", reasons=[why])
    target = entry.baseline.get("target_p95_ms") or next(
        (p.latency_target_ms for p in group if p.latency_target_ms), None
    )
    predicted = entry.baseline.get("before_p95_ms")
    before = {k: float(v) for k in ("target_p95_ms", "before_p95_ms", "promised_p95_ms", "load_rps")
              if (v := entry.baseline.get(k)) is not None}  # fmt: skip
    after: dict[str, float] = {f"{metric.value}_p95": round(latency, 2), "samples": samples}
    queue, _ = _worst_p95(frame, ids, start, Metric.QUEUE_WAIT_MS)
    if queue is not None:
        after[f"{Metric.QUEUE_WAIT_MS.value}_p95"] = round(queue, 2)
    reasons = []
    if target is not None and latency > target:
        reasons.append(
            f"{metric.value} p95 {latency:.1f} ms since the change misses its target "
            f"({target:g} ms)"
        )
    faster = predicted is not None and latency < predicted
    verdict = "regressed" if reasons else ("improved" if _saves(entry) or faster else "no-change")
    return Verdict(**base, observed_since=_iso(start), verdict=verdict, reasons=reasons,
                   before=before, after=after)  # fmt: skip


def revert_of(entry: AppliedRecommendation, verdict: Verdict, region: str | None):
    """The revert recommendation of a regressed change: every key back to its value before."""
    current, previous = [], []
    for key, (old, new) in entry.changes.items():
        if key.startswith("/"):
            path = key.strip("/").split("/")
        else:  # a pool's own key (right-sizing kinds)
            path = ["pools", entry.pool, *POOL_KEY_PATHS.get(key, (key,))]
        current.append(ConfigValue(path=path, value=new))
        previous.append(ConfigValue(path=path, value=old))
    proposed = RevertProposal(reverts=entry.id, values=previous)
    return RevertRecommendation(
        id=recommendation_id(Kind.REVERT, [entry.id], proposed),
        target=entry.id,
        targets=[entry.target or entry.id],
        pool=None if entry.pool == "-" else entry.pool,
        region=region,
        kind=Kind.REVERT,
        current=RevertCurrent(values=current),
        proposed=proposed,
        priced=False,
        monthly_cost_before_usd=None,
        monthly_cost_after_usd=None,
        monthly_saving_usd=None,
        risk=Risk(level="low", notes=["restores the configuration that ran before"]),
        confidence=None,
        evidence=RevertEvidence(
            verdict="regressed", applied_at=entry.applied_at,
            observed_since=verdict.observed_since, reasons=verdict.reasons,
            before=verdict.before, after=verdict.after,
        ),
    )  # fmt: skip


def validate_applied(
    settings: StackSettings,
    frame: TelemetryFrame,
    *,
    since: int | None = None,
    prices: PriceBook | None = None,
) -> tuple[list[Verdict], list[RevertRecommendation]]:
    """A verdict per applied change not reverted yet; a revert per regressed one."""
    applied = settings.recommendations.applied
    reverted = {a.target for a in applied if a.kind == Kind.REVERT.value}
    verdicts, reverts = [], []
    pools: dict[str, Any] = {p.name: p for p in settings.pools}
    for entry in applied:
        if entry.kind == Kind.REVERT.value or entry.id in reverted or not entry.changes:
            continue
        verdict = judge(entry, settings, frame, since=since, prices=prices)
        verdicts.append(verdict)
        if verdict.verdict == "regressed":
            pool = pools.get(entry.pool)
            reverts.append(revert_of(entry, verdict, pool.region if pool else None))
    return verdicts, reverts
