"""Right-sizing's kinds: run another type, fewer instances, a shared GPU, or keep what there is.

What each kind asks of the pool (`pool`, `region`) it names:
- keep, not-enough-data: nothing; proposed == current.
- downsize, upsize, change-family: run `proposed.instance_type` instead of `current.instance_type`
  for `target` (one instance; `count` 1).
- remove: `proposed.count` 0, `proposed.instance_type` None: one instance fewer in the pool.
- share: `targets` (current.count instances of one pool) become `proposed.count` (1) instance of
  `proposed.instance_type` whose GPU is time-sliced into `proposed.gpu_replicas` replicas
  (the pool's `gpu_sharing.time_slicing_replicas`); `target` is the pool.
- scale-out: `target` is the pool, `targets` its saturated members; `proposed.count` instances of
  `proposed.instance_type` (the pool's type) are added; the saving is negative (it costs money).
Every resource of the telemetry appears in exactly one of them (keep and not-enough-data
included), so savings add up and nothing is silently skipped. Committed capacity shows a saving
of 0 until its term ends (`evidence.price_basis` says which price was used).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from optimizers.recommendation.common import Kind, Model, RecommendationBase


class Mode(StrEnum):
    OURS = "ours"
    COMPUTE_OPTIMIZER = "compute-optimizer"
    KRR = "krr"


Purchase = Literal["on-demand", "spot", "committed"]


class SizingCurrent(Model):
    instance_type: str
    count: int = Field(ge=0)
    purchase: Purchase


class SizingProposed(Model):
    instance_type: str | None = Field(description="None when the proposal removes the capacity")
    count: int = Field(ge=0)
    gpu_replicas: int | None = Field(
        default=None, description="time-slicing replicas per GPU (share); None: whole GPUs"
    )


class SeriesSummary(Model):
    """Statistics of one metric over the window, as used (after any interval reduction)."""

    metric: str
    count: int
    percentiles: dict[str, float] = Field(description="'p99.5' -> value")
    max: float


class PriceFigure(Model):
    """One figure as used, with where it came from: a price in `usd_per_hour`, or a discount
    off on-demand in `discount_pct` (the typical spot saving, a commitment's discount). None:
    missing in the table."""

    instance_type: str
    region: str
    basis: Purchase
    usd_per_hour: float | None
    discount_pct: float | None = None
    source: str | None = None
    date: str | None = None


class SizingEvidence(Model):
    mode: Mode
    window_start: int | None = Field(description="Unix seconds")
    window_end: int | None
    lookback_s: int
    sample_count: int = Field(description="samples of the scarcest required series in the window")
    span_s: int = Field(description="time covered by those samples")
    percentiles_used: dict[str, str] = Field(description="quantity -> statistic, e.g. 'p99.5'")
    headroom_pct: float
    series: list[SeriesSummary] = Field(default_factory=list)
    busy_metric: str | None = Field(default=None, description="what GPU busy-ness was read from")
    projected: dict[str, float] = Field(
        default_factory=dict, description="needs on the proposal: busy %, memory GiB..."
    )
    price_basis: Purchase | None = None
    prices: list[PriceFigure] = Field(default_factory=list)
    catalog_source: str | None = None
    notes: list[str] = Field(default_factory=list)
    share_if_inference_usd: float | None = Field(
        default=None,
        description="monthly: this resource's part of what sharing GPUs would save were its "
        "pool (role unknown) an inference pool; `aeon report` totals it",
    )


SIZING_KINDS = frozenset(
    {Kind.KEEP, Kind.DOWNSIZE, Kind.UPSIZE, Kind.CHANGE_FAMILY, Kind.REMOVE, Kind.SHARE,
     Kind.NOT_ENOUGH_DATA, Kind.SCALE_OUT}
)  # fmt: skip


class SizingRecommendation(RecommendationBase):
    pool: str
    region: str
    kind: Literal[
        Kind.KEEP, Kind.DOWNSIZE, Kind.UPSIZE, Kind.CHANGE_FAMILY, Kind.REMOVE, Kind.SHARE,
        Kind.NOT_ENOUGH_DATA, Kind.SCALE_OUT,
    ]  # fmt: skip
    current: SizingCurrent
    proposed: SizingProposed
    evidence: SizingEvidence

    @model_validator(mode="after")
    def _removal_has_no_type(self) -> SizingRecommendation:
        if (self.kind is Kind.REMOVE) != (self.proposed.instance_type is None):
            raise ValueError("proposed.instance_type is None exactly when the kind is remove")
        return self

    def current_text(self) -> str:
        cur = self.current
        return f"{cur.count} x {cur.instance_type} ({cur.purchase})"

    def proposed_text(self) -> str:
        p = self.proposed
        if p.instance_type is None:
            return "none"
        text = f"{'+' if self.kind is Kind.SCALE_OUT else ''}{p.count} x {p.instance_type}"
        return text + (f" ({p.gpu_replicas} replicas/GPU)" if p.gpu_replicas else "")


class PoolUtilization(Model):
    """How busy one pool was over the window, for the report's charts (optional in the file).

    `bins[i]` counts samples with utilization in [i * bin_pct, (i + 1) * bin_pct) percent of the
    current capacity (the last bin includes 100). `proposed_pct` is the busiest projected
    utilization on the proposed capacity among the pool's recommendations (None: no projection).
    """

    pool: str
    region: str
    metric: str
    bin_pct: float = 5.0
    bins: list[int]
    samples: int
    percentiles: dict[str, float] = Field(description="'p50', 'p95', 'p99' -> percent")
    max: float
    proposed_pct: float | None = None
