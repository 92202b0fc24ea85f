"""`lifecycle`: the storage planner's S3 lifecycle for one bucket (`target`, the bucket name).

`proposed.lifecycle` has the lowest predicted monthly cost in steady state and passes the policy
pack's storage policies; the retention (`expiration_days`) is never changed by the optimizer.
`current.inferred` is True when the bucket is not in the stack and its lifecycle was read from
the inventory's storage classes by age.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from components.facts.s3 import S3_WATERFALL
from optimizers.recommendation.common import Kind, Model, RecommendationBase


class Transition(Model):
    days: int = Field(ge=0, description="object age in whole days")
    storage_class: str = Field(description="S3 API name, e.g. STANDARD_IA, GLACIER_IR")

    @field_validator("storage_class")
    @classmethod
    def _known_class(cls, value: str) -> str:
        if value not in S3_WATERFALL[1:]:
            raise ValueError(f"{value!r} is not a lifecycle storage class: {S3_WATERFALL[1:]}")
        return value


class LifecyclePolicy(Model):
    transitions: list[Transition]
    expiration_days: int | None = Field(ge=1, description="the retention; None: kept forever")


class CurrentLifecycle(Model):
    lifecycle: LifecyclePolicy
    inferred: bool = False


class ProposedLifecycle(Model):
    lifecycle: LifecyclePolicy


class PredictedMonthly(Model):
    proposed: float
    current: float
    intelligent_tiering: float
    framework_default: float


class ReadsAtAge(Model):
    age_days: int = Field(ge=0)
    objects_read_share: float = Field(ge=0, le=1)
    bytes_read_share: float = Field(ge=0, le=1)
    archived_reads: int = Field(
        default=0, ge=0, description="GETs that failed with InvalidObjectState at this age"
    )


class StorageFigures(Model):
    objects: int = Field(ge=0)
    bytes: int = Field(ge=0)
    predicted_monthly_usd: PredictedMonthly | None = Field(
        description="None when the bucket's region has no S3 prices (unpriced)"
    )
    reads_by_age: list[ReadsAtAge] = Field(default_factory=list)


class LifecycleEvidence(Model):
    storage: StorageFigures
    reads_from: Literal["access-logs", "cloudtrail"] | None = None
    allow_restore: bool = False
    notes: list[str] = Field(default_factory=list)


class LifecycleRecommendation(RecommendationBase):
    kind: Literal[Kind.LIFECYCLE]
    current: CurrentLifecycle
    proposed: ProposedLifecycle
    evidence: LifecycleEvidence

    def current_text(self) -> str:
        return _steps(self.current.lifecycle) + (" (inferred)" if self.current.inferred else "")

    def proposed_text(self) -> str:
        return _steps(self.proposed.lifecycle)


def _steps(policy: LifecyclePolicy) -> str:
    steps = [f"{t.storage_class}@{t.days}d" for t in policy.transitions] or ["STANDARD"]
    end = f", expire@{policy.expiration_days}d" if policy.expiration_days else ""
    return " -> ".join(steps) + end
