"""Hourly instance usage per (instance type, region) from a billing export: the planners' input.

The SQL (`sql/hourly_usage.sql`) groups the rows by what their type, region, purchase option and
rate come from (a few groups per series, whatever the number of hours), finds the type of each
group in its usage type (`...BoxUsage:TYPE`), the CUR's product column or the charge description,
and hands over each group's hourly rows as two arrays (epoch hour, instance-hours). Here every
group's rows are added into one dense array per series with numpy, so no Python runs per row.
What the SQL cannot type is resolved here, in order: by the SKU (another group of the same SKU and
region named its type), then by the price table (the only type of that region whose on-demand
price equals the rows'). Rows still without a type are counted and reported, never guessed. An
hour without rows is an hour of zero demand.
"""

from __future__ import annotations

import math
from collections import defaultdict
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

    def tag_expression(self, key: str) -> str: ...


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
    tag: str | None = None  # the value of the resource tag asked for (by_tag), if any

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


EPOCH = datetime(1970, 1, 1)


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


def _groups(source: BillingSource, tag_expr: str) -> dict[str, np.ndarray]:
    """The question's groups, one array per column (a few rows per series, not one per hour)."""
    fast = getattr(source, "query_arrays", None)
    if fast is not None:
        return fast("hourly_usage.sql", tag_expr=tag_expr)
    names, rows = source.query("hourly_usage.sql", tag_expr=tag_expr)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    out = {}
    for name, column in zip(names, columns, strict=True):
        out[name] = np.empty(len(column), dtype=object)
        out[name][:] = column
    return out


def _values(column: np.ndarray) -> list[Any]:
    """Python values with SQL NULL (None, NaN, NaT or masked) as None."""
    masked = np.ma.asarray(column)
    values = masked.data.astype(object).tolist()
    for i in np.flatnonzero(np.ma.getmaskarray(masked)):
        values[i] = None
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def _array(values: Any, dtype: type) -> np.ndarray:
    """A group's array (None: empty; a NULL element: 0)."""
    if values is None:
        return np.zeros(0, dtype=dtype)
    return np.ma.filled(np.ma.asarray(values, dtype=dtype), 0)


@dataclass
class _Group:
    """One row of the question: rows sharing type, region, purchase, SKU and on-demand rate."""

    instance_type: str | None
    region: str | None
    purchase: str | None
    sku: str | None
    rate: float | None
    tag: str | None
    offsets: np.ndarray  # hour of each of its hourly rows in the window (0 = the first hour)
    quantities: np.ndarray  # instance-hours of each of those rows

    @property
    def instance_hours(self) -> float:
        return float(self.quantities.sum())


