"""The `storage` planner: the cheapest valid S3 lifecycle for one bucket (kind `lifecycle`).

Inputs: the bucket's S3 Inventory and its reads (server access logs or CloudTrail data events),
read by DuckDB into a per-age profile (optimizers.storage.collect), and the service price table.
The engine (cost model, exact search) is optimizers.storage. A bucket the stack declares
(`--bucket datasets`) gets its tier keys' lifecycle as the current one and keeps their retention;
any other bucket's current lifecycle is inferred from the inventory and its retention is
`--retention-days`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field

from components.settings import StackSettings
from optimizers.errors import InputError
from optimizers.options import Options
from optimizers.planners.base import Planner, register
from optimizers.planners.inputs import (
    InputKey,
    InputLoader,
    LoadContext,
    PlanInputs,
    register_loader,
)
from optimizers.recommendation import Confidence, Kind, Risk, recommendation_id
from optimizers.recommendation.lifecycle import (
    CurrentLifecycle,
    LifecycleEvidence,
    LifecyclePolicy,
    LifecycleRecommendation,
    PredictedMonthly,
    ProposedLifecycle,
    ReadsAtAge,
    StorageFigures,
)
from optimizers.service_prices import SERVICE_PRICE_TABLE, ServicePrices, load_service_prices
from optimizers.storage.collect import read_bucket
from optimizers.storage.lifecycle import Lifecycle, from_settings
from optimizers.storage.plan import DEFAULT_HORIZON_DAYS, BucketPlan, plan_bucket
from optimizers.storage.profile import BucketProfile
from optimizers.storage.rules import ARCHIVE_CLASSES

READS_FROM = {"s3-access-logs": "access-logs", "cloudtrail": "cloudtrail"}
S3_BUCKET: InputKey[BucketProfile] = InputKey(
    "s3-bucket", "a bucket's objects by age (S3 Inventory) and its reads (access logs, CloudTrail)"
)
SERVICE_PRICES: InputKey[ServicePrices] = InputKey(
    "service-prices", "unit prices of S3 and other services (optimizers/service_prices.csv)"
)


class S3BucketOptions(Options):
    s3_inventory: Path | None = Field(
        None, description="An S3 Inventory report's manifest.json (CSV, Parquet or ORC files)."
    )
    access_logs: Path | None = Field(
        None, description="Folder of the bucket's S3 server access log files."
    )
    cloudtrail: Path | None = Field(
        None, description="CloudTrail S3 data events: a trail's .json(.gz) files or JSON Lines."
    )


@register_loader
class S3BucketLoader(InputLoader[BucketProfile]):
    key = S3_BUCKET
    Options = S3BucketOptions

    def load(
        self, context: LoadContext, options: S3BucketOptions, nested: Mapping[str, Any]
    ) -> BucketProfile:
        if options.s3_inventory is None:
            raise InputError("pass --s3-inventory MANIFEST (the inventory's manifest.json)")
        profile = read_bucket(
            options.s3_inventory, access_logs=options.access_logs, cloudtrail=options.cloudtrail
        )
        context.say(
            f"s3 inventory: {profile.objects:,} objects, {profile.bytes / 2**30:,.1f} GiB; "
            f"reads over {profile.log_days:.1f} days ({profile.reads_source})"
        )
        for note in profile.notes:
            context.say(f"warning: {note}")
        return profile

    def fingerprint(self, value: BucketProfile) -> str:
        return f"{value.bucket}:{value.inventory_date}:{value.objects}:{value.bytes}"

    def origin(self, value: BucketProfile) -> str:
        return value.reads_source


@register_loader
class ServicePricesLoader(InputLoader[ServicePrices]):
    key = SERVICE_PRICES

    def load(self, context: LoadContext, options: Options, nested: Mapping[str, Any]):
        return load_service_prices()

    def origin(self, value: ServicePrices) -> str:
        return SERVICE_PRICE_TABLE.name


class StorageOptions(Options):
    bucket: str | None = Field(
        None,
        description="The bucket: one the stack declares (datasets, checkpoints...) or any other "
        "(default: the inventory's bucket).",
    )
    retention_days: int | None = Field(
        None, ge=1, description="Expiration of a bucket the stack does not declare (default: none)."
    )
    allow_restore: bool = Field(
        False, description="Let objects still read go to Glacier Flexible/Deep Archive (restores)."
    )
    horizon_days: int = Field(
        DEFAULT_HORIZON_DAYS, ge=30, description="Object life priced when a bucket never expires."
    )
    bucket_region: str | None = Field(
        None, description="Region of a bucket the stack does not declare (prices are per region)."
    )


def stack_bucket(settings: StackSettings | None, name: str | None):
    if settings is None or settings.storage is None or name is None:
        return None
    return next((b for b in settings.storage.buckets if b.name == name), None)


@register
class Storage(Planner):
    name = "storage"
    title = "Storage tiering"
    description = "The cheapest valid S3 lifecycle for a bucket, from its inventory and its reads."
    Options = StorageOptions
    inputs = (S3_BUCKET, SERVICE_PRICES)
    kinds = frozenset({Kind.LIFECYCLE})

    def plan(self, inputs: PlanInputs, options: StorageOptions) -> list[LifecycleRecommendation]:
        profile, prices = inputs.get(S3_BUCKET), inputs.get(SERVICE_PRICES)
        settings = inputs.settings
        declared = stack_bucket(settings, options.bucket)
        current: Lifecycle | None = None
        retention = options.retention_days
        if declared is not None:
            assert settings is not None and settings.storage is not None
            current = from_settings(declared.lifecycle or settings.storage.lifecycle)
            region, target, retention = settings.primary_region.name, declared.name, None
        else:
            if options.bucket not in (None, profile.bucket):
                names = (
                    [b.name for b in settings.storage.buckets]
                    if settings and settings.storage
                    else []
                )
                raise InputError(
                    f"--bucket {options.bucket}: neither a bucket of the stack "
                    f"({', '.join(names) or 'none'}) nor the inventory's bucket {profile.bucket!r}"
                )
            if options.bucket_region is None:
                raise InputError(
                    f"bucket {profile.bucket!r} is not the stack's: pass --bucket-region (S3 "
                    "prices differ by region)"
                )
            region, target = options.bucket_region, profile.bucket
        plan = plan_bucket(
            profile, prices, region, current=current, retention_days=retention,
            allow_restore=options.allow_restore, horizon_days=options.horizon_days,
        )  # fmt: skip
        return [to_recommendation(plan, target, profile, options.allow_restore)]


def _policy(lifecycle: Lifecycle) -> LifecyclePolicy:
    return LifecyclePolicy.model_validate(lifecycle.model_dump())


def _confidence(profile: BucketProfile) -> Confidence:
    if profile.log_days >= 28:
        return Confidence.HIGH
    return Confidence.MEDIUM if profile.log_days >= 7 else Confidence.LOW


def _risk(plan: BucketPlan, allow_restore: bool) -> Risk:
    archived = [t for t in plan.proposed.transitions if t.storage_class in ARCHIVE_CLASSES]
    if not plan.changed or not archived:
        return Risk(level="low")
    restores = plan.evidence.get("breakdown_usd", {}).get("proposed", {}).get("restores", 0)
    if allow_restore and restores:
        return Risk(level="high", notes=["objects still read will need restores (hours)"])
    return Risk(
        level="medium",
        notes=["archived objects need a restore (hours) if they are read after all"],
    )


def to_recommendation(
    plan: BucketPlan, target: str, profile: BucketProfile, allow_restore: bool
) -> LifecycleRecommendation:
    costs = plan.evidence["predicted_monthly_usd"]
    reads = [
        ReadsAtAge(
            age_days=row["from_day"],
            objects_read_share=min(row["share_objects_read"], 1.0),
            bytes_read_share=min(row["share_bytes_read"] or 0.0, 1.0),
            archived_reads=row["invalid_object_state"],
        )
        for row in plan.evidence["reads_by_age"]
        if row["share_objects_read"] is not None
    ]
    figures = StorageFigures(
        objects=profile.objects,
        bytes=profile.bytes,
        predicted_monthly_usd=PredictedMonthly(**costs) if costs else None,
        reads_by_age=reads,
    )
    proposed = ProposedLifecycle(lifecycle=_policy(plan.proposed))
    notes = [*plan.notes]
    if plan.priced:
        broken = plan.evidence["reads_broken_per_month"]
        notes.append(
            f"reads an archive would refuse each month: current {broken['current']:g}, "
            f"framework default {broken['framework_default']:g}, proposed {broken['proposed']:g}"
        )
    return LifecycleRecommendation(
        id=recommendation_id(Kind.LIFECYCLE, [target], proposed),
        target=target,
        targets=[target],
        region=plan.region,
        kind=Kind.LIFECYCLE,
        current=CurrentLifecycle(lifecycle=_policy(plan.current), inferred=plan.current_inferred),
        proposed=proposed,
        priced=plan.priced,
        monthly_cost_before_usd=plan.monthly_cost_before_usd,
        monthly_cost_after_usd=plan.monthly_cost_after_usd,
        monthly_saving_usd=plan.monthly_saving_usd,
        risk=_risk(plan, allow_restore),
        confidence=_confidence(profile),
        evidence=LifecycleEvidence(
            storage=figures,
            reads_from=READS_FROM.get(profile.reads_source),
            allow_restore=allow_restore,
            notes=notes,
        ),
    )
