"""A bucket's lifecycle as the storage planner reads and proposes it, and the S3 rules it obeys.

    {"transitions": [{"days": 30, "storage_class": "STANDARD_IA"}], "expiration_days": 400}

Objects land in STANDARD; `days` is the object age at which a rule moves them. `problems()` lists
what S3 refuses or the policy pack flags (waterfall order, day-30 minimum for the IA classes, 30
days after an IA transition, leaving a class or expiring before its minimum storage duration).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from components.settings import Lifecycle as SettingsLifecycle

from .rules import (
    ARCHIVE_CLASSES,
    DEFAULT_TRANSITION_MIN_BYTES,
    S3_MIN_TRANSITION_DAYS,
    STANDARD,
    TRANSITION_CLASSES,
    min_gap_days,
    transition_allowed,
)

StorageClass = Literal[
    "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
]


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = Field(ge=0)
    storage_class: StorageClass


class Lifecycle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    transitions: list[Transition] = Field(default_factory=list)
    expiration_days: int | None = Field(default=None, ge=1)

    def classes(self) -> list[tuple[int, str]]:
        """(entry age, class) of each stay, STANDARD at 0 first, ordered by age."""
        steps = sorted((t.days, t.storage_class) for t in self.transitions)
        return [(0, STANDARD), *steps]

    def class_by_age(self, ages: int) -> np.ndarray:
        """Index into `classes()` of the class an object of each age 0..ages-1 is in."""
        entries = np.array([day for day, _ in self.classes()])
        return np.searchsorted(entries, np.arange(ages), side="right") - 1

    def problems(self) -> list[str]:
        out = []
        stays = self.classes()
        for (d1, c1), (d2, c2) in zip(stays, stays[1:], strict=False):
            earliest = S3_MIN_TRANSITION_DAYS.get(c2, 0)
            if d2 < earliest:
                out.append(f"S3 refuses a transition to {c2} before day {earliest} (day {d2})")
            if not transition_allowed(c1, c2):
                out.append(f"S3 does not transition {c1} to {c2}")
            if c1 != STANDARD and d2 - d1 < min_gap_days(c1):
                out.append(
                    f"objects leave {c1} after {d2 - d1} days (day {d1} to {d2}); "
                    f"at least {min_gap_days(c1)} are required"
                )
        if self.expiration_days is not None:
            last_day, last = stays[-1]
            if self.expiration_days <= last_day:
                out.append(
                    f"expiration on day {self.expiration_days} is not after the last transition "
                    f"(day {last_day})"
                )
            elif last != STANDARD and self.expiration_days - last_day < min_gap_days(last):
                out.append(
                    f"objects expire {self.expiration_days - last_day} days after entering {last}; "
                    f"it bills at least {min_gap_days(last)}"
                )
        return out

    def archives(self) -> list[tuple[int, str]]:
        return [(d, c) for d, c in self.classes() if c in ARCHIVE_CLASSES]


def from_settings(lifecycle: SettingsLifecycle) -> Lifecycle:
    """The stack's tier keys (first tier STANDARD at day 0) as a planner lifecycle."""
    return Lifecycle(
        transitions=[
            Transition(days=t.after_days, storage_class=t.storage_class)
            for t in lifecycle.tiers[1:]
        ],
        expiration_days=lifecycle.expire_after_days,
    )


def to_settings_tiers(lifecycle: Lifecycle) -> list[dict[str, object]]:
    """The tier keys `aeon apply` writes: STANDARD at day 0, then each transition."""
    return [{"storage_class": c, "after_days": d} for d, c in lifecycle.classes()]


def infer_from_classes(
    counts: dict[str, np.ndarray], expiration_days: int | None
) -> tuple[Lifecycle, list[str]]:
    """The lifecycle that explains where objects of 128 KB or more are, age by age.

    `counts[class][age]` counts objects (of a size the default filter lets transition) in that
    class at that age. A class enters at the first age where more than half of the objects are in
    it or further down the waterfall, so stray objects uploaded straight to a class do not count.
    """
    ages = max((len(v) for v in counts.values()), default=0)
    if ages == 0:
        return Lifecycle(expiration_days=expiration_days), ["the inventory holds no objects"]
    total = sum(
        np.pad(v, (0, ages - len(v))).astype(float) for v in counts.values()
    )  # objects per age, every class
    transitions: list[Transition] = []
    previous = STANDARD
    for index, cls in enumerate(TRANSITION_CLASSES):
        further = sum(
            np.pad(counts.get(c, np.zeros(0)), (0, ages - len(counts.get(c, ()))))
            for c in TRANSITION_CLASSES[index:]
        )
        share = np.divide(further, total, out=np.zeros(ages), where=total > 0)
        mostly = np.flatnonzero((share > 0.5) & (total > 0))
        own = counts.get(cls)
        if mostly.size == 0 or own is None or own.sum() == 0:
            continue
        day = int(mostly[0])
        if transitions and day <= transitions[-1].days:
            continue
        if transition_allowed(previous, cls):
            transitions.append(Transition(days=day, storage_class=cls))
            previous = cls
    notes = [
        "current lifecycle inferred from the inventory's storage classes by age "
        f"(objects of {DEFAULT_TRANSITION_MIN_BYTES // 1024} KB or more)"
    ]
    return Lifecycle(transitions=transitions, expiration_days=expiration_days), notes
