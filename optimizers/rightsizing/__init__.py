"""Right-sizing: from telemetry to one recommendation per resource (or per share group).

    from optimizers.rightsizing import right_size
    recs = right_size(frame, catalog=..., prices=..., settings=..., mode="ours", end=...,
                      lookback_s=...)

Modes are sizing policies registered by name (`policies.POLICIES`): `ours` (default),
`compute-optimizer` and `krr`; they share the sizing engine (`planner`).
"""

from __future__ import annotations

import hashlib

from components.settings import StackSettings
from optimizers.catalog import Catalog
from optimizers.pricing import PriceBook
from optimizers.recommendation import Recommendation
from optimizers.rightsizing.planner import PlanInputs, plan
from optimizers.rightsizing.policies import POLICIES, SizingPolicy, get_policy
from optimizers.telemetry.frame import TelemetryFrame

__all__ = ["POLICIES", "SizingPolicy", "get_policy", "inputs_hash", "right_size", "window_end"]


def window_end(frame: TelemetryFrame, live: bool, now: int) -> int:
    """File sources end at their newest sample (a recording keeps its meaning); live ones at now."""
    if live:
        return now
    newest = frame.newest_timestamp()
    return now if newest is None else newest


def right_size(
    frame: TelemetryFrame,
    *,
    catalog: Catalog,
    prices: PriceBook,
    end: int,
    lookback_s: int,
    settings: StackSettings | None = None,
    mode: str = "ours",
    headroom_pct: float | None = None,
    percentile: float | None = None,
    service_time_ms: float | None = None,
) -> list[Recommendation]:
    policy = get_policy(mode, headroom_pct, percentile)
    return plan(
        PlanInputs(
            frame=frame, catalog=catalog, prices=prices, policy=policy, end=end,
            lookback_s=lookback_s, settings=settings, service_time_ms=service_time_ms,
        )
    )  # fmt: skip


def inputs_hash(frame: TelemetryFrame, *parts: str) -> str:
    """sha256 over the inventory, every series' samples and the options that shaped the result."""
    digest = hashlib.sha256()
    for rid in sorted(frame.resources):
        digest.update(repr(frame.resources[rid]).encode())
    for key in sorted(frame.series):
        series = frame.series[key]
        digest.update(repr(key).encode())
        digest.update(series.timestamps.astype("<i8").tobytes())
        digest.update(series.values.astype("<f8").tobytes())
    for part in parts:
        digest.update(part.encode())
    return "sha256:" + digest.hexdigest()
