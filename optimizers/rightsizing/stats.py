"""Window statistics over many series at once: one 2-D array (series x points), no loop per series.

Series of unequal length are padded (any value) past their `counts`; rows of equal length are
handled together with one `np.partition` that places every order statistic needed (both
neighbours of each percentile, the maximum) in a single pass, the same work `np.percentile` does
for one percentile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WindowStats:
    """One entry per series. Percentiles use numpy's default (linear) interpolation."""

    count: np.ndarray  # int64
    percentiles: dict[float, np.ndarray]
    max: np.ndarray

    def row(self, i: int) -> dict[str, float]:
        out = {f"p{q:g}": float(v[i]) for q, v in self.percentiles.items()}
        out["max"] = float(self.max[i])
        return out


def window_stats(
    values: np.ndarray, counts: np.ndarray | None = None, quantiles: Sequence[float] = (99.5,)
) -> WindowStats:
    """Percentiles and maximum of each row's first `counts[i]` values (all values if None).

    Rows with no values get NaN.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError("values must be 2-D (series x points)")
    rows, width = values.shape
    counts = (
        np.full(rows, width, dtype=np.int64) if counts is None else np.asarray(counts, np.int64)
    )
    pct = {float(q): np.full(rows, np.nan) for q in quantiles}
    peak = np.full(rows, np.nan)
    for n in np.unique(counts):
        n = int(n)
        if n <= 0:
            continue
        idx = np.flatnonzero(counts == n)
        block = values[idx, :n] if len(idx) < rows or n < width else values
        positions = {q: q / 100.0 * (n - 1) for q in pct}
        kth = sorted(
            {int(np.floor(p)) for p in positions.values()}
            | {int(np.ceil(p)) for p in positions.values()}
            | {n - 1}
        )
        part = np.partition(block, kth, axis=1)
        for q, pos in positions.items():
            lo, hi = int(np.floor(pos)), int(np.ceil(pos))
            low = part[:, lo]
            pct[q][idx] = low + (part[:, hi] - low) * (pos - lo)
        peak[idx] = part[:, n - 1]
    return WindowStats(counts, pct, peak)


def pad(series: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Ragged 1-D arrays -> (matrix padded with NaN, counts)."""
    counts = np.array([len(s) for s in series], dtype=np.int64)
    width = int(counts.max()) if len(counts) else 0
    matrix = np.full((len(series), max(width, 1)), np.nan)
    for i, s in enumerate(series):
        matrix[i, : len(s)] = s
    return matrix, counts


def interval_maxima(timestamps: np.ndarray, values: np.ndarray, interval_s: int) -> np.ndarray:
    """Maximum of each `interval_s` bucket that holds samples (Compute Optimizer's reduction)."""
    if len(values) == 0:
        return values
    buckets = timestamps // interval_s
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    return np.maximum.reduceat(values, starts)


def binned_max(
    timestamps: np.ndarray, values: np.ndarray, start: int, bin_s: int, bins: int
) -> np.ndarray:
    """Values on a common time grid: the max of each bin, NaN where a bin holds no sample."""
    out = np.full(bins, -np.inf)
    idx = (timestamps - start) // bin_s
    keep = (idx >= 0) & (idx < bins)
    np.maximum.at(out, idx[keep].astype(np.int64), values[keep])
    out[np.isneginf(out)] = np.nan
    return out


def percentile_rows(values: np.ndarray, q: float) -> np.ndarray:
    """The `q` percentile of each row (numpy's linear interpolation, as `window_stats`), by one
    partition: the share check and the packer use this one formula, so they agree exactly."""
    values = np.atleast_2d(values)
    n = values.shape[1]
    pos = q / 100.0 * (n - 1)
    lo, hi = int(np.floor(pos)), int(np.ceil(pos))
    part = np.partition(values, sorted({lo, hi}), axis=1)
    low = part[:, lo]
    return low + (part[:, hi] - low) * (pos - lo)
