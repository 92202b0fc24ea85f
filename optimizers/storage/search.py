"""The cheapest valid lifecycle under the cost model: an exact search over every valid one.

A lifecycle is a path through the storage classes with one entry age per class. The cost of a stay
in a class depends only on the class, its entry age and its leave age (`CostModel.stay`), so a
dynamic program over (class, entry age) finds the cheapest path among all the lifecycles S3 and
the policy pack accept, day by day:

- classes only move right in the waterfall, never back to STANDARD, minus S3's forbidden pairs;
- STANDARD_IA and ONEZONE_IA not before day 30, the next step at least 30 days after them;
- no class left (nor expired) before its minimum storage duration (policy s3-minimum-duration-trap);
- transition days from 1 (the stack's tier keys put STANDARD alone at day 0), before expiration;
- Glacier Flexible Retrieval and Deep Archive only from the age after which no object was read,
  unless restores are allowed;
- the expiration (retention) is never changed.
"""

from __future__ import annotations

import numpy as np

from .cost_model import CostModel
from .lifecycle import Lifecycle, Transition
from .rules import (
    ARCHIVE_CLASSES,
    DAYS_PER_MONTH,
    STANDARD,
    TRANSITION_CLASSES,
    min_gap_days,
    min_transition_day,
    transition_allowed,
)

CLASSES = (STANDARD, *TRANSITION_CLASSES)
# A tie goes to the lifecycle with fewer transitions (a rule nobody needs is a rule to maintain).
STEP_PENALTY = 1e-9


def cheapest_lifecycle(model: CostModel) -> tuple[Lifecycle, float]:
    """The lowest-cost valid lifecycle and its cost (USD per month) under `model`."""
    ages = model.ages
    best = {c: np.full(ages, np.inf) for c in CLASSES}
    came_from: dict[tuple[str, int], tuple[str, int]] = {}
    best[STANDARD][0] = 0.0
    archive_from = 0 if model.allow_restore else model.first_archive_day
    for day in range(1, ages):
        for cls in TRANSITION_CLASSES:
            if day < min_transition_day(cls) or (cls in ARCHIVE_CLASSES and day < archive_from):
                continue
            for prev in CLASSES:
                if not transition_allowed(prev, cls):
                    continue
                last_entry = day - (1 if prev == STANDARD else min_gap_days(prev))
                if last_entry < 0:  # (a negative slice end would count from the back)
                    continue
                entries = np.flatnonzero(np.isfinite(best[prev][: last_entry + 1]))
                if entries.size == 0:
                    continue
                costs = best[prev][entries] + model.stay(prev, entries, day) + STEP_PENALTY
                i = int(np.argmin(costs))
                if costs[i] < best[cls][day]:
                    best[cls][day] = costs[i]
                    came_from[(cls, day)] = (prev, int(entries[i]))
    final_cost, final = np.inf, (STANDARD, 0)
    for cls in CLASSES:
        gap = min_gap_days(cls) if (model.expires and cls != STANDARD) else 1
        entries = np.flatnonzero(np.isfinite(best[cls][: max(ages - gap + 1, 0)]))
        if entries.size == 0:
            continue
        costs = best[cls][entries] + model.stay(cls, entries, ages)
        i = int(np.argmin(costs))
        if costs[i] < final_cost:
            final_cost, final = float(costs[i]), (cls, int(entries[i]))
    steps = []
    node = final
    while node != (STANDARD, 0):
        steps.append(Transition(days=node[1], storage_class=node[0]))
        node = came_from[node]
    lifecycle = Lifecycle(transitions=steps[::-1], expiration_days=ages if model.expires else None)
    return lifecycle, (final_cost - STEP_PENALTY * len(steps)) * DAYS_PER_MONTH + (
        model.fixed_daily * DAYS_PER_MONTH
    )
