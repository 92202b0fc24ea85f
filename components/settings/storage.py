"""Storage tiers: S3 buckets per data class with lifecycle rules S3 accepts, and EBS classes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from components.facts.s3 import S3_FORBIDDEN_TRANSITIONS, S3_MIN_TRANSITION_DAYS, S3_WATERFALL
from components.settings.base import Days, Model, Name, PositiveDays, check_unique


class Tier(Model):
    storage_class: Literal[S3_WATERFALL]  # type: ignore[valid-type]
    after_days: Days


class Lifecycle(Model):
    """Tiers in order; the first is where objects land (STANDARD, day 0)."""

    tiers: list[Tier] = Field(min_length=1)
    expire_after_days: PositiveDays | None = None
    noncurrent_expire_after_days: PositiveDays

    @model_validator(mode="after")
    def _aws_accepts(self) -> Lifecycle:
        first = self.tiers[0]
        if first.storage_class != "STANDARD" or first.after_days != 0:
            raise ValueError("the first tier must be STANDARD after 0 days (where objects land)")
        for prev, tier in zip(self.tiers, self.tiers[1:], strict=False):
            cls = tier.storage_class
            if cls == "STANDARD":
                raise ValueError("S3 never transitions objects back to STANDARD")
            minimum = S3_MIN_TRANSITION_DAYS.get(cls, 0)
            if tier.after_days < minimum:
                raise ValueError(
                    f"S3 rejects a transition to {cls} after {tier.after_days} days; "
                    f"the minimum is {minimum} days"
                )
            if tier.after_days <= prev.after_days:
                raise ValueError(
                    f"tier {cls} after {tier.after_days} days must come later than "
                    f"{prev.storage_class} after {prev.after_days} days"
                )
            if S3_WATERFALL.index(cls) <= S3_WATERFALL.index(prev.storage_class) or (
                (prev.storage_class, cls) in S3_FORBIDDEN_TRANSITIONS
            ):
                raise ValueError(f"S3 does not transition {prev.storage_class} to {cls}")
        last = self.tiers[-1]
        if self.expire_after_days is not None and self.expire_after_days <= last.after_days:
            raise ValueError(
                f"expire_after_days {self.expire_after_days} must be greater than the last "
                f"transition ({last.storage_class} after {last.after_days} days)"
            )
        return self


class Bucket(Model):
    name: Name = Field(description="data class: datasets, checkpoints, embeddings, logs...")
    versioning: bool = True
    lifecycle: Lifecycle | None = Field(default=None, description="overrides storage.lifecycle")


class EbsClasses(Model):
    hot: Literal["gp3", "io2", "gp2"] = "gp3"
    warm: Literal["st1", "sc1", "gp3"] = "st1"
    # gp3 baseline (EBS documentation): 3,000 IOPS and 125 MiB/s at no extra charge.
    root_iops: int = Field(default=3000, ge=3000, le=80_000)
    root_throughput_mibps: int = Field(default=125, ge=125, le=2000)


class Storage(Model):
    lifecycle: Lifecycle
    buckets: list[Bucket] = Field(min_length=1)
    ebs: EbsClasses = EbsClasses()
    abort_incomplete_multipart_days: PositiveDays = 7

    @model_validator(mode="after")
    def _unique(self) -> Storage:
        check_unique("bucket", [b.name for b in self.buckets], "buckets")
        return self