def read_hourly_usage(
    source: BillingSource,
    *,
    book: PriceBook | None = None,
    lookback_s: int | None = None,
    by_tag: str | None = None,
) -> HourlyUsage:
    """Instance usage of the export's window (the last `lookback_s`, or the whole span); with
    `by_tag` (a resource tag key such as aeon:pool), one series per value of that tag too."""
    tag_expr = "CAST(NULL AS VARCHAR)" if by_tag is None else source.tag_expression(by_tag)
    cols = _groups(source, tag_expr)
    for problem in _values(cols["problem"]):
        if problem is not None:
            raise source.locate_problem(str(problem))
    starts = [v for v in _values(cols["first_start"]) if v is not None]
    ends = [v for v in _values(cols["last_end"]) if v is not None]
    if not starts or not ends:
        raise BillingInputError("holds no usage rows", path=source.label)
    wide = max([float(m) for m in _values(cols["max_minutes"]) if m is not None], default=0.0)
    if wide > 60:
        raise BillingInputError(
            f"instance usage rows span up to {wide / 60:g} hours: a daily or monthly export; "
            "commitment plans need hourly usage (export with hourly granularity)",
            path=source.label,
        )
    first = _epoch_hour(min(starts))
    last_end = max(ends)
    last = _epoch_hour(last_end) + (1 if _hour(last_end) != _naive(last_end) else 0)
    if lookback_s is not None:
        first = max(first, last - int(lookback_s // 3600))
    hours = max(1, last - first)
    groups = []
    for inst, itype, region, purchase, sku, rate, tag, epoch_hours, quantities in zip(
        _values(cols["is_instance"]), _values(cols["instance_type"]), _values(cols["region"]),
        _values(cols["purchase"]), _values(cols["sku"]), _values(cols["on_demand_rate"]),
        _values(cols["tag_value"]), _values(cols["hours"]), _values(cols["quantities"]),
        strict=True,
    ):  # fmt: skip
        if not inst:
            continue
        offsets = _array(epoch_hours, np.int64) - first
        amounts = _array(quantities, float)
        inside = (offsets >= 0) & (offsets < hours)
        if not inside.all():
            offsets, amounts = offsets[inside], amounts[inside]
        groups.append(
            _Group(itype, region, purchase, sku, None if rate is None else float(rate),
                   None if tag is None else str(tag), offsets, amounts)
        )  # fmt: skip
    del cols  # the query's arrays: the groups hold what is needed
    return _assemble(source, first, hours, groups, book)


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def _epoch_hour(value: datetime) -> int:
    return int((_hour(value) - EPOCH).total_seconds() // 3600)


def _resolve_types(groups: list[_Group], book: PriceBook | None) -> tuple[UnknownTypes, int, int]:
    """Type the groups the SQL could not: by SKU, then by price; count what stays unknown."""
    by_sku: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    for g in groups:
        if g.instance_type is not None and g.sku is not None:
            by_sku[(g.sku, g.region)].add(g.instance_type)
    unknown = UnknownTypes()
    by_sku_rows = by_price_rows = 0
    for g in groups:
        if g.instance_type is not None or not len(g.offsets):
            continue
        named = by_sku.get((g.sku, g.region), set())
        if len(named) == 1:
            g.instance_type, by_sku_rows = next(iter(named)), by_sku_rows + len(g.offsets)
        elif found := _type_by_price(book, g.region, g.rate):
            g.instance_type, by_price_rows = found, by_price_rows + len(g.offsets)
        else:
            unknown.rows += len(g.offsets)
            unknown.instance_hours += g.instance_hours
            unknown.on_demand_usd += g.instance_hours * (g.rate or 0.0)
            if g.sku and g.sku not in unknown.skus:
                unknown.skus.append(g.sku)
    return unknown, by_sku_rows, by_price_rows


KINDS = {"on-demand": 0, "committed": 1, "spot": 2}


def _series_order(name: tuple[str | None, str | None, str | None]) -> tuple[str, str, bool, str]:
    instance_type, region, tag = name
    return (instance_type or "", region or "", tag is not None, tag or "")


def _assemble(
    source: BillingSource, first: int, hours: int, groups: list[_Group], book: PriceBook | None
) -> HourlyUsage:
    unknown, by_sku_rows, by_price_rows = _resolve_types(groups, book)
    typed = [g for g in groups if g.instance_type is not None and g.region]
    names = sorted({(g.instance_type, g.region, g.tag) for g in typed}, key=_series_order)
    index = {name: k for k, name in enumerate(names)}
    grid = np.zeros((len(names), len(KINDS), hours))
    od_usd, od_hours = np.zeros(len(names)), np.zeros(len(names))
    for g in typed:
        k = index[(g.instance_type, g.region, g.tag)]
        # rows of one hour (several resources) add up
        grid[k, KINDS.get(g.purchase or "", 0)] += np.bincount(
            g.offsets, weights=g.quantities, minlength=hours
        )
        if g.rate and g.rate > 0 and g.purchase != "spot":  # what spot pays is not on-demand
            od_usd[k] += g.instance_hours * g.rate
            od_hours[k] += g.instance_hours
    series_list = []
    for k, (instance_type, where, tag) in enumerate(names):
        # the on-demand rate the window's rows were billed at, weighted by hours
        rate, basis = None, "missing"
        if od_hours[k] > 0:
            rate, basis = round(od_usd[k] / od_hours[k], 10), "billing"
        elif book is not None:
            rate = book.number(where, instance_type, ONDEMAND)
            basis = "price-table" if rate is not None else "missing"
        series_list.append(
            UsageSeries(instance_type, where, grid[k, 0], grid[k, 1], grid[k, 2], rate, basis, tag)
        )
    return HourlyUsage(
        source=source.label,
        format=str(getattr(getattr(source, "layout", None), "format", "")),
        window_start=EPOCH + timedelta(hours=first),
        hours=hours,
        series=series_list,
        unknown=unknown,
        typed_by_sku_rows=by_sku_rows,
        typed_by_price_rows=by_price_rows,
    )
