"""`aeon cost-report`: cost by one dimension, effective vs list, savings captured and missed.

Captured: what committed and spot usage cost below list price. Missed: commitments paid but idle
(FOCUS `CommitmentDiscountStatus` Unused), and on-demand usage above the exact commitment optimum
c* (the commitments plan's saving at its best option). Top movers: the change of effective cost
between the last two weeks of the data, largest first.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from optimizers.billing.errors import BillingInputError
from optimizers.billing.local import LocalBilling
from optimizers.billing.usage import read_hourly_usage
from optimizers.commitments import plan_commitments
from optimizers.commitments.curve import cents
from optimizers.commitments.rates import CommitmentRate
from optimizers.pricing import PriceBook

POOL_TAG = "aeon:pool"
DIMENSIONS = {
    "service": "service",
    "region": "coalesce(region, 'global')",
    "purchase": "CASE WHEN charge_category = 'usage' THEN purchase ELSE charge_category END",
    "pool": "tag_value",
}


@dataclass
class CostLine:
    key: str
    list_usd: float = 0.0
    effective_usd: float = 0.0
    billed_usd: float = 0.0
    commitment_saving_usd: float = 0.0
    spot_saving_usd: float = 0.0
    idle_commitment_usd: float = 0.0
    rows: int = 0

    def add(self, row: dict) -> None:
        for name in (
            "list_usd", "effective_usd", "billed_usd", "commitment_saving_usd",
            "spot_saving_usd", "idle_commitment_usd",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + (row[name] or 0.0))
        self.rows += row["rows"]

    def rounded(self) -> CostLine:
        return CostLine(
            self.key, *(cents(getattr(self, n)) for n in (
                "list_usd", "effective_usd", "billed_usd", "commitment_saving_usd",
                "spot_saving_usd", "idle_commitment_usd",
            )), rows=self.rows,
        )  # fmt: skip


@dataclass(frozen=True)
class Mover:
    key: str
    previous_usd: float
    last_usd: float

    @property
    def change_usd(self) -> float:
        return cents(self.last_usd - self.previous_usd)


@dataclass
class CostReport:
    source: str
    format: str
    by: str
    first_week: datetime | None
    last_week: datetime | None
    lines: list[CostLine]
    total: CostLine
    movers: list[Mover]
    weeks: list[tuple[datetime, float]]  # effective cost per week, all keys
    missed_on_demand_usd: float | None  # over the window, at the best per-type commitments
    missed_notes: list[str] = field(default_factory=list)
    unknown_instance_rows: int = 0


def build_cost_report(
    source: LocalBilling,
    by: str,
    *,
    book: PriceBook | None = None,
    rates: list[CommitmentRate] | None = None,
    top: int = 5,
) -> CostReport:
    if by.startswith("tag:"):
        tag, dimension = source.tag_expression(by[4:]), "tag_value"
    elif by in DIMENSIONS:
        tag = source.tag_expression(POOL_TAG) if by == "pool" else "CAST(NULL AS VARCHAR)"
        dimension = DIMENSIONS[by]
    else:
        raise BillingInputError(
            f"--by {by!r}: choose service, region, pool, purchase or tag:KEY"
        )  # fmt: skip
    names, rows = source.query("cost_by_week.sql", dimension=dimension, tag_expr=tag)
    groups = [dict(zip(names, r, strict=True)) for r in rows]
    for g in groups:
        if g["problem"] is not None:
            raise source.locate_problem(g["problem"])
    lines: dict[str, CostLine] = {}
    total = CostLine("total")
    weekly: dict[datetime, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for g in groups:
        lines.setdefault(g["key"], CostLine(g["key"])).add(g)
        total.add(g)
        if g["week"] is not None:
            weekly[g["week"]][g["key"]] += g["effective_usd"] or 0.0
    weeks = sorted(weekly)
    movers: list[Mover] = []
    if len(weeks) >= 2:
        prev, last = weekly[weeks[-2]], weekly[weeks[-1]]
        movers = [
            Mover(k, cents(prev.get(k, 0.0)), cents(last.get(k, 0.0)))
            for k in set(prev) | set(last)
        ]
        movers = sorted(movers, key=lambda m: (-abs(m.change_usd), m.key))[:top]
    missed, notes, unknown = _missed_on_demand(source, book, rates)
    ordered = sorted(lines.values(), key=lambda c: (-c.effective_usd, c.key))
    return CostReport(
        source=source.label,
        format=str(source.layout.format),
        by=by,
        first_week=weeks[0] if weeks else None,
        last_week=weeks[-1] if weeks else None,
        lines=[c.rounded() for c in ordered],
        total=total.rounded(),
        movers=movers,
        weeks=[(w, cents(math.fsum(weekly[w].values()))) for w in weeks],
        missed_on_demand_usd=missed,
        missed_notes=notes,
        unknown_instance_rows=unknown,
    )


def _missed_on_demand(
    source: LocalBilling, book: PriceBook | None, rates: list[CommitmentRate] | None
) -> tuple[float | None, list[str], int]:
    usage = read_hourly_usage(source, book=book)
    if not usage.series:
        return None, ["no EC2 instance usage: nothing to commit"], usage.unknown.rows
    plan = plan_commitments(usage, rates=rates, book=book)
    saving = math.fsum(p.saving_usd or 0.0 for p in plan.series)
    notes = []
    if rates is None:
        notes.append("at estimated commitment rates (price table); pass --rates FILE for yours")
    if usage.unknown.rows:
        notes.append(f"{usage.unknown.rows} instance row(s) without an instance type left out")
    return cents(saving), notes, usage.unknown.rows
