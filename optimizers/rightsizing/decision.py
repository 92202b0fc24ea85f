"""A sizing decision, typed, and the recommendation it becomes (money and evidence added)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from optimizers.recommendation import (
    Confidence,
    Kind,
    Risk,
    SizingCurrent,
    SizingEvidence,
    SizingProposed,
    SizingRecommendation,
    recommendation_id,
)
from optimizers.rightsizing.change_cost import PriceChange, cost_of
from optimizers.rightsizing.context import SizingContext
from optimizers.rightsizing.measure import Needs
from optimizers.rightsizing.risk import with_purchase_risk
from optimizers.telemetry.frame import ResourceInfo


@dataclass(frozen=True)
class Decision:
    """What one decision function chose for a resource (or a share group, `target` its pool)."""

    kind: Kind
    info: ResourceInfo  # the resource, or the group's first member
    targets: tuple[str, ...]
    current: SizingCurrent
    proposed: SizingProposed
    change: PriceChange
    risk: Risk
    confidence: Confidence | None
    need: Needs  # the resource's, or the group's scarcest member's
    notes: tuple[str, ...] = ()
    projected: Mapping[str, float] = field(default_factory=dict)
    target: str | None = None  # None: the resource itself
    missed_share_usd: float | None = None  # its part of what sharing would save (role unknown)

    @classmethod
    def for_resource(cls, kind: Kind, info: ResourceInfo, **rest) -> Decision:
        current = SizingCurrent(
            instance_type=info.instance_type, count=1, purchase=info.purchase.value
        )
        return cls(kind=kind, info=info, targets=(info.resource_id,), current=current, **rest)


def evidence(ctx: SizingContext, need: Needs, **extra) -> SizingEvidence:
    policy = ctx.policy
    return SizingEvidence(
        mode=policy.name,
        window_start=ctx.start,
        window_end=ctx.inputs.end,
        lookback_s=ctx.inputs.lookback_s,
        sample_count=need.sample_count,
        span_s=need.span_s,
        percentiles_used=policy.describe(),
        headroom_pct=policy.headroom_pct,
        series=need.summaries,
        busy_metric=need.busy_metric,
        catalog_source=ctx.inputs.catalog.source,
        **extra,
    )


def to_recommendation(ctx: SizingContext, d: Decision) -> SizingRecommendation:
    cost = cost_of(d.change)
    return SizingRecommendation(
        id=recommendation_id(d.kind, list(d.targets), d.proposed),
        target=d.target or d.info.resource_id,
        targets=sorted(d.targets),
        pool=d.info.pool,
        region=d.info.region,
        kind=d.kind,
        current=d.current,
        proposed=d.proposed,
        priced=cost.priced,
        monthly_cost_before_usd=cost.before_usd,
        monthly_cost_after_usd=cost.after_usd,
        monthly_saving_usd=cost.saving_usd,
        risk=with_purchase_risk(d.risk, d.info, ctx.pool(d.info)),
        confidence=d.confidence,
        evidence=evidence(
            ctx,
            d.need,
            projected=dict(d.projected),
            price_basis=cost.basis,
            prices=list(cost.figures),
            notes=[*d.notes, *cost.notes],
            share_if_inference_usd=d.missed_share_usd,
        ),
    )
