"""Right-sizing: from telemetry to one recommendation per resource (or per share group).

    from optimizers.rightsizing import right_size
    recs = right_size(frame, catalog=..., prices=..., settings=..., mode="ours", end=...,
                      lookback_s=...)

Modes are sizing policies registered by name (`policies.POLICIES`): `ours` (default),
`compute-optimizer` and `krr`; they share the sizing engine (`engine`): `measure` reduces the
telemetry to needs, `decide` holds one decision function per kind (built on `candidates`,
`projection`, `risk`, `change_cost`), `decision` turns a decision into a recommendation, and
`sharing` packs GPUs to time-slice. `optimizers.planners.rightsizing` registers it as the
`rightsizing` planner of `aeon recommend`.
"""

from __future__ import annotations

from components.settings import StackSettings
from optimizers.catalog import Catalog
from optimizers.pricing import PriceBook
from optimizers.recommendation import SizingRecommendation
from optimizers.rightsizing.context import SizingInputs
from optimizers.rightsizing.engine import plan
from optimizers.rightsizing.policies import POLICIES, SizingPolicy, get_policy
from optimizers.telemetry.frame import TelemetryFrame

__all__ = ["POLICIES", "SizingPolicy", "get_policy", "right_size"]


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
    latency_target_ms: float | None = None,
    memory_headroom_pct: float | None = None,
) -> list[SizingRecommendation]:
    policy = get_policy(mode, headroom_pct, percentile, memory_headroom_pct)
    return plan(
        SizingInputs(
            frame=frame, catalog=catalog, prices=prices, policy=policy, end=end,
            lookback_s=lookback_s, settings=settings, service_time_ms=service_time_ms,
            latency_target_ms=latency_target_ms,
        )
    )  # fmt: skip
