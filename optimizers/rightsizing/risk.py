"""How sure and how risky a sizing decision is: confidence from the data's span, risk by kind."""

from __future__ import annotations

from components.settings import Pool
from optimizers.recommendation import Confidence, Kind, Risk
from optimizers.rightsizing.policies import DAY_S
from optimizers.telemetry.frame import ResourceInfo

BASE_RISK = {
    Kind.KEEP: "low", Kind.NOT_ENOUGH_DATA: "low", Kind.UPSIZE: "low", Kind.DOWNSIZE: "low",
    Kind.CHANGE_FAMILY: "medium", Kind.REMOVE: "medium", Kind.SHARE: "medium",
    Kind.SCALE_OUT: "low",
}  # fmt: skip
# Kinds that take capacity away: a short window may have missed the weekly peak.
LOW_CONFIDENCE_RAISES = (Kind.DOWNSIZE, Kind.CHANGE_FAMILY, Kind.REMOVE, Kind.SHARE)


def confidence_of(span_s: int) -> Confidence:
    if span_s < DAY_S:
        return Confidence.LOW
    if span_s < 7 * DAY_S:
        return Confidence.MEDIUM
    return Confidence.HIGH


LEVELS = ("low", "medium", "high")


def risk_of(kind: Kind, confidence: Confidence | None, notes: list[str], raise_by: int = 0) -> Risk:
    """The kind's base risk, one level up for low confidence on kinds that take capacity away,
    and `raise_by` levels up for what the caller could not check (capped at high)."""
    step = raise_by
    notes = list(notes)
    if confidence is Confidence.LOW and kind in LOW_CONFIDENCE_RAISES:
        step += 1
        notes.append("low confidence: under 24 h of data; a weekly peak may be missing")
    level = LEVELS[min(len(LEVELS) - 1, LEVELS.index(BASE_RISK[kind]) + step)]
    return Risk(level=level, notes=notes)  # type: ignore[arg-type]


def with_purchase_risk(risk: Risk, info: ResourceInfo, pool: Pool | None) -> Risk:
    """Spot capacity in a pool not marked interruptible is high risk whatever the change."""
    if info.purchase.value == "spot" and pool is not None and not pool.interruptible:
        return Risk(
            level="high",
            notes=[
                *risk.notes,
                f"bought as spot in pool {pool.name}, which is not marked interruptible: "
                "a 2-minute interruption notice stops the workload",
            ],
        )
    return risk
