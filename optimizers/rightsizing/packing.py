"""Packing share members onto as few GPUs as possible: better than first-fit decreasing.

The problem is a bin packing in two dimensions with time series: a group fits one GPU when
`sharing.check` passes (summed GPU memory peak plus headroom, the percentile of the summed busy
series plus headroom, host CPU and memory, the latency model, the replica limit). That check is
monotone (a subset of a fitting group fits), which both methods below rely on:

- small pools (up to EXACT_MAX_MEMBERS): every fitting group is enumerated and a set-partitioning
  MIP (HiGHS, through `highspy`) picks the fewest that cover each member once: optimal;
- large pools: first-fit decreasing (by GPU memory, then by busy-ness), then a local search that
  empties groups by moving their members into others, or by swapping one member of another
  group out to a third, while every group still fits; restarted from a few other orders (fixed
  seeds, so the same inputs give the same plan), within a time budget.
FFD is the floor: a plan never has more groups than FFD's. Members share with members of their
own instance type (one-shape pools); every group of the result is verified with `check`
(docs/rightsizing.md#packing-share-groups).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from optimizers.catalog import InstanceSpec
from optimizers.rightsizing.packing_state import Fitter
from optimizers.rightsizing.sharing import Group, Member, ShareRules, align, check
from optimizers.rightsizing.stats import percentile_rows

EXACT_MAX_MEMBERS = 24
EXACT_MAX_GROUPS = 40_000  # fitting groups to enumerate before giving up on the exact method
DEFAULT_BUDGET_S = 20.0
RESTARTS = 4  # shuffled orders the local search restarts from (after the two FFD orders)


@dataclass(frozen=True)
class LowerBound:
    """How few GPUs a plan could use: summed memory peaks plus headroom over one GPU's memory,
    the members over the replica limit (both strict bounds), and the percentile of the summed
    busy series plus headroom over 100% (an estimate: percentiles of parts do not add up)."""

    memory: int
    busy: int
    replicas: int

    @property
    def hosts(self) -> int:
        return max(self.memory, self.busy, self.replicas)

    @property
    def strict(self) -> int:
        return max(self.memory, self.replicas)

    def describe(self) -> str:
        return (
            f"{self.hosts} (memory {self.memory}, busy-ness {self.busy}, "
            f"replica limit {self.replicas})"
        )


@dataclass(frozen=True)
class PackResult:
    groups: list[Group]
    method: str  # "exact", "local search" or "first-fit decreasing"
    optimal: bool  # proven optimal (exact method within its time limit)
    ffd_groups: int
    bound: LowerBound
    cut_short: bool = False  # the time budget stopped the search (another run may differ)

    @property
    def hosts(self) -> int:
        return len(self.groups)


def lower_bound(fitter: Fitter) -> LowerBound:
    h, q = fitter.h, fitter.q
    memory = math.ceil(float(fitter.mem.sum()) * fitter.hm / fitter.host.gpu_memory_gib_each - 1e-9)
    summed = fitter.busy.sum(axis=0)
    busy = math.ceil(float(percentile_rows(summed, q)[0]) * h / 100 - 1e-9)
    replicas = math.ceil(fitter.n / fitter.rules.max_members)
    return LowerBound(max(1, memory), max(1, busy), replicas)


def first_fit_decreasing(fitter: Fitter, order: list[int]) -> list[list[int]]:
    fitter.reset()
    for i in order:
        g = fitter.first_fit(i)
        if g is None:
            g = fitter.open()
        fitter.add(g, i)
    return fitter.groups()


def ffd_order(fitter: Fitter, by: str | int = "memory") -> list[int]:
    """Decreasing GPU memory then busy-ness (the floor), the other way round, or (an int)
    decreasing memory with seeded noise: a restart's order."""
    if isinstance(by, int):
        noise = np.random.default_rng(by).uniform(0.8, 1.25, fitter.n)
        return sorted(range(fitter.n), key=lambda i: (-fitter.mem[i] * noise[i], fitter.ids[i]))
    keys = {
        "memory": lambda i: (-fitter.mem[i], -fitter.busy_p[i], fitter.ids[i]),
        "busy": lambda i: (-fitter.busy_p[i], -fitter.mem[i], fitter.ids[i]),
    }
    return sorted(range(fitter.n), key=keys[by])


