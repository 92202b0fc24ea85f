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
    applied: list[AppliedRecommendation] = Field(default_factory=list)
