"""One bucket's lifecycle recommendation: the cheapest valid lifecycle against the alternatives.

Pure: a `BucketProfile` (from `collect.read_bucket`), the service price table and the bucket's
current lifecycle in; a `BucketPlan` out, whose `proposed` and `evidence` have the recommendation
model's `lifecycle` shapes. The retention (expiration) is the owner's decision: it is kept.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from optimizers.service_prices import ServicePrices

from .cost_model import CostModel, MonthlyCost
from .lifecycle import Lifecycle, Transition, infer_from_classes
from .prices import UnpricedRegion, s3_prices
from .profile import BucketProfile
from .search import cheapest_lifecycle

# Seed framework §3.1 tiers (hot 7 d, warm 30 d, archive) as the stack maps them onto what S3
# accepts (no Standard-IA before day 30): Intelligent-Tiering from day 7, Glacier from day 37.
FRAMEWORK_TRANSITIONS = (
    Transition(days=7, storage_class="INTELLIGENT_TIERING"),
    Transition(days=37, storage_class="GLACIER"),
)
DEFAULT_HORIZON_DAYS = 1095  # buckets that never expire: three years of an object's life
READ_AGE_BINS = (0, 7, 30, 90, 180, 365, 730)
# A proposal must save at least this share of the current cost to replace it.
MIN_SAVING_SHARE = 0.01


class BucketPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    bucket: str
    region: str
    priced: bool
    changed: bool
    current: Lifecycle
    current_inferred: bool
    proposed: Lifecycle
    monthly_cost_before_usd: float | None
    monthly_cost_after_usd: float | None
    monthly_saving_usd: float | None
    evidence: dict = Field(description="recommendation model's evidence.storage")
    notes: list[str] = Field(default_factory=list)


def plan_bucket(
    profile: BucketProfile,
    prices: ServicePrices,
    region: str,
    *,
    current: Lifecycle | None = None,
    retention_days: int | None = None,
    allow_restore: bool = False,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> BucketPlan:
    """`current` None: the bucket is not the stack's; its lifecycle is inferred from the inventory
    and its retention is `retention_days` (None: it never expires)."""
    notes = list(profile.notes)
    inferred = current is None
    if current is None:
        current, why = infer_from_classes(profile.classes, retention_days)
        notes += why
    expires = current.expiration_days is not None
    ages = current.expiration_days or max(horizon_days, profile.ages)
    if not expires:
        notes.append(
            f"the bucket never expires objects: costs cover the first {ages} days of each object"
        )
    evidence: dict = {
        "objects": profile.objects,
        "bytes": profile.bytes,
        "predicted_monthly_usd": None,
        "reads_by_age": reads_by_age(profile),
        "reads_source": profile.reads_source,
        "log_days": round(profile.log_days, 2),
        "size_histogram": profile.size_histogram,
        "invalid_object_state_reads": int(profile.invalid_object_state.sum()),
    }
    try:
        sheet = s3_prices(prices, region)
    except UnpricedRegion as err:
        notes.append(f"unpriced: {err}")
        return BucketPlan(
            bucket=profile.bucket, region=region, priced=False, changed=False, current=current,
            current_inferred=inferred, proposed=current, monthly_cost_before_usd=None,
            monthly_cost_after_usd=None, monthly_saving_usd=None, evidence=evidence, notes=notes,
        )  # fmt: skip
    model = CostModel(profile, sheet, ages, expires=expires, allow_restore=allow_restore)
    best, _ = cheapest_lifecycle(model)
    alternatives = {
        "current": current,
        "intelligent_tiering": Lifecycle(
            transitions=[Transition(days=0, storage_class="INTELLIGENT_TIERING")],
            expiration_days=current.expiration_days,
        ),
        "framework_default": Lifecycle(
            transitions=[t for t in FRAMEWORK_TRANSITIONS if t.days < ages],
            expiration_days=current.expiration_days,
        ),
    }
    costs: dict[str, MonthlyCost] = {k: model.evaluate(v) for k, v in alternatives.items()}
    proposed_cost = model.evaluate(best)
    broken = model.archived_reads_per_month(current)
    current_ok = not current.problems() and (allow_restore or broken == 0)
    saving = costs["current"].total - proposed_cost.total
    changed = not current_ok or saving > MIN_SAVING_SHARE * costs["current"].total
    proposed = best if changed else current
    after = proposed_cost if changed else costs["current"]
    if broken:
        notes.append(
            f"the current lifecycle archives objects still read: about {broken:,.0f} GETs a month "
            f"would fail with InvalidObjectState ({int(profile.invalid_object_state.sum())} seen "
            "in the logs)"
        )
    if current.problems():
        notes.append("the current lifecycle breaks S3 rules: " + "; ".join(current.problems()))
    evidence["predicted_monthly_usd"] = {
        "proposed": round(after.total, 2),
        **{k: round(v.total, 2) for k, v in costs.items()},
    }
    evidence["breakdown_usd"] = {"proposed": after.rounded(), "current": costs["current"].rounded()}
    evidence["reads_broken_per_month"] = {
        k: round(model.archived_reads_per_month(v), 1)
        for k, v in {"proposed": proposed, **alternatives}.items()
    }
    evidence["model_ages_days"] = ages
    evidence["extrapolated_from_day"] = model.cohort.extrapolated_from
    evidence["archive_allowed_from_day"] = 0 if allow_restore else model.first_archive_day
    evidence["prices"] = sheet.sources
    return BucketPlan(
        bucket=profile.bucket,
        region=region,
        priced=True,
        changed=changed,
        current=current,
        current_inferred=inferred,
        proposed=proposed,
        monthly_cost_before_usd=round(costs["current"].total, 2),
        monthly_cost_after_usd=round(after.total, 2),
        monthly_saving_usd=round(costs["current"].total - after.total, 2),
        evidence=evidence,
        notes=notes,
    )


def reads_by_age(profile: BucketProfile) -> list[dict]:
    """Per age bin: how much of what the logs observed was read (objects of 128 KB or more)."""
    out = []
    edges = [*READ_AGE_BINS, None]
    for lo, hi in zip(edges, edges[1:], strict=False):
        if lo >= profile.ages:
            break
        part = slice(lo, hi)
        seen, seen_bytes = profile.exposure[part].sum(), profile.exposure_bytes[part].sum()
        out.append(
            {
                "from_day": lo,
                "to_day": hi,
                "object_days_observed": int(seen),
                "share_objects_read": _share(profile.read_days[part].sum(), seen),
                "share_bytes_read": _share(profile.read_days_bytes[part].sum(), seen_bytes),
                "gets": int(profile.gets[part].sum()),
                "heads": int(profile.heads[part].sum()),
                "invalid_object_state": int(profile.invalid_object_state[part].sum()),
            }
        )
    return out


def _share(part: float, whole: float) -> float | None:
    return round(float(np.divide(part, whole)), 6) if whole > 0 else None
