"""The exact optimum of one Compute Savings Plan across instance types and regions.

A Compute Savings Plan is one commitment of S USD per hour. Each hour AWS applies it to the usage
with the highest discount first (AWS Savings Plans user guide, "How Savings Plans apply to your
usage"): covering x instance-hours of series i uses x * s_i of the commitment (s_i its Savings Plan
rate) and saves x * p_i of on-demand (p_i its on-demand rate). With series ordered by discount, an
hour's saving is concave and piecewise linear in S (slope p_i / s_i while series i is being
covered), so the window's cost

    G(S) = H * S + sum_h (on-demand cost of hour h) - sum_h saving_h(S)

is convex and piecewise linear; its minimum lies on a breakpoint (the commitment at which some
hour's series is fully covered). Sorting every breakpoint and adding the slope changes finds it
exactly. AWS accepts a commitment with at most five decimals, so the optimum is rounded to the
cheaper of its two neighbours at 0.00001 USD/h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

COMMITMENT_STEP = 1e-5  # CreateSavingsPlan: "no more than five digits after the decimal point"


@dataclass(frozen=True)
class SavingsPlanInput:
    """Hourly demand (H x n instance-hours), on-demand and Savings Plan rates of n series."""

    demand: np.ndarray
    on_demand: np.ndarray
    sp_rate: np.ndarray

    def ordered(self) -> SavingsPlanInput:
        """Series with a discount only, highest discount (p / s) first."""
        keep = (self.sp_rate > 0) & (self.sp_rate < self.on_demand)
        ratio = np.where(keep, self.on_demand / np.where(keep, self.sp_rate, 1.0), 0.0)
        order = [i for i in np.argsort(-ratio, kind="stable") if keep[i]]
        return SavingsPlanInput(self.demand[:, order], self.on_demand[order], self.sp_rate[order])


@dataclass(frozen=True)
class SavingsPlanCost:
    usd_per_hour: float
    cost_usd: float  # over the window, commitment included
    covered_on_demand_usd: float  # on-demand value of the usage the plan covered
    used_commitment_usd: float  # part of H * S actually applied


def _sum(matrix: np.ndarray) -> float:
    """Sum of an hours x series matrix: numpy's pairwise sums per series, then an exact sum
    (a year of 1,000 series stays within a millionth of a cent, at numpy's speed)."""
    return math.fsum(matrix.sum(axis=0)) if matrix.size else 0.0


def evaluate(inp: SavingsPlanInput, commitment: float) -> SavingsPlanCost:
    """G(S) and what it covers, computed directly (inputs need not be ordered)."""
    ordered = inp.ordered()
    hours = inp.demand.shape[0]
    total_od = _sum(inp.demand * inp.on_demand)
    if ordered.demand.shape[1] == 0:
        return SavingsPlanCost(commitment, hours * commitment + total_od, 0.0, 0.0)
    width = ordered.demand * ordered.sp_rate  # commitment dollars that cover all of it
    before = np.cumsum(width, axis=1) - width
    used = np.clip(commitment - before, 0.0, width)
    ratio = ordered.on_demand / ordered.sp_rate
    covered = _sum(used * ratio)
    applied = _sum(used)
    return SavingsPlanCost(commitment, hours * commitment + total_od - covered, covered, applied)


@dataclass(frozen=True)
class CostCurve:
    """G(S) at every breakpoint (from S = 0); linear between them and past the last one."""

    commitments: np.ndarray  # ascending, starting at 0
    costs: np.ndarray  # G at each commitment
    final_slope: float  # past the last breakpoint every hour is covered: H per dollar

    def at(self, commitments: np.ndarray) -> np.ndarray:
        inside = np.interp(commitments, self.commitments, self.costs)
        past = commitments > self.commitments[-1]
        extra = (commitments - self.commitments[-1]) * self.final_slope
        return np.where(past, self.costs[-1] + extra, inside)


def cost_curve(inp: SavingsPlanInput) -> CostCurve:
    """The exact piecewise-linear G: each breakpoint is where an hour's series is fully covered
    and that hour's saving per dollar drops to the next series' discount."""
    ordered = inp.ordered()
    hours, n = ordered.demand.shape
    total_od = _sum(inp.demand * inp.on_demand)
    if n == 0 or hours == 0:
        return CostCurve(np.zeros(1), np.array([total_od]), float(hours))
    ratio = ordered.on_demand / ordered.sp_rate
    width = ordered.demand * ordered.sp_rate
    points = np.cumsum(width, axis=1).ravel()
    deltas = np.tile(ratio - np.append(ratio[1:], 0.0), hours)
    order = np.argsort(points, kind="stable")
    xs = np.concatenate([[0.0], points[order]])
    slopes = (hours - hours * ratio[0]) + np.concatenate([[0.0], np.cumsum(deltas[order])])
    costs = total_od + np.concatenate([[0.0], np.cumsum(slopes[:-1] * np.diff(xs))])
    return CostCurve(xs, costs, float(slopes[-1]))


def _aws_step(commitment: float) -> float:
    return round(max(0.0, commitment), 5)


def optimal_commitment(inp: SavingsPlanInput) -> float:
    """The S of lowest G(S) (the smallest on a tie), in steps AWS accepts."""
    curve = cost_curve(inp)
    if len(curve.commitments) == 1:
        return 0.0
    best = float(curve.commitments[int(np.argmin(curve.costs))])  # first minimum: the smallest
    low = math.floor(best / COMMITMENT_STEP) * COMMITMENT_STEP
    candidates = sorted({_aws_step(low), _aws_step(low + COMMITMENT_STEP)})
    return min(candidates, key=lambda s: (round(evaluate(inp, s).cost_usd, 6), s))


def heuristic_commitment(inp: SavingsPlanInput) -> float:
    """Cost Explorer's way: each hour's usage, as the commitment that would just cover it, is a
    candidate; the cheapest is kept (never cheaper than `optimal_commitment`)."""
    ordered = inp.ordered()
    if ordered.demand.size == 0:
        return 0.0
    candidates = np.unique(np.round((ordered.demand * ordered.sp_rate).sum(axis=1), 5))
    costs = cost_curve(inp).at(candidates)
    return _aws_step(float(candidates[int(np.argmin(costs))]))
