"""How capacity is bought: `commit` (a reservation or savings plan to buy) and `capacity-mix`
(a pool's on-demand base and spot share), the kinds of the commitments and capacity-mix planners.

commit: one per instance type x region with usage (the best term and payment; the others are in
`evidence.commitment.options`), plus one for the best Compute Savings Plan (`instance_type`,
`region` and `units` None; `usd_per_hour` is the plan's hourly commitment). Money over the window
is exact to the cent; monthly figures use 730 h. `target` is "<type>@<region>" or
"compute-savings-plan"; `targets` the usage series it covers.

capacity-mix: `target` and `pool` name the pool; `proposed.capacity` is the pool's whole
`capacity` block after the change (the stack's settings model), which `aeon apply` writes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from components.settings import CapacityMix
from optimizers.recommendation.common import DemandSummary, Kind, Model, RecommendationBase

CommitmentType = Literal["reserved-instance", "instance-savings-plan", "compute-savings-plan"]
Term = Literal["1y", "3y"]
Payment = Literal["no-upfront", "partial-upfront", "all-upfront"]


class Commitment(Model):
    """A commitment to buy. The rate is effective: any upfront spread evenly over the term."""

    type: CommitmentType
    instance_type: str | None = Field(description="None for a Compute Savings Plan")
    region: str | None = Field(description="None for a Compute Savings Plan")
    term: Term
    payment: Payment
    units: int | None = Field(ge=0, description="instances; None for a Compute Savings Plan")
    usd_per_hour: float = Field(ge=0, description="units x rate, or the plan's $/h commitment")

    @model_validator(mode="after")
    def _plan_spans_types(self) -> Commitment:
        plan = self.type == "compute-savings-plan"
        if plan != (self.instance_type is None and self.units is None):
            raise ValueError("instance_type and units are None exactly for a compute-savings-plan")
        return self


class CommitmentUsage(Model):
    """The usage as it is bought today, over the window."""

    instance_type: str | None
    region: str | None
    instance_hours: float = Field(ge=0, description="usage over the window")
    existing_covered_hours: float = Field(
        ge=0, description="of those, the hours commitments already held cover"
    )
    on_demand_usd_per_hour: float | None = Field(
        default=None, description="the on-demand rate billed per unit (ListUnitPrice)"
    )


class CommitProposal(Model):
    commitment: Commitment


class CostPoint(Model):
    units: int | None
    usd_per_hour: float | None = None  # for a Compute Savings Plan, whose units are $/h
    cost_usd_over_window: float


class CommitmentOption(Model):
    type: CommitmentType
    term: Term
    payment: Payment
    units: int | None
    usd_per_hour: float | None = None  # a Compute Savings Plan's commitment
    cost_usd_over_window: float


class CommitmentFigures(Model):
    """The chosen option's figures over the window; every option evaluated is in `options`."""

    hours: int = Field(ge=0, description="hours in the window; one without usage is zero demand")
    demand: DemandSummary
    cost_usd_over_window: float
    cost_without_commitment_usd: float
    coverage: float = Field(ge=0, le=1, description="sum min(D, c) / sum D")
    utilization: float | None = Field(
        ge=0, le=1, description="sum min(D, c) / (c x H); None when c is 0"
    )
    break_even_hours_per_month: float | None
    options: list[CommitmentOption]
    heuristic: CostPoint | None = Field(
        description="Cost Explorer's pick (each observed hour's usage as a candidate)"
    )
    curve: list[CostPoint] = Field(default_factory=list, description="costs around the optimum")
    per_type_cost_usd_over_window: float | None = Field(
        default=None, description="a Compute Savings Plan's: the per-type commitments' cost"
    )


class CommitmentEvidence(Model):
    commitment: CommitmentFigures
    window_start: int | None = Field(default=None, description="Unix seconds")
    window_end: int | None = None
    rates_source: str = Field(description="the --rates file, or the price table's estimate")
    estimate: bool = Field(description="True when the rates are the price table's estimates")
    notes: list[str] = Field(default_factory=list)


class CommitRecommendation(RecommendationBase):
    kind: Literal[Kind.COMMIT]
    current: CommitmentUsage
    proposed: CommitProposal
    evidence: CommitmentEvidence

    def current_text(self) -> str:
        cur = self.current
        return f"{cur.instance_hours:,.0f} h, {cur.existing_covered_hours:,.0f} h committed"

    def proposed_text(self) -> str:
        c = self.proposed.commitment
        amount = f"${c.usd_per_hour:,.2f}/h" if c.units is None else f"{c.units} x"
        what = c.instance_type or "compute"
        return f"{c.type} {amount} {what} {c.term} {c.payment}"


class CapacityState(Model):
    capacity: CapacityMix


class SpotFigure(Model):
    instance_type: str
    interruption_band: str | None = Field(description="Spot Advisor's band, e.g. '<5%'")
    saving_pct: float | None = Field(description="Spot Advisor's saving over on-demand")


class Diversification(Model):
    """As the policy pack counts it: interchangeable types across the sibling pools of one role
    in a region, and the region's availability zones."""

    instance_types: int = Field(ge=0, description="interchangeable types the pool lists")
    required_types: int | None = Field(default=None, description="what spot needs for its role")
    availability_zones: int = Field(ge=0)


class CapacityMixEvidence(Model):
    hours: int = Field(ge=0)
    demand: DemandSummary = Field(description="capacity units in use per hour")
    base_units: int = Field(ge=0, description="the on-demand base: the committed steady state")
    purchase_units: int = Field(
        default=0, ge=0, description="committed units to buy before the base is raised"
    )
    spot_share_pct: int = Field(ge=0, le=100, description="spot share above the base")
    spot: list[SpotFigure] = Field(default_factory=list)
    diversification: Diversification
    notes: list[str] = Field(default_factory=list)


class CapacityMixRecommendation(RecommendationBase):
    pool: str
    region: str
    kind: Literal[Kind.CAPACITY_MIX]
    current: CapacityState
    proposed: CapacityState
    evidence: CapacityMixEvidence

    def current_text(self) -> str:
        return _mix(self.current.capacity)

    def proposed_text(self) -> str:
        return _mix(self.proposed.capacity)


def _mix(c: CapacityMix) -> str:
    return f"base {c.committed}, {c.on_demand_percentage_above_base}% on-demand above"
