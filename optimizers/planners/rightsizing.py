"""The `rightsizing` planner: one recommendation per resource (or share group) from telemetry.

Its modes (`--mode ours|compute-optimizer|krr`) are sizing policies (optimizers.rightsizing);
the engine there does the work. Inputs: telemetry (any registered source), catalog, prices.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from optimizers.errors import InputError
from optimizers.options import Options
from optimizers.planners.base import Planner, register
from optimizers.planners.common_inputs import CATALOG, PRICES, TELEMETRY
from optimizers.planners.inputs import PlanInputs
from optimizers.recommendation import (
    SIZING_KINDS,
    Kind,
    Mode,
    PoolUtilization,
    Recommendation,
)
from optimizers.rightsizing import get_policy, right_size
from optimizers.utilization import summarize_pools


class RightSizingOptions(Options):
    mode: Mode = Field(Mode.OURS, description="ours (default), or a peer's parameters to compare.")
    headroom: float | None = Field(None, description="Headroom in percent (default: the mode's).")
    percentile: float | None = Field(
        None, description="Busy-ness percentile (compute-optimizer: 90, 95, 99.5)."
    )
    service_time_ms: float | None = Field(
        None,
        gt=0,
        le=4_000_000,
        description="GPU time of one request, for the latency check of shared GPUs "
        "(default: a tenth of the pool's latency target).",
    )
    latency_target_ms: float | None = Field(
        None,
        gt=0,
        description="p95 latency target of pools the stack does not declare: their measured "
        "p95 request latency or queue wait beyond it is saturation (it may cost money), and "
        "shared GPUs must keep it (default: the stack's "
        "recommendations.default_latency_target_ms, 100, which judges no latency unless the "
        "stack sets it).",
    )
    memory_headroom: float | None = Field(
        None,
        description="Memory headroom in percent (default: the mode's; compute-optimizer: "
        "10, 20, 30).",
    )

    @model_validator(mode="after")
    def _the_mode_accepts_them(self) -> RightSizingOptions:
        get_policy(self.mode, self.headroom, self.percentile, self.memory_headroom)
        return self


@register
class RightSizing(Planner):
    name = "rightsizing"
    title = "Right-sizing"
    description = "Right-size every resource of the telemetry: keep, resize, remove or share."
    Options = RightSizingOptions
    inputs = (TELEMETRY, CATALOG, PRICES)
    kinds = SIZING_KINDS

    def plan(self, inputs: PlanInputs, options: RightSizingOptions) -> list[Recommendation]:
        window = inputs.get(TELEMETRY)
        recs = right_size(
            window.frame, catalog=inputs.get(CATALOG), prices=inputs.get(PRICES),
            end=window.end, lookback_s=window.lookback_s, settings=inputs.settings,
            mode=options.mode, headroom_pct=options.headroom,
            percentile=options.percentile, service_time_ms=options.service_time_ms,
            latency_target_ms=options.latency_target_ms,
            memory_headroom_pct=options.memory_headroom,
        )  # fmt: skip
        lacking = [r for r in recs if r.kind == Kind.NOT_ENOUGH_DATA]
        if recs and len(lacking) == len(recs):
            # A run that knows nothing must not replace one that knew something.
            first = lacking[0]
            why = next((n for n in first.risk.notes if n.startswith("not enough data")), "")
            raise InputError(
                f"no resource has enough data to right-size ({len(recs)} resources; e.g. "
                f"{first.target}: {why.removeprefix('not enough data: ')}); record longer or "
                "widen --lookback; nothing saved"
            )
        return list(recs)

    def mode(self, options: RightSizingOptions) -> str:
        return options.mode.value

    def utilization(
        self, inputs: PlanInputs, options: Any, recommendations: list[Recommendation]
    ) -> list[PoolUtilization]:
        window = inputs.get(TELEMETRY)
        return summarize_pools(
            window.frame, recommendations, end=window.end, lookback_s=window.lookback_s
        )
