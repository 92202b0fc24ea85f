"""Per-age histograms of one bucket, tallied batch by batch from its objects and their reads.

The inventory is streamed (`inventory.object_batches`): each batch of objects adds to arrays
indexed by age in whole days and is dropped, so memory holds the reads (`read_log.ReadLog`) and
one batch, never the inventory. A batch's objects meet their reads by key hash, with a binary
search over the reads' distinct hashes.

Ages, in whole days:
- an object's: the inventory's time minus its LastModifiedDate (0 when that is later);
- the ages the logs observed it at (exposure): from the logs' first to their last record, each
  minus LastModifiedDate, the first clipped at 0;
- a read's: the read's time minus LastModifiedDate. A read before it (of an older version of the
  key) is not attributed; neither is a read of a key the inventory does not hold.
Sums are exact integers (np.add.at into int64), whatever the order of the batches.
"""

from __future__ import annotations

import numpy as np

from .read_log import ARCHIVED, GET, HEAD, OK, ReadLog, hash_order
from .rules import DEFAULT_TRANSITION_MIN_BYTES

DAY = 86400
SIZE_EDGES = (0, 1024, 16 * 1024, 128 * 1024, 1 << 20, 16 << 20, 128 << 20, 1 << 30, 16 << 30)


class _Sums:
    """int64 sums by flat index (row x width + column), growing as larger indexes arrive."""

    def __init__(self, width: int = 1):
        self.width = width
        self.values = np.zeros(0, np.int64)

    def add(self, index: np.ndarray, weights: np.ndarray | int = 1) -> None:
        if index.size == 0:
            return
        needed = -(-(int(index.max()) + 1) // self.width) * self.width
        if needed > self.values.size:
            self.values = np.concatenate([self.values, np.zeros(needed - self.values.size, int)])
        np.add.at(self.values, index, weights)

    def table(self, rows: int) -> np.ndarray:
        """Rows 0..rows-1 as floats (rows x width; a vector when width is 1)."""
        out = np.zeros(rows * self.width)
        kept = min(self.values.size, out.size)
        out[:kept] = self.values[:kept]
        return out.reshape(rows, self.width) if self.width > 1 else out

    def folded(self, rows: int) -> np.ndarray:
        """Rows 0..rows-1 (width 1), whatever lies past the last row added to it."""
        out = self.table(rows)
        if self.values.size > rows > 0:
            out[rows - 1] += self.values[rows:].sum()
        return out


# A read's kind: its flags, and whether the object is large (16). Reads are tallied by age and kind.
LARGE = 16
KINDS = 32


def _kinds(wanted) -> np.ndarray:
    return np.array([bool(wanted(k)) for k in range(KINDS)])


def _has(flags: int):
    return lambda k: k & flags == flags


class AgeTally:
    """What `BucketProfile` holds per age, tallied from batches of objects joined to `reads`."""

    def __init__(self, taken_ms: int, reads: ReadLog, classes: int):
        self.taken_ms = taken_ms
        self.reads = reads
        self.classes = classes
        self.oldest = -1  # largest object age seen
        # Objects and bytes by age, size group (small, large) and class.
        self.stock = {"objects": _Sums(2 * classes), "bytes": _Sums(2 * classes)}
        self.sizes = {"objects": _Sums(), "bytes": _Sums()}  # by size bin
        # Large objects and their bytes by the whole days from LastModifiedDate to the logs'
        # first record, and whether their last record falls one day later than the first's
        # whole days (the observed ages follow from these two: `exposure_by_age`).
        start, end = int(reads.summary.window_start), int(reads.summary.window_end)
        self.window = (start, *divmod(max(end - start, 0), DAY))  # start, whole days, seconds
        self.q_offset = -((start - (1 << 32)) // DAY)  # makes q of any 32-bit time >= 0
        self.observed = {"objects": _Sums(), "bytes": _Sums()}  # by q x 2 + later
        # Reads by age + 1 and kind; age 0 holds the reads not attributed (before the object).
        self.read_kinds = {"reads": _Sums(KINDS), "bytes": _Sums(KINDS)}
        self.read_days = {"objects": _Sums(), "bytes": _Sums()}
        self.matched = 0

    def add(self, h: np.ndarray, size: np.ndarray, lm: np.ndarray, cls: np.ndarray) -> None:
        """One batch of objects: key hash, size, LastModifiedDate (Unix seconds), class index."""
        lm = lm.astype(np.int64)
        age = np.maximum((self.taken_ms - lm * 1000) // (DAY * 1000), 0)
        if age.size:
            self.oldest = max(self.oldest, int(age.max()))
        large = size >= DEFAULT_TRANSITION_MIN_BYTES
        stock = (age * 2 + large) * self.classes + cls
        self.stock["objects"].add(stock)
        self.stock["bytes"].add(stock, size)
        size_bin = np.searchsorted(SIZE_EDGES[1:], size, side="right")
        self.sizes["objects"].add(size_bin)
        self.sizes["bytes"].add(size_bin, size)
        self._observed(lm[large], size[large])
        self._reads(h, size, lm, large)

    def _observed(self, lm: np.ndarray, size: np.ndarray) -> None:
        start, _, seconds = self.window
        before = start - lm  # seconds from LastModifiedDate to the logs' first record
        q = before // DAY
        later = before - q * DAY >= DAY - seconds if seconds else np.zeros(lm.size, bool)
        cell = (q + self.q_offset) * 2 + later
        self.observed["objects"].add(cell)
        self.observed["bytes"].add(cell, size)

    def _reads(self, h: np.ndarray, size: np.ndarray, lm: np.ndarray, large: np.ndarray) -> None:
        keys, starts = self.reads.keys, self.reads.starts
        if not len(keys):
            return
        # Needles in hash order keep the binary searches in cache (several times faster).
        by_hash = hash_order(h, exact=False)
        hashes = np.take(h, by_hash)
        at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
        found = np.flatnonzero(np.take(keys, at) == hashes)
        objects, at = np.take(by_hash, found), np.take(at, found)
        first = np.take(starts, at)
        count = np.take(starts, at + 1) - first
        # One row per (object, read of its key).
        obj = np.repeat(objects, count)
        read = np.arange(count.sum()) + np.repeat(first - (np.cumsum(count) - count), count)
        t, since = np.take(self.reads.t, read).astype(np.int64), np.take(lm, obj)
        attributed = since <= t
        self.matched += int(attributed.sum())
        age = np.where(attributed, (t - since) // DAY + 1, 0)
        kind = np.take(self.reads.flags, read) | np.take(large, obj) * np.uint8(LARGE)
        cell = age * KINDS + kind
        self.read_kinds["reads"].add(cell)
        self.read_kinds["bytes"].add(cell, np.take(self.reads.bytes_sent, read))
        # Object-days with a GET (refused archive reads too): distinct (object, age) pairs.
        day = (age > 0) & np.take(_READ_DAY, kind)
        pairs = np.sort(obj[day] * (1 << 32) + age[day] - 1)
        pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])] if pairs.size else pairs
        self.read_days["objects"].add(pairs & 0xFFFFFFFF)
        self.read_days["bytes"].add(pairs & 0xFFFFFFFF, np.take(size, pairs >> 32))

    @property
    def ages(self) -> int:
        return self.oldest + 1

    def stock_by_age(self) -> dict[str, np.ndarray]:
        """objects and bytes by age (ages x 2: small, large); large objects by age and class."""
        objects, sizes = (
            self.stock[k].table(self.ages).reshape(self.ages, 2, -1) for k in self.stock
        )
        return {
            "objects": objects.sum(axis=2),
            "bytes": sizes.sum(axis=2),
            "classes": objects[:, 1],
        }

    def exposure_by_age(self) -> np.ndarray:
        """Object-days and byte-days the logs observed at each age (2 x ages): an object whose
        LastModifiedDate lies q whole days before the logs' first record was observed from age
        max(q, 0) to age q + the logs' whole days (+ 1 when `later`)."""
        _, days, _ = self.window
        cells = np.flatnonzero(self.observed["objects"].values)
        q, later = cells // 2 - self.q_offset, cells % 2
        counts = np.stack([self.observed[k].values[cells] for k in ("objects", "bytes")], axis=1)
        lo, hi = np.maximum(q, 0), q + days + later
        seen = hi >= 0
        delta = _Sums(2)
        for at, sign in ((lo, 1), (hi + 1, -1)):
            for column in (0, 1):
                delta.add(at[seen] * 2 + column, sign * counts[seen, column])
        return np.cumsum(delta.table(self.ages), axis=0).T

    def reads_by_age(self) -> dict[str, np.ndarray | float]:
        """The per-age read arrays of `BucketProfile` (a read older than any object now counts at
        the oldest age) and the GETs and HEADs of small objects."""
        ages = self.ages
        counts, sums = (self.read_kinds[k].table(ages + 1) for k in ("reads", "bytes"))
        for table, values in ((counts, self.read_kinds["reads"]), (sums, self.read_kinds["bytes"])):
            table[ages] += values.values[(ages + 1) * KINDS :].reshape(-1, KINDS).sum(axis=0)
        counts, sums = counts[1:], sums[1:]  # age 0: not attributed
        large, small = _kinds(_has(LARGE)), ~_kinds(_has(LARGE))
        get_ok, head_ok = _kinds(_has(GET | OK)), _kinds(_has(HEAD | OK))
        return {
            "gets": counts[:, large & get_ok].sum(axis=1),
            "heads": counts[:, large & head_ok].sum(axis=1),
            "read_bytes": sums[:, large & get_ok].sum(axis=1),
            "invalid_object_state": counts[:, large & _kinds(_has(ARCHIVED))].sum(axis=1),
            "read_days": self.read_days["objects"].folded(ages),
            "read_days_bytes": self.read_days["bytes"].folded(ages),
            "small_requests": float(counts[:, small & (get_ok | head_ok)].sum()),
        }

    def size_histogram(self) -> list[dict[str, int]]:
        counts, sums = (self.sizes[k].table(len(SIZE_EDGES)).astype(np.int64) for k in self.sizes)
        return [
            {"from_bytes": SIZE_EDGES[b], "objects": int(n), "bytes": int(sums[b])}
            for b, n in enumerate(counts)
            if n
        ]


# Reads that make an object-day read: large, a GET, that succeeded or was refused as archived.
_READ_DAY = _kinds(lambda k: k & LARGE and k & GET and k & (OK | ARCHIVED))
