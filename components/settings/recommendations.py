"""What `aeon apply` recorded in the stack config, and how far one apply may move a pool."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from components.settings.base import Model, Percent


class AppliedRecommendation(Model):
    """What `aeon apply` wrote, so a later reader knows why a key changed, and the baseline
    `aeon validate` judges the change against."""

    id: str
    pool: str = Field(description="the pool; '-' for a bucket's or a served model's change")
    kind: str
    applied_at: str
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="key -> [before, after]; a pool's own key, or /path/to/key for other kinds",
    )
    target: str | None = Field(default=None, description="the recommendation's target")
    baseline: dict[str, Any] = Field(
        default_factory=dict, description="the figures the change promised, and when"
    )


class Recommendations(Model):
    max_step_pct: Percent = Field(default=50, description="largest change per apply, in percent")
    default_latency_target_ms: float = Field(
        default=100,
        gt=0,
        description="p95 latency target of inference pools the stack does not declare (their "
        "role known from the fleet), for the latency check of shared GPUs (framework "
        "max_latency_ms); only when written in the stack is a measured p95 latency judged "
        "against it (a latency over the built-in default never spends money)",
    )
    applied: list[AppliedRecommendation] = Field(default_factory=list)
