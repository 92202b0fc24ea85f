"""What every recommendation carries, whatever planner made it: kind, target, money, risk.

Money fields are monthly (730 h, AWS's convention) and None when `priced` is False (a price
figure is missing); `monthly_saving_usd` = before - after, negative when the change costs money
(an upsize, a scale-out).
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HOURS_PER_MONTH = 730  # AWS pricing convention (8,760 h / 12)


class Kind(StrEnum):
    # right-sizing (optimizers/rightsizing)
    KEEP = "keep"
    DOWNSIZE = "downsize"
    UPSIZE = "upsize"
    CHANGE_FAMILY = "change-family"
    REMOVE = "remove"
    SHARE = "share"  # time-slice one GPU between several members (NVIDIA device plugin)
    NOT_ENOUGH_DATA = "not-enough-data"
    SCALE_OUT = "scale-out"  # more instances of the pool's type for saturated members
    # how capacity is bought (commitments, capacity-mix planners)
    COMMIT = "commit"
    CAPACITY_MIX = "capacity-mix"
    # storage, serving, and undoing an applied change
    LIFECYCLE = "lifecycle"
    BATCHING = "batching"
    REVERT = "revert"


class Confidence(StrEnum):
    LOW = "low"  # window under 24 h
    MEDIUM = "medium"  # under 7 days
    HIGH = "high"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Risk(Model):
    level: Literal["low", "medium", "high"]
    notes: list[str] = Field(default_factory=list)


class DemandSummary(Model):
    """Instances (or $/h) in use per hour over a window."""

    min: float = Field(ge=0)
    mean: float = Field(ge=0)
    max: float = Field(ge=0)


class RecommendationBase(Model):
    """The fields every kind shares. Each kind narrows `kind`, `current`, `proposed`, `evidence`."""

    id: str
    target: str = Field(description="what the recommendation is about: a resource, pool, bucket")
    targets: list[str] = Field(min_length=1, description="every resource this covers")
    pool: str | None = None
    region: str | None = None
    kind: Kind
    current: Model
    proposed: Model
    priced: bool = Field(description="False when a figure it needs is missing from the price table")
    monthly_cost_before_usd: float | None
    monthly_cost_after_usd: float | None
    monthly_saving_usd: float | None
    risk: Risk
    confidence: Confidence | None = Field(description="None where the data says nothing yet")
    evidence: Model

    @model_validator(mode="after")
    def _money_adds_up(self) -> RecommendationBase:
        money = (self.monthly_cost_before_usd, self.monthly_cost_after_usd, self.monthly_saving_usd)
        if [m is not None for m in money] != [self.priced] * 3:
            raise ValueError("money fields are all set when priced, all None when not")
        if self.priced:
            before, after, saving = money
            if abs(before - after - saving) > 0.011:  # type: ignore[operator]
                raise ValueError(f"saving {saving} is not cost before {before} - after {after}")
        return self

    def current_text(self) -> str:
        """One line for tables: what there is now."""
        return self.target

    def proposed_text(self) -> str:
        """One line for tables: what the recommendation proposes."""
        return str(self.kind)


def recommendation_id(kind: str, targets: list[str], proposed: BaseModel) -> str:
    """Stable for the same inputs: a hash of kind, targets and proposal."""
    payload = json.dumps(
        {
            "kind": str(kind),
            "targets": sorted(targets),
            "proposed": proposed.model_dump(mode="json"),
        },
        sort_keys=True,
    )
    return "rec-" + hashlib.sha256(payload.encode()).hexdigest()[:16]
