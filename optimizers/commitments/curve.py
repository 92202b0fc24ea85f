"""The cost of committing to c instances over an hourly demand, and its exact integer optimum.

Over H hours of demand D_h, committing c instances at `rate` (USD per instance-hour, upfront spread
over the term) while paying `on_demand` for what exceeds c costs

    cost(c) = H * c * rate + on_demand * sum_h max(0, D_h - c)

It is convex and piecewise linear in c: each unit more saves `on_demand` in every hour whose demand
exceeds it and costs `rate` in every hour. So the real optimum is a quantile of D (the demand
exceeded in a share rate / on_demand of the hours) and the integer optimum is one of the two
integers around it: sorting D once answers every rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

HOURS_PER_MONTH = 730  # AWS pricing convention (8,760 h / 12)


def cents(value: float) -> float:
    """Money to the cent, half up (as a bill rounds), from the float's shortest decimal form."""
    return float(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def window_cost(demand: np.ndarray, units: float, rate: float, on_demand: float) -> float:
    """USD over the window, evaluated directly (the figure every report shows)."""
    excess = np.maximum(demand - units, 0.0)
    return len(demand) * units * rate + on_demand * math.fsum(excess)


@dataclass(frozen=True)
class SortedDemand:
    """Demand sorted once, with suffix sums, so cost(c) is a binary search."""

    values: np.ndarray  # ascending
    suffix: np.ndarray  # suffix[i] = sum(values[i:]); len + 1 entries

    @classmethod
    def of(cls, demand: np.ndarray) -> SortedDemand:
        values = np.sort(np.asarray(demand, dtype=float))
        suffix = np.concatenate([np.cumsum(values[::-1])[::-1], [0.0]])
        return cls(values, suffix)

    @property
    def hours(self) -> int:
        return len(self.values)

    @property
    def total(self) -> float:
        return float(self.suffix[0]) if self.hours else 0.0

    def excess(self, units: float) -> float:
        """sum_h max(0, D_h - units)."""
        i = int(np.searchsorted(self.values, units, side="right"))
        return float(self.suffix[i]) - units * (self.hours - i)

    def covered(self, units: float) -> float:
        """sum_h min(D_h, units): the instance-hours the commitment covers."""
        return self.total - self.excess(units)

    def cost(self, units: float, rate: float, on_demand: float) -> float:
        return self.hours * units * rate + on_demand * self.excess(units)


def optimal_units(demand: SortedDemand, rate: float, on_demand: float) -> int:
    """The integer commitment of lowest cost (the smaller one on a tie): a quantile of demand."""
    if demand.hours == 0 or demand.values[-1] <= 0 or on_demand <= 0 or rate >= on_demand:
        return 0
    # Real optimum: the smallest c with #{D_h > c} <= H * rate / on_demand.
    allowed = math.floor(demand.hours * rate / on_demand)
    index = max(0, demand.hours - allowed - 1)
    quantile = float(demand.values[index])
    low = max(0, math.floor(quantile))
    candidates = {low, low + 1, max(0, low - 1)}
    return min(sorted(candidates), key=lambda c: (demand.cost(c, rate, on_demand), c))


def heuristic_units(demand: np.ndarray, rate: float, on_demand: float) -> int:
    """Cost Explorer's way: each distinct hourly demand (whole instances) is a candidate; keep
    the cheapest. Never better than `optimal_units`; equal when demand comes in whole units."""
    sd = SortedDemand.of(demand)
    candidates = np.unique(np.floor(sd.values)).astype(int)
    if len(candidates) == 0:
        return 0
    return int(min(candidates, key=lambda c: (sd.cost(int(c), rate, on_demand), int(c))))


def break_even_hours_per_month(rate: float, on_demand: float) -> float | None:
    """Hours a month an instance must run for its commitment to cost less than on-demand."""
    if on_demand <= 0:
        return None
    return HOURS_PER_MONTH * rate / on_demand


@dataclass(frozen=True)
class CurvePoint:
    units: int
    cost_usd: float


def curve_points(
    demand: SortedDemand, rate: float, on_demand: float, best: int, width: int = 2
) -> list[CurvePoint]:
    """The cost at best-width .. best+width, and at no commitment and the peak, for the report."""
    top = math.ceil(demand.values[-1]) if demand.hours else 0
    levels = {0, top} | {c for c in range(best - width, best + width + 1) if 0 <= c <= top}
    return [CurvePoint(c, cents(demand.cost(c, rate, on_demand))) for c in sorted(levels)]