def local_search(fitter: Fitter, groups: list[list[int]], deadline: float) -> list[list[int]]:
    """Empty groups (fewest members and least memory first) by moving or swapping their members
    into the other groups; stops when a pass empties none or the deadline passes."""
    fitter.load(groups)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for g in sorted(fitter.open_ids(), key=fitter.emptiness):
            if time.monotonic() >= deadline:
                break
            if fitter.members_of(g) and fitter.dissolve(g, deadline):
                improved = True
    return fitter.groups()


def exact(fitter: Fitter, deadline: float) -> tuple[list[list[int]], bool] | None:
    """The fewest fitting groups covering every member once (set partitioning with HiGHS), and
    whether HiGHS proved it optimal; None when there are too many groups to enumerate."""
    subsets = fitter.fitting_subsets(EXACT_MAX_GROUPS, deadline)
    if subsets is None:
        return None
    import highspy

    n, cols = fitter.n, len(subsets)
    starts = np.zeros(cols + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(s) for s in subsets])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols, n
    lp.col_cost_ = np.ones(cols)
    lp.col_lower_, lp.col_upper_ = np.zeros(cols), np.ones(cols)
    lp.row_lower_, lp.row_upper_ = np.ones(n), np.ones(n)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.fromiter((i for s in subsets for i in s), dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(int(starts[-1]))
    lp.integrality_ = [highspy.HighsVarType.kInteger] * cols
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("time_limit", max(0.1, deadline - time.monotonic()))
    solver.passModel(lp)
    solver.run()
    status = solver.getModelStatus()
    values = solver.getSolution().col_value
    chosen = [list(subsets[c]) for c in range(cols) if values[c] > 0.5]
    if sorted(i for s in chosen for i in s) != list(range(n)):
        return None  # no feasible integer solution in time
    return chosen, status == highspy.HighsModelStatus.kOptimal


def pack(
    members: list[Member],
    rules: ShareRules,
    start: int,
    end: int,
    budget_s: float = DEFAULT_BUDGET_S,
) -> dict[str, PackResult]:
    """Groups per instance type (the type's name -> its packing); every member in one group."""
    if not members:
        return {}
    align(members, start, end)
    by_type: dict[str, list[Member]] = {}
    for m in sorted(members, key=lambda m: m.resource_id):
        by_type.setdefault(m.spec.instance_type, []).append(m)
    deadline = time.monotonic() + budget_s
    out: dict[str, PackResult] = {}
    for k, (itype, group) in enumerate(sorted(by_type.items())):
        share = (deadline - time.monotonic()) / (len(by_type) - k)  # the rest, split evenly
        out[itype] = pack_one_type(group, group[0].spec, rules, time.monotonic() + share)
    return out


def pack_one_type(
    members: list[Member], host: InstanceSpec, rules: ShareRules, deadline: float
) -> PackResult:
    fitter = Fitter(members, host, rules)
    bound = lower_bound(fitter)
    floor = first_fit_decreasing(fitter, ffd_order(fitter))
    best, method, optimal = floor, "first-fit decreasing", len(floor) <= bound.strict
    if not optimal and fitter.n <= EXACT_MAX_MEMBERS:
        found = exact(fitter, deadline)
        if found is not None and len(found[0]) <= len(best):
            best, method, optimal = found[0], "exact", found[1]
    if not optimal and method != "exact":
        for order in ("memory", "busy", *range(RESTARTS)):
            start = (
                floor
                if order == "memory"
                else first_fit_decreasing(fitter, ffd_order(fitter, order))
            )
            improved = local_search(fitter, start, deadline)
            if len(improved) < len(best):
                best, method = improved, "local search"
            if time.monotonic() >= deadline or len(best) <= bound.hosts:
                break
        optimal = len(best) <= bound.strict
    cut = not optimal and time.monotonic() >= deadline
    groups = verified(members, host, rules, best)
    return PackResult(groups, method, optimal, len(floor), bound, cut)


def verified(
    members: list[Member], host: InstanceSpec, rules: ShareRules, groups: list[list[int]]
) -> list[Group]:
    """Groups that pass `check` (the authority); a group that would not (rounding at a bound)
    is split into single members."""
    out: list[Group] = []
    for indices in groups:
        chosen = [members[i] for i in indices]
        verdict = check(chosen, host, rules)
        if verdict.ok or len(chosen) == 1:
            out.append(Group(host, chosen, verdict.projected))
        else:
            out += [Group(host, [m], check([m], host, rules).projected) for m in chosen]
    return sorted(out, key=lambda g: g.members[0].resource_id)
