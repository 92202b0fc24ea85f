"""Hourly instance usage per (instance type, region) from a billing export: the planners' input.

The SQL (`sql/hourly_usage.sql`) sums instance-hours per hour, type, region and purchase option,
finding the type in the usage type (`...BoxUsage:TYPE`), the CUR's product column or the charge
description. What it cannot type is resolved here, in order: by the SKU (another row of the same
SKU and region named its type), then by the price table (the only type of that region whose
on-demand price equals the row's). Rows still without a type are counted and reported, never
guessed. An hour without rows is an hour of zero demand.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np

from optimizers.billing.errors import BillingInputError
from optimizers.pricing import ONDEMAND, PriceBook


class BillingSource(Protocol):
    label: str

    def query(self, question: str, **params: str) -> tuple[list[str], list[tuple[Any, ...]]]: ...

    def locate_problem(self, column: str) -> BillingInputError: ...


@dataclass
class UsageSeries:
    """Instance-hours of one type in one region, one value per hour of the window."""

    instance_type: str
    region: str
    on_demand: np.ndarray
    committed: np.ndarray  # covered by an existing reservation or savings plan
    spot: np.ndarray
    on_demand_rate: float | None  # USD per instance-hour, as billed (None: unknown)
    rate_source: str  # "billing" | "price-table" | "missing"
    effective_usd: float = 0.0  # what the window's rows cost after discounts

    @property
    def demand(self) -> np.ndarray:
        """Usage a commitment could cover: on-demand plus already committed (spot is not)."""
        return self.on_demand + self.committed


@dataclass
class UnknownTypes:
    rows: int = 0
    instance_hours: float = 0.0
    on_demand_usd: float = 0.0
    skus: list[str] = field(default_factory=list)


@dataclass
class HourlyUsage:
    source: str
    format: str
    window_start: datetime
    hours: int
    series: list[UsageSeries]
    unknown: UnknownTypes
    typed_by_sku_rows: int = 0
    typed_by_price_rows: int = 0

    @property
    def window_end(self) -> datetime:
        return self.window_start + timedelta(hours=self.hours)


def _hour(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0, tzinfo=None)


def _type_by_price(book: PriceBook | None, region: str | None, rate: float | None) -> str | None:
    if book is None or region is None or rate is None or rate <= 0:
        return None
    matches = {
        itype
        for (r, itype, name), fig in book.figures.items()
        if r == region
        and name == ONDEMAND
        and fig.number is not None
        and math.isclose(fig.number, rate, rel_tol=1e-9)
    }
    return matches.pop() if len(matches) == 1 else None


def read_hourly_usage(
    source: BillingSource, *, book: PriceBook | None = None, lookback_s: int | None = None
) -> HourlyUsage:
    """Instance usage of the export's window (the last `lookback_s`, or the whole span)."""
    names, rows = source.query("hourly_usage.sql")
    groups = [dict(zip(names, row, strict=True)) for row in rows]
    for g in groups:
        if g["problem"] is not None:
            raise source.locate_problem(g["problem"])
    starts = [g["first_start"] for g in groups if g["first_start"] is not None]
    ends = [g["last_end"] for g in groups if g["last_end"] is not None]
    if not starts:
        raise BillingInputError("holds no billing rows", path=source.label)
    wide = max((g["max_minutes"] or 0) for g in groups)
    if wide > 60:
        raise BillingInputError(
            f"instance usage rows span up to {wide / 60:g} hours: a daily or monthly export; "
            "commitment plans need hourly usage (export with hourly granularity)",
            path=source.label,
        )
    first, last = _hour(min(starts)), _hour(max(ends))
    if max(ends) > last:
        last += timedelta(hours=1)
    if lookback_s is not None:
        first = max(first, last - timedelta(seconds=lookback_s))
    hours = max(1, int((last - first).total_seconds() // 3600))
    instance = [g for g in groups if g["hour"] is not None]
    return _assemble(source, first, hours, instance, book)


def _sku_types(groups: Iterable[dict[str, Any]]) -> dict[tuple[str, str], str]:
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for g in groups:
        if g["instance_type"] and g["sku"]:
            seen[(g["sku"], g["region"])].add(g["instance_type"])
    return {key: types.pop() for key, types in seen.items() if len(types) == 1}


def _assemble(
    source: BillingSource,
    first: datetime,
    hours: int,
    groups: list[dict[str, Any]],
    book: PriceBook | None,
) -> HourlyUsage:
    by_sku = _sku_types(groups)
    unknown = UnknownTypes()
    arrays: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    priced: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    by_sku_rows = by_price_rows = 0
    for g in groups:
        offset = int((_hour(g["hour"]) - first).total_seconds() // 3600)
        if not 0 <= offset < hours:
            continue
        itype = g["instance_type"]
        rate = g["on_demand_usd"] / g["priced_hours"] if g["priced_hours"] else None
        if itype is None and (found := by_sku.get((g["sku"], g["region"]))):
            itype, by_sku_rows = found, by_sku_rows + g["rows"]
        if itype is None and (found := _type_by_price(book, g["region"], rate)):
            itype, by_price_rows = found, by_price_rows + g["rows"]
        if itype is None or g["region"] is None:
            unknown.rows += g["rows"]
            unknown.instance_hours += g["instance_hours"] or 0.0
            unknown.on_demand_usd += g["on_demand_usd"] or 0.0
            if g["sku"] and g["sku"] not in unknown.skus:
                unknown.skus.append(g["sku"])
            continue
        key = (itype, g["region"])
        series = arrays.setdefault(
            key, {p: np.zeros(hours) for p in ("on-demand", "committed", "spot")}
        )
        series[g["purchase"]][offset] += g["instance_hours"] or 0.0
        money = priced[key]
        if g["purchase"] != "spot":  # the on-demand rate of spot rows is not what they pay
            money[0] += g["on_demand_usd"] or 0.0
            money[1] += g["priced_hours"] or 0.0
        money[2] += g["effective_usd"] or 0.0
    series_list = []
    for (itype, region), parts in sorted(arrays.items()):
        od_usd, od_hours, effective = priced[(itype, region)]
        rate, basis = (od_usd / od_hours, "billing") if od_hours > 0 else (None, "missing")
        if rate is None and book is not None:
            rate = book.number(region, itype, ONDEMAND)
            basis = "price-table" if rate is not None else "missing"
        series_list.append(
            UsageSeries(
                itype, region, parts["on-demand"], parts["committed"], parts["spot"],
                rate, basis, effective,
            )
        )  # fmt: skip
    return HourlyUsage(
        source=source.label,
        format=str(getattr(getattr(source, "layout", None), "format", "")),
        window_start=first,
        hours=hours,
        series=series_list,
        unknown=unknown,
        typed_by_sku_rows=by_sku_rows,
        typed_by_price_rows=by_price_rows,
    )
