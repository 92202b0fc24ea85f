"""Whole-life cost of a bucket's objects under a lifecycle, in steady state (USD per month).

Steady state: every day one day's arrivals enter at age 0, and the population at age `a` is what
the inventory shows at that age (`Cohort`). The bucket's monthly bill is then the sum over ages of
what an object of that age costs per day, times 365/12. Per object and age, for the class the
lifecycle puts it in:

- storage: bytes x the class's GB-month rate; Glacier Flexible Retrieval and Deep Archive add 40 KB
  per object (8 KB at Standard rates, 32 KB at theirs); Standard-IA, One Zone-IA and Glacier IR
  bill at least 128 KB (only objects of 128 KB or more transition, so this bites only objects
  uploaded to those classes directly);
- requests: GETs and HEADs at the class's request price; retrieval per GB read (IA classes,
  Glacier IR);
- archives (Glacier Flexible, Deep Archive): a read needs a restore first: a restore request,
  retrieval per GB and a one-day copy at Standard rates, per object-day read (only with
  `allow_restore`; otherwise no object still read is archived at that age);
- Intelligent-Tiering: monitoring per object, and the Frequent, Infrequent (30 days unread) or
  Archive Instant (90 days unread) tier price, by the chance that an object went unread that long
  (reads on different days taken as independent);
- a lifecycle transition per object entering a class; early-deletion charges for objects deleted
  (by the user, or by leaving or expiring) before the class's minimum storage duration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lifecycle import Lifecycle
from .prices import S3Prices
from .profile import BucketProfile, Cohort, _extend
from .rules import (
    ARCHIVE_CLASSES,
    ARCHIVE_OVERHEAD_CLASS_BYTES,
    ARCHIVE_OVERHEAD_STANDARD_BYTES,
    DAYS_PER_MONTH,
    IT_ARCHIVE_INSTANT_AFTER_DAYS,
    IT_INFREQUENT_AFTER_DAYS,
    MIN_STORAGE_DAYS,
    RESTORE_COPY_DAYS,
    STANDARD,
)

IT = "INTELLIGENT_TIERING"
PARTS = (
    "storage",
    "requests",
    "retrieval",
    "restores",
    "monitoring",
    "transitions",
    "early_deletion",
)


@dataclass(frozen=True)
class MonthlyCost:
    storage: float = 0.0
    requests: float = 0.0
    retrieval: float = 0.0
    restores: float = 0.0
    monitoring: float = 0.0
    transitions: float = 0.0
    early_deletion: float = 0.0

    @property
    def total(self) -> float:
        return sum(getattr(self, p) for p in PARTS)

    def rounded(self) -> dict[str, float]:
        return {p: round(getattr(self, p), 2) for p in (*PARTS, "total")}


class CostModel:
    """Per-age daily costs of each class for one bucket; `evaluate` prices any lifecycle."""

    def __init__(
        self,
        profile: BucketProfile,
        prices: S3Prices,
        ages: int,
        *,
        expires: bool,
        allow_restore: bool = False,
    ):
        self.ages = ages
        self.expires = expires  # False: `ages` is a horizon, not an expiration
        self.allow_restore = allow_restore
        self.prices = prices
        self.cohort = c = Cohort.of(profile, ages)
        self.parts: dict[str, dict[str, np.ndarray]] = {
            cls: self._daily(cls) for cls in prices.classes
        }
        self.cumulative = {
            cls: np.concatenate([[0.0], np.cumsum(sum(parts.values()))])
            for cls, parts in self.parts.items()
        }
        self._it_savings()
        self._deleted_early: dict[str, np.ndarray] = {}
        reads = (c.read_day_rate > 0) | (np.arange(ages) <= (c.last_read_age or -1))
        read_ages = np.flatnonzero(reads)
        self.first_archive_day = int(read_ages[-1]) + 1 if read_ages.size else 0
        small = _extend(profile.small_bytes, ages)
        std = prices.of(STANDARD)
        self.fixed_daily = float(
            small.sum() * std.storage_byte_day + profile.small_requests_per_day * std.request
        )

    # -- per-age daily costs -------------------------------------------------------------------
    def _daily(self, cls: str) -> dict[str, np.ndarray]:
        c, p = self.cohort, self.prices.of(cls)
        zero = np.zeros(self.ages)
        storage = c.bytes * p.storage_byte_day
        if cls in ARCHIVE_CLASSES:
            std = self.prices.of(STANDARD).storage_byte_day
            storage = storage + c.objects * (
                ARCHIVE_OVERHEAD_STANDARD_BYTES * std
                + ARCHIVE_OVERHEAD_CLASS_BYTES * p.storage_byte_day
            )
        requests = c.objects * (c.get_rate + c.head_rate) * p.request
        retrieval, restores, monitoring = zero, zero, zero
        if cls in ARCHIVE_CLASSES:
            restored = c.objects * c.read_day_rate
            restores = restored * p.restore_request + c.bytes * c.read_day_rate * (
                p.retrieval_byte + RESTORE_COPY_DAYS * self.prices.of(STANDARD).storage_byte_day
            )
        else:
            retrieval = c.bytes * c.read_byte_rate * p.retrieval_byte
        if cls == IT:
            monitoring = c.objects * self.prices.it_monitoring_object_day
        return {
            "storage": storage,
            "requests": requests,
            "retrieval": retrieval,
            "restores": restores,
            "monitoring": monitoring,
        }

    def _it_savings(self) -> None:
        """Intelligent-Tiering: what the Infrequent and Archive Instant tiers save at each age,
        once an object has been in the class long enough to reach them."""
        c, p = self.cohort, self.prices
        miss = np.log1p(-np.minimum(c.read_day_rate, 1 - 1e-12))
        logs = np.concatenate([[0.0], np.cumsum(miss)])
        a = np.arange(self.ages)

        def unread_for(days: int) -> np.ndarray:  # P(no read on the `days` days before age a)
            return np.exp(logs[a] - logs[np.maximum(a - days, 0)]) * (a >= days)

        frequent = p.of(IT).storage_byte_day
        g30 = c.bytes * (frequent - p.it_infrequent_byte_day) * unread_for(IT_INFREQUENT_AFTER_DAYS)
        g90 = (
            c.bytes
            * (p.it_infrequent_byte_day - p.it_archive_instant_byte_day)
            * unread_for(IT_ARCHIVE_INSTANT_AFTER_DAYS)
        )
        self._g30 = np.concatenate([[0.0], np.cumsum(g30)])
        self._g90 = np.concatenate([[0.0], np.cumsum(g90)])

    # -- stays ------------------------------------------------------------------------------
    def stay(self, cls: str, entry: np.ndarray, leave: int) -> np.ndarray:
        """Cost per day of steady state of objects in `cls` from each `entry` age to `leave`,
        with their transition in and the early-deletion charges of user deletions meanwhile."""
        entry = np.asarray(entry)
        cum = self.cumulative[cls]
        cost = cum[leave] - cum[entry]
        if cls == IT:
            cost = cost - self._it_saving(entry, leave)
        if cls != STANDARD:
            cost = cost + self._transitions(cls, entry)
        minimum = MIN_STORAGE_DAYS.get(cls, 0)
        if minimum:
            cost = cost + self._early_deletion(cls, entry, leave, minimum)
        return cost

    def _it_saving(self, entry: np.ndarray, leave: int) -> np.ndarray:
        saving = 0.0
        for days, g in (
            (IT_INFREQUENT_AFTER_DAYS, self._g30),
            (IT_ARCHIVE_INSTANT_AFTER_DAYS, self._g90),
        ):
            saving = saving + g[leave] - g[np.minimum(entry + days, leave)]
        return saving

    def _transitions(self, cls: str, entry: np.ndarray) -> np.ndarray:
        return (
            self.cohort.objects[np.minimum(entry, self.ages - 1)] * self.prices.of(cls).transition
        )

    def _early_deletion(self, cls: str, entry: np.ndarray, leave: int, minimum: int) -> np.ndarray:
        """Remaining minimum days billed for objects deleted, moved or expired before `minimum`.

        `deleted_bytes[a]` leave at the end of age a (they were stored that day)."""
        c = self.cohort
        entry = np.atleast_1d(entry)
        price = self.prices.of(cls).storage_byte_day
        if cls not in self._deleted_early:  # stays of at least `minimum` days: one correlation
            padded = np.concatenate([c.deleted_bytes, np.zeros(minimum)])
            self._deleted_early[cls] = np.correlate(
                padded, minimum - 1 - np.arange(minimum), "valid"
            )
        out = self._deleted_early[cls][np.minimum(entry, self.ages - 1)] * price
        for i in np.flatnonzero(leave < entry + minimum):
            e = int(entry[i])
            ages = np.arange(e, leave)
            charge = (c.deleted_bytes[ages] * (e + minimum - 1 - ages)).sum()
            if leave < self.ages or self.expires:  # moved out or expired early
                charge += c.bytes[leave - 1] * (e + minimum - leave)
            out[i] = charge * price
        return out

    # -- whole lifecycles -------------------------------------------------------------------
    def evaluate(self, lifecycle: Lifecycle) -> MonthlyCost:
        """The bucket's monthly cost under `lifecycle` (expiration is the model's `ages`)."""
        totals = dict.fromkeys(PARTS, 0.0)
        stays = [(d, cls) for d, cls in lifecycle.classes() if d < self.ages]
        for (entry, cls), nxt in zip(stays, [*stays[1:], (self.ages, None)], strict=False):
            leave = nxt[0]
            for part, values in self.parts[cls].items():
                totals[part] += float(values[entry:leave].sum())
            at = np.array([entry])
            if cls == IT:
                totals["storage"] -= float(self._it_saving(at, leave)[0])
            if cls != STANDARD:
                totals["transitions"] += float(self._transitions(cls, at)[0])
            minimum = MIN_STORAGE_DAYS.get(cls, 0)
            if minimum:
                totals["early_deletion"] += float(self._early_deletion(cls, at, leave, minimum)[0])
        totals["storage"] += self.fixed_daily  # small objects and their reads stay in STANDARD
        return MonthlyCost(**{k: v * DAYS_PER_MONTH for k, v in totals.items()})

    def archived_reads_per_month(self, lifecycle: Lifecycle) -> float:
        """GETs a month that would meet an unrestored archived object: reads this would break."""
        c = self.cohort
        out = 0.0
        stays = [(d, cls) for d, cls in lifecycle.classes() if d < self.ages]
        for (entry, cls), nxt in zip(stays, [*stays[1:], (self.ages, None)], strict=False):
            if cls in ARCHIVE_CLASSES:
                out += float((c.objects * c.get_rate)[entry : nxt[0]].sum())
        return out * DAYS_PER_MONTH
