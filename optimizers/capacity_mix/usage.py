"""Capacity units in use per pool and hour, from billing data or telemetry: pure.

A pool's sizes count units of its smallest type's capacity (GPUs in GPU pools, vCPUs in the
others: the groups' weighted capacity), so an instance of a type twice as large is 2 units.
- Billing: the usage series split by the `aeon:pool` tag; rows without the tag (or naming a pool
  the stack does not declare) go to the one pool of their region that lists their type, else
  they are reported as unattributed, never guessed. All purchase options count (on-demand,
  committed, spot): it is the capacity the pool ran.
- Telemetry: an instance counts in every hour in which any of its series has a sample.
The on-demand price of a unit is what the billing rows were billed at (weighted by hours), or
the price table's figure for the pool's first type (the preferred one of its overrides).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC

import numpy as np

from components.settings import Pool, StackSettings
from optimizers.billing.usage import HourlyUsage
from optimizers.pricing import ONDEMAND, PriceBook
from optimizers.telemetry.frame import TelemetryFrame

POOL_TAG = "aeon:pool"
HOUR_S = 3_600
CapacityOf = Callable[[Pool, str], int | None]  # a type's capacity in the pool's basis


@dataclass(frozen=True)
class PoolDemand:
    pool: str
    units: np.ndarray  # capacity units in use per hour of the window
    unit_on_demand_usd: float | None  # per unit-hour
    price_source: str  # "billing" | "price table" | "missing"


@dataclass(frozen=True)
class PoolUsage:
    source: str  # "billing focus-1.0", "telemetry csv"
    window_start: int  # Unix seconds
    hours: int
    pools: dict[str, PoolDemand]
    notes: list[str] = field(default_factory=list)


def units_of(pool: Pool, instance_type: str, capacity: CapacityOf) -> float | None:
    """Capacity units of one instance of `instance_type` in `pool` (None: unknown type)."""
    sizes = [c for c in (capacity(pool, t) for t in pool.instance_types) if c]
    mine = capacity(pool, instance_type)
    if not sizes or not mine:
        return None
    return mine / min(sizes)


def _book_price(pool: Pool, book: PriceBook | None, capacity: CapacityOf) -> float | None:
    first = pool.instance_types[0]
    price = None if book is None else book.number(pool.region, first, ONDEMAND)
    units = units_of(pool, first, capacity)
    return None if price is None or not units else price / units


def _owner(pools: list[Pool], instance_type: str, region: str) -> Pool | None:
    found = [p for p in pools if p.region == region and instance_type in p.instance_types]
    return found[0] if len(found) == 1 else None


def from_billing(
    usage: HourlyUsage,
    settings: StackSettings,
    capacity: CapacityOf,
    book: PriceBook | None = None,
) -> PoolUsage:
    """Per-pool demand from usage read with `by_tag=POOL_TAG`."""
    by_name = {p.name: p for p in settings.pools}
    units: dict[str, np.ndarray] = {}
    billed_usd: dict[str, float] = defaultdict(float)
    billed_units: dict[str, float] = defaultdict(float)
    left: dict[str, float] = defaultdict(float)  # instance-hours no pool took, by reason
    for s in usage.series:
        pool = by_name.get(s.tag or "") or _owner(settings.pools, s.instance_type, s.region)
        ran = s.on_demand + s.committed + s.spot
        if pool is None or pool.region != s.region:
            left[f"{s.instance_type} in {s.region}" + (f" tagged {s.tag}" if s.tag else "")] += (
                float(ran.sum())
            )
            continue
        size = units_of(pool, s.instance_type, capacity)
        if size is None:
            left[f"{s.instance_type} (not in the instance catalog)"] += float(ran.sum())
            continue
        units[pool.name] = units.get(pool.name, np.zeros(usage.hours)) + ran * size
        if s.on_demand_rate and s.rate_source == "billing":
            billed_usd[pool.name] += s.on_demand_rate * float(ran.sum())
            billed_units[pool.name] += size * float(ran.sum())
    pools = {}
    for name, demand in units.items():
        pool = by_name[name]
        if billed_units[name] > 0:
            price, basis = billed_usd[name] / billed_units[name], "billing"
        else:
            price = _book_price(pool, book, capacity)
            basis = "missing" if price is None else "price table"
        pools[name] = PoolDemand(name, demand, price, basis)
    notes = [
        f"{hours:,.1f} instance-hours of {what} belong to no pool of the stack (untagged with "
        f"{POOL_TAG}, and no single pool of that region lists the type): left out"
        for what, hours in sorted(left.items())
    ]
    start = int(usage.window_start.replace(tzinfo=UTC).timestamp())  # the readers' naive UTC
    return PoolUsage(f"billing {usage.format}", start, usage.hours, pools, notes)


def from_telemetry(
    frame: TelemetryFrame,
    end: int,
    lookback_s: int,
    settings: StackSettings,
    capacity: CapacityOf,
    book: PriceBook | None = None,
) -> PoolUsage:
    """Per-pool demand over [end - lookback_s, end]: instances present each hour."""
    hours = max(1, math.ceil(lookback_s / HOUR_S))
    start = end - hours * HOUR_S
    by_name = {p.name: p for p in settings.pools}
    present: dict[str, set[int]] = defaultdict(set)
    for key, series in frame.series.items():
        stamps = series.timestamps[(series.timestamps >= start) & (series.timestamps <= end)]
        hour = np.minimum((stamps - start) // HOUR_S, hours - 1)  # the sample at `end` too
        present[key.resource_id].update(hour.astype(int).tolist())
    units: dict[str, np.ndarray] = {}
    unknown: dict[str, int] = defaultdict(int)
    for rid, info in frame.resources.items():
        pool = by_name.get(info.pool)
        size = None if pool is None else units_of(pool, info.instance_type, capacity)
        if pool is None or size is None or pool.region != info.region:
            unknown[info.pool] += 1
            continue
        seen = np.zeros(hours)
        seen[sorted(present[rid])] = size
        units[pool.name] = units.get(pool.name, np.zeros(hours)) + seen
    pools = {}
    for name, demand in units.items():
        price = _book_price(by_name[name], book, capacity)
        pools[name] = PoolDemand(name, demand, price, "missing" if price is None else "price table")
    notes = [
        f"{n} resource(s) of pool {pool!r}: not a pool of the stack in that region, or a type "
        "the catalog lacks: left out"
        for pool, n in sorted(unknown.items())
    ]
    return PoolUsage(f"telemetry {frame.source}", start, hours, pools, notes)
