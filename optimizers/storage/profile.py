"""What the readers learned about one bucket, by object age in days, and the steady state from it.

The readers (inventory, access logs, CloudTrail) fill a `BucketProfile`: per age, how many objects
and bytes the inventory holds, in which classes, and how often objects of that age were read
while the logs ran. `Cohort.of(profile, ages)` turns it into the steady state the cost model
prices: the population at each age (one day's arrivals as they age), the deletions the age
histogram implies, and read rates per object-day.

Objects under 128 KB (`small_*`) never transition under S3's default filter: their cost does not
depend on the lifecycle, and they are priced apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Age bins (days) over which read rates are pooled: daily in the first week, then widening.
RATE_BINS = (0, 1, 2, 3, 4, 5, 6, 7, 14, 30, 60, 90, 180, 365, 730, 1095, 1825, 3650)


@dataclass(frozen=True)
class BucketProfile:
    bucket: str
    inventory_date: str  # ISO 8601
    large_objects: np.ndarray  # objects of 128 KB or more, per age
    large_bytes: np.ndarray
    small_objects: np.ndarray
    small_bytes: np.ndarray
    classes: dict[str, np.ndarray]  # large objects per storage class, per age
    # Reads of large objects by the object's age at the read (index = age in days):
    exposure: np.ndarray  # object-days the logs observed
    exposure_bytes: np.ndarray  # byte-days the logs observed
    read_days: np.ndarray  # object-days with at least one GET (failed archive reads included)
    read_days_bytes: np.ndarray  # their size
    gets: np.ndarray  # successful GETs
    heads: np.ndarray
    read_bytes: np.ndarray  # bytes sent by those GETs
    invalid_object_state: np.ndarray  # GETs refused: archived object, no restore
    small_requests_per_day: float = 0.0  # GETs and HEADs of small objects
    log_days: float = 0.0
    reads_source: str = "none"
    unmatched_reads: int = 0  # reads of keys the inventory does not hold
    notes: list[str] = field(default_factory=list)
    size_histogram: list[dict[str, int]] = field(default_factory=list)

    @property
    def ages(self) -> int:
        return len(self.large_objects)

    @property
    def objects(self) -> int:
        return int(self.large_objects.sum() + self.small_objects.sum())

    @property
    def bytes(self) -> int:
        return int(self.large_bytes.sum() + self.small_bytes.sum())


def non_increasing(values: np.ndarray) -> np.ndarray:
    """Least-squares non-increasing fit (pool adjacent violators); keeps the total."""
    blocks: list[list[float]] = []  # [sum, count]
    for v in values.astype(float):
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            s, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
    return np.concatenate([np.full(int(n), s / n) for s, n in blocks]) if blocks else values


def pooled_rate(events: np.ndarray, exposure: np.ndarray, ages: int) -> np.ndarray:
    """Events per object-day at each age 0..ages-1, pooled over RATE_BINS.

    A bin the logs did not observe takes the rate of the nearest younger observed bin (ages past
    the inventory's oldest object are extrapolated that way).
    """
    edges = [b for b in RATE_BINS if b < max(ages, 1)] + [max(ages, RATE_BINS[-1] + 1)]
    rate = np.zeros(ages)
    last = 0.0
    n = len(exposure)
    for lo, hi in zip(edges, edges[1:], strict=False):
        seen = exposure[lo : min(hi, n)].sum() if lo < n else 0.0
        if seen > 0:
            last = events[lo : min(hi, n)].sum() / seen
        rate[lo:hi] = last
    return rate


@dataclass(frozen=True)
class Cohort:
    """Steady state over ages 0..ages-1: population, deletions and read rates per object-day.

    A snapshot cannot tell deletions from growth: a decline of the (smoothed) age histogram is read
    as deletions, which overstates early-deletion charges rather than hiding them.
    """

    objects: np.ndarray
    bytes: np.ndarray
    deleted_objects: np.ndarray  # user deletions at each age (per day of arrivals)
    deleted_bytes: np.ndarray
    read_day_rate: np.ndarray  # probability an object is read (GET) on a day at that age
    get_rate: np.ndarray
    head_rate: np.ndarray
    read_byte_rate: np.ndarray  # bytes read per byte stored, per day
    extrapolated_from: int  # first age not observed in the inventory
    last_read_age: int | None  # oldest age with a read (successful or refused GET)

    @classmethod
    def of(cls, profile: BucketProfile, ages: int) -> Cohort:
        observed = profile.ages
        objects = _extend(non_increasing(profile.large_objects), ages)
        total = profile.large_objects.sum()
        mean_size = profile.large_bytes.sum() / total if total > 0 else 0.0
        sizes = np.divide(
            profile.large_bytes,
            profile.large_objects,
            out=np.full(observed, float(mean_size)),
            where=profile.large_objects > 0,
        )
        seen = min(observed, ages)
        byte_counts = _extend(objects[:seen] * sizes[:seen], ages, objects, float(mean_size))
        deleted = np.maximum(objects - np.append(objects[1:], objects[-1:]), 0.0)
        deleted_bytes = deleted * np.divide(
            byte_counts, objects, out=np.zeros(ages), where=objects > 0
        )
        reads = profile.read_days + profile.invalid_object_state
        read_ages = np.flatnonzero(reads > 0)
        return cls(
            objects=objects,
            bytes=byte_counts,
            deleted_objects=deleted,
            deleted_bytes=deleted_bytes,
            read_day_rate=np.minimum(pooled_rate(reads, profile.exposure, ages), 1.0),
            get_rate=pooled_rate(
                profile.gets + profile.invalid_object_state, profile.exposure, ages
            ),
            head_rate=pooled_rate(profile.heads, profile.exposure, ages),
            read_byte_rate=pooled_rate(profile.read_bytes, profile.exposure_bytes, ages),
            extrapolated_from=observed,
            last_read_age=int(read_ages[-1]) if read_ages.size else None,
        )


def _extend(
    values: np.ndarray, ages: int, objects: np.ndarray | None = None, mean_size: float = 0.0
) -> np.ndarray:
    """Cut or extend to `ages`; beyond the oldest observed age, the last value holds (no more
    deletions are assumed), or objects x mean size for byte counts."""
    out = np.zeros(ages)
    n = min(len(values), ages)
    out[:n] = values[:n]
    if ages > n and n > 0:
        if objects is None:
            out[n:] = values[n - 1]
        else:
            last_size = values[n - 1] / objects[n - 1] if objects[n - 1] > 0 else mean_size
            out[n:] = objects[n:] * last_size
    return out
