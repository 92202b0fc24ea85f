"""What `aeon apply` recorded in the stack config, and how far one apply may move a pool."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from components.settings.base import Model, Percent


class AppliedRecommendation(Model):
    """What `aeon apply` wrote, so a later reader knows why a pool key changed."""

    id: str
    pool: str
    kind: str
    applied_at: str
    changes: dict[str, Any] = Field(default_factory=dict)


class Recommendations(Model):
    max_step_pct: Percent = Field(default=50, description="largest change per apply, in percent")
    default_latency_target_ms: float = Field(
        default=100,
        gt=0,
        description="p95 latency target of inference pools the stack does not declare (their "
        "role known from the fleet), for the latency check of shared GPUs (framework "
        "max_latency_ms)",
    )
    applied: list[AppliedRecommendation] = Field(default_factory=list)
