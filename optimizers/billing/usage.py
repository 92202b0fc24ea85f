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


def _arrays(source: BillingSource) -> dict[str, np.ndarray]:
    fast = getattr(source, "query_arrays", None)
    if fast is not None:
        return fast("hourly_usage.sql")
    names, rows = source.query("hourly_usage.sql")
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    arrays = {n: np.array(c, dtype=object) for n, c in zip(names, columns, strict=True)}
    for name in ("hour", "first_start", "last_end"):
        arrays[name] = np.array(
            [np.datetime64("NaT") if v is None else np.datetime64(v, "us") for v in arrays[name]],
            dtype="datetime64[us]",
        )
    for name in ("rows", "instance_hours", "priced_hours", "on_demand_usd", "effective_usd",
                 "max_minutes"):  # fmt: skip
        arrays[name] = np.array([np.nan if v is None else v for v in arrays[name]], dtype=float)
    return arrays


def _filled(values: np.ndarray) -> np.ndarray:
    """Numbers with SQL NULL (None or NaN, masked or not) as 0."""
    out = np.ma.filled(np.ma.asarray(values, dtype=float), 0.0)
    return np.nan_to_num(out, nan=0.0)


def read_hourly_usage(
    source: BillingSource, *, book: PriceBook | None = None, lookback_s: int | None = None
) -> HourlyUsage:
    """Instance usage of the export's window (the last `lookback_s`, or the whole span)."""
    cols = _arrays(source)
    for problem in np.ma.filled(np.ma.asarray(cols["problem"], dtype=object), None):
        if problem is not None:
            raise source.locate_problem(str(problem))
    starts = np.ma.filled(np.ma.asarray(cols["first_start"]), np.datetime64("NaT"))
    ends = np.ma.filled(np.ma.asarray(cols["last_end"]), np.datetime64("NaT"))
    if len(starts) == 0 or np.isnat(starts).all():
        raise BillingInputError("holds no billing rows", path=source.label)
    wide = float(_filled(cols["max_minutes"]).max(initial=0.0))
    if wide > 60:
        raise BillingInputError(
            f"instance usage rows span up to {wide / 60:g} hours: a daily or monthly export; "
            "commitment plans need hourly usage (export with hourly granularity)",
            path=source.label,
        )
    hour = np.timedelta64(1, "h")
    first = starts[~np.isnat(starts)].min().astype("datetime64[h]")
    last_end = ends[~np.isnat(ends)].max()
    last = last_end.astype("datetime64[h]")
    if last_end > last:
        last += hour
    if lookback_s is not None:
        first = max(first, last - np.timedelta64(int(lookback_s // 3600), "h"))
    hours = max(1, int((last - first) / hour))
    return _assemble(source, first, hours, cols, book)


def _object(values: np.ndarray) -> np.ndarray:
    return np.ma.filled(np.ma.asarray(values, dtype=object), None)


def _assemble(
    source: BillingSource,
    first: np.datetime64,
    hours: int,
    cols: dict[str, np.ndarray],
    book: PriceBook | None,
) -> HourlyUsage:
    stamps = np.ma.filled(np.ma.asarray(cols["hour"]), np.datetime64("NaT"))
    keep = ~np.isnat(stamps)
    offset = np.zeros(len(stamps), dtype=np.int64)
    offset[keep] = ((stamps[keep] - first) / np.timedelta64(1, "h")).astype(np.int64)
    keep &= (offset >= 0) & (offset < hours)
    itype, region = _object(cols["instance_type"])[keep], _object(cols["region"])[keep]
    purchase, sku = _object(cols["purchase"])[keep], _object(cols["sku"])[keep]
    offset = offset[keep]
    rows = _filled(cols["rows"])[keep]
    qty = _filled(cols["instance_hours"])[keep]
    priced, od_usd = _filled(cols["priced_hours"])[keep], _filled(cols["on_demand_usd"])[keep]
    effective = _filled(cols["effective_usd"])[keep]
    # SKUs of typed groups (first == last: one SKU) name the type of untyped rows of that SKU
    by_sku: dict[tuple[str, str], set[str]] = defaultdict(set)
    first_sku, last_sku = _object(cols["first_sku"])[keep], _object(cols["last_sku"])[keep]
    for t, r, a, b in zip(itype, region, first_sku, last_sku, strict=True):
        if t is not None and a is not None and a == b:
            by_sku[(a, r)].add(t)
    unknown = UnknownTypes()
    by_sku_rows = by_price_rows = 0
    for i in np.flatnonzero(np.equal(itype, None)):
        rate = od_usd[i] / priced[i] if priced[i] else None
        named = by_sku.get((sku[i], region[i]), set())
        if len(named) == 1:
            itype[i], by_sku_rows = next(iter(named)), by_sku_rows + int(rows[i])
        elif found := _type_by_price(book, region[i], rate):
            itype[i], by_price_rows = found, by_price_rows + int(rows[i])
        else:
            unknown.rows += int(rows[i])
            unknown.instance_hours += float(qty[i])
            unknown.on_demand_usd += float(od_usd[i])
            if sku[i] and sku[i] not in unknown.skus:
                unknown.skus.append(sku[i])
    typed = ~np.equal(itype, None) & ~np.equal(region, None)
    keys = np.array([f"{t}\x00{r}" for t, r in zip(itype[typed], region[typed], strict=True)])
    names, index = np.unique(keys, return_inverse=True) if len(keys) else (keys, keys)
    kinds = {"on-demand": 0, "committed": 1, "spot": 2}
    kind = np.array([kinds.get(p, 0) for p in purchase[typed]], dtype=np.int64)
    grid = np.zeros((len(names), 3, hours))
    np.add.at(grid, (index, kind, offset[typed]), qty[typed])
    not_spot = kind != 2  # the on-demand rate of spot rows is not what they pay
    od_sum = np.bincount(index, weights=od_usd[typed] * not_spot, minlength=len(names))
    od_hours = np.bincount(index, weights=priced[typed] * not_spot, minlength=len(names))
    paid = np.bincount(index, weights=effective[typed], minlength=len(names))
    series_list = []
    for k, name in enumerate(names):
        instance_type, where = str(name).split("\x00")
        rate, basis = (
            (round(od_sum[k] / od_hours[k], 10), "billing")
            if od_hours[k] > 0
            else (None, "missing")
        )
        if rate is None and book is not None:
            rate = book.number(where, instance_type, ONDEMAND)
            basis = "price-table" if rate is not None else "missing"
        series_list.append(
            UsageSeries(
                instance_type,
                where,
                grid[k, 0],
                grid[k, 1],
                grid[k, 2],
                rate,
                basis,
                float(paid[k]),
            )  # fmt: skip
        )
    return HourlyUsage(
        source=source.label,
        format=str(getattr(getattr(source, "layout", None), "format", "")),
        window_start=first.astype("datetime64[us]").astype(datetime),
        hours=hours,
        series=series_list,
        unknown=unknown,
        typed_by_sku_rows=by_sku_rows,
        typed_by_price_rows=by_price_rows,
    )
