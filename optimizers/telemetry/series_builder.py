"""Collects raw samples from any source and turns them into sorted, de-duplicated Series.

Every source funnels its samples through here, so all of them drop impossible values, merge
duplicate timestamps and cut the lookback window the same way (and warn the same way).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from optimizers.telemetry.frame import Metric, Series, SeriesKey

# Percentages a hair above 100 come from rounding in exporters; well above 100 is impossible.
PCT_TOLERANCE = 0.5


def is_possible(metric: Metric, value: float) -> bool:
    if not math.isfinite(value) or value < 0:
        return False
    return not (metric.value.endswith("_pct") and value > 100 + PCT_TOLERANCE)


class SeriesBuilder:
    def __init__(self) -> None:
        self._times: defaultdict[SeriesKey, list[int]] = defaultdict(list)
        self._values: defaultdict[SeriesKey, list[float]] = defaultdict(list)
        self.dropped: Counter[str] = Counter()
        self.outside = 0  # samples the last build() left out of its window

    def add(self, key: SeriesKey, timestamp: int, value: float) -> bool:
        """Keep one sample; an impossible value is dropped, counted, and False is returned."""
        if not is_possible(key.metric, value):
            self.dropped[key.metric.value] += 1
            return False
        self._times[key].append(int(timestamp))
        self._values[key].append(float(value))
        return True

    def extend(self, key: SeriesKey, timestamps: list[int], values: list[float]) -> None:
        for t, v in zip(timestamps, values, strict=True):
            self.add(key, t, v)

    def newest_timestamp(self) -> int | None:
        ends = [max(ts) for ts in self._times.values() if ts]
        return max(ends) if ends else None

    def build(
        self, start: int | None = None, end: int | None = None
    ) -> tuple[dict[SeriesKey, Series], list[str]]:
        """Series inside [start, end], sorted by time; the same timestamp twice keeps the maximum
        (the safe side for right-sizing). Returns the series and user-facing warnings."""
        series: dict[SeriesKey, Series] = {}
        duplicates = 0
        outside = 0
        for key in sorted(self._times):
            t = np.asarray(self._times[key], dtype=np.int64)
            v = np.asarray(self._values[key], dtype=np.float64)
            keep = np.ones(t.shape, dtype=bool)
            if start is not None:
                keep &= t >= start
            if end is not None:
                keep &= t <= end
            outside += int((~keep).sum())
            t, v = t[keep], v[keep]
            if not t.size:
                continue
            order = np.argsort(t, kind="stable")
            t, v = t[order], v[order]
            uniq, first = np.unique(t, return_index=True)
            if uniq.size != t.size:
                duplicates += int(t.size - uniq.size)
                v = np.maximum.reduceat(v, first)
                t = uniq
            series[key] = Series(t, v)
        warnings: list[str] = []
        if self.dropped:
            detail = ", ".join(f"{m} {n}" for m, n in sorted(self.dropped.items()))
            warnings.append(
                f"dropped {sum(self.dropped.values())} impossible values "
                f"(negative, NaN or a percentage above 100): {detail}"
            )
        if duplicates:
            warnings.append(
                f"merged {duplicates} samples that repeated a timestamp (kept the maximum)"
            )
        if outside:
            warnings.append(f"ignored {outside} samples outside the lookback window")
        self.outside = outside
        return series, warnings
