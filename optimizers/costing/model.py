"""What the cost model produces: priced lines per resource, the unpriced, a stack's report.

Monthly figures use 730 hours a month (AWS's and infracost's convention: 8,760 h / 12). A line
is `{component, unit, quantity, unit_usd, monthly_usd}`; a usage-based line with no usage has
quantity 0 and costs 0 whether or not its price is known (`unit_usd` None when it is not).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

HOURS_PER_MONTH = 730.0
CURRENCY = "USD"


def money(value: float) -> float:
    return round(value + 0.0, 2)


@dataclass(frozen=True)
class CostLine:
    component: str  # what is paid for: "Instance usage (Linux, spot, g6e.12xlarge)"
    unit: str  # unit of `quantity` and `unit_usd`: hours, GB, 1M requests, ...
    quantity: float  # per month
    unit_usd: float | None
    price: str = ""  # where unit_usd comes from: "<region>/<price key>" or a price-table figure
    estimate: bool = False  # a derived figure (spot from the Spot Advisor saving)
    usage_based: bool = False  # quantity from the usage file (0 when the file has none)

    @property
    def monthly_usd(self) -> float:
        return 0.0 if not self.quantity else self.quantity * (self.unit_usd or 0.0)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "component": self.component,
            "unit": self.unit,
            "quantity": round(self.quantity, 6),
            "unit_usd": None if self.unit_usd is None else round(self.unit_usd, 6),
            "monthly_usd": money(self.monthly_usd),
            "price": self.price,
        }
        if self.estimate:
            out["estimate"] = True
        if self.usage_based:
            out["usage_based"] = True
        return out


@dataclass(frozen=True)
class ResourceCost:
    urn: str
    type: str
    name: str
    region: str
    component: str  # the nearest component resource: "GpuNodePool training", or "" at the top
    lines: tuple[CostLine, ...] = ()
    free: bool = False
    note: str = ""  # why it is free, or how it was priced
    warnings: tuple[str, ...] = ()

    @property
    def monthly_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "region": self.region,
            "component": self.component,
            "monthly_usd": money(self.monthly_usd),
            "lines": [line.as_json() for line in self.lines],
        }
        if self.free:
            out["free"] = True
        if self.note:
            out["note"] = self.note
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class Unpriced:
    urn: str
    type: str
    name: str
    region: str
    component: str
    why: str

    def as_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "region": self.region,
                "why": self.why}  # fmt: skip


@dataclass(frozen=True)
class CostReport:
    project: str
    stack: str
    price_date: str
    resources: tuple[ResourceCost, ...]
    unpriced: tuple[Unpriced, ...]
    warnings: tuple[str, ...] = ()

    @property
    def total_monthly_usd(self) -> float:
        return sum(r.monthly_usd for r in self.resources)

    def by_urn(self) -> dict[str, ResourceCost | Unpriced]:
        return {r.urn: r for r in (*self.resources, *self.unpriced)}

    def totals_by(self, key: str) -> dict[str, float]:
        """Monthly totals by `component` or `region`, largest first."""
        sums: dict[str, float] = defaultdict(float)
        for r in self.resources:
            sums[getattr(r, key) or "(top level)"] += r.monthly_usd
        return dict(sorted(sums.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "project": self.project,
            "currency": CURRENCY,
            "price_date": self.price_date,
            "total_monthly_usd": money(self.total_monthly_usd),
            "by_region": {k: money(v) for k, v in self.totals_by("region").items()},
            "by_component": {k: money(v) for k, v in self.totals_by("component").items()},
            "resources": [r.as_json() for r in self.resources],
            "unpriced": [u.as_json() for u in self.unpriced],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ResourceChange:
    urn: str
    type: str
    name: str
    change: str  # add | remove | update
    base_monthly_usd: float | None  # None: absent on that side, or unpriced there
    head_monthly_usd: float | None
    why_unpriced: str = ""

    @property
    def delta_monthly_usd(self) -> float | None:
        if self.change == "add":
            return self.head_monthly_usd
        if self.change == "remove":
            return None if self.base_monthly_usd is None else -self.base_monthly_usd
        if self.base_monthly_usd is None or self.head_monthly_usd is None:
            return None
        return self.head_monthly_usd - self.base_monthly_usd

    def as_json(self) -> dict[str, Any]:
        delta = self.delta_monthly_usd
        out: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "change": self.change,
            "base_monthly_usd": _maybe_money(self.base_monthly_usd),
            "head_monthly_usd": _maybe_money(self.head_monthly_usd),
            "delta_monthly_usd": _maybe_money(delta),
        }
        if self.why_unpriced:
            out["why_unpriced"] = self.why_unpriced
        return out


def _maybe_money(value: float | None) -> float | None:
    return None if value is None else money(value)


@dataclass(frozen=True)
class CostDiff:
    stack: str
    base: str  # the git ref or plan file the base came from
    base_report: CostReport
    head_report: CostReport
    changes: tuple[ResourceChange, ...] = field(default_factory=tuple)

    @property
    def base_total_monthly_usd(self) -> float:
        return self.base_report.total_monthly_usd

    @property
    def head_total_monthly_usd(self) -> float:
        return self.head_report.total_monthly_usd

    @property
    def unpriced_changes(self) -> tuple[ResourceChange, ...]:
        """Changes of unknown cost: the resource is unpriced on a side where it exists."""
        return tuple(c for c in self.changes if c.delta_monthly_usd is None)

    @property
    def total_delta_monthly_usd(self) -> float:
        """The sum of the known deltas. Not head total - base total: a resource that goes from
        priced to unpriced would read as a saving of its whole cost (and one priced only in the
        head as an addition); it is listed under `unpriced_changes` instead."""
        return sum(c.delta_monthly_usd or 0.0 for c in self.changes)

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "base": self.base,
            "currency": CURRENCY,
            "price_date": self.head_report.price_date,
            "base_total_monthly_usd": money(self.base_total_monthly_usd),
            "head_total_monthly_usd": money(self.head_total_monthly_usd),
            "total_delta_monthly_usd": money(self.total_delta_monthly_usd),
            "changes": [c.as_json() for c in self.changes],
            "unpriced_changes": [c.urn for c in self.unpriced_changes],
            "base_unpriced": len(self.base_report.unpriced),
            "head_unpriced": len(self.head_report.unpriced),
            "warnings": list(self.head_report.warnings),
        }
