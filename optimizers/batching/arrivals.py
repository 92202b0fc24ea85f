"""Request arrivals: Poisson at a rate, or recorded timestamps replayed as they are."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from components.facts.files import UnreadableFile, read_text

from .errors import BatchingInputError

MIN_RECORDED = 100


def poisson_arrivals(rate_rps: float, count: int, seed: int = 0) -> np.ndarray:
    """`count` arrival times (seconds from 0) of a Poisson process at `rate_rps`."""
    gaps = np.random.default_rng(seed).exponential(1.0 / rate_rps, size=count)
    return np.cumsum(gaps)


def read_arrivals(path: Path) -> np.ndarray:
    """One arrival timestamp in seconds per line (blank lines and `#` comments skipped), sorted
    and shifted to start at 0."""
    try:
        lines = read_text(path, "arrivals file (--arrivals)").splitlines()
    except UnreadableFile as err:  # missing, a folder, not UTF-8
        raise BatchingInputError(str(err)) from None
    times = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise BatchingInputError(
                f"{path}: line {number}: {line.strip()[:40]!r} is not a timestamp in seconds"
            )
        times.append(value)
    if len(times) < MIN_RECORDED:
        raise BatchingInputError(
            f"{path}: {len(times)} arrivals; at least {MIN_RECORDED} are needed to replay a load"
        )
    out = np.sort(np.array(times))
    if out[-1] == out[0]:
        raise BatchingInputError(f"{path}: every arrival has the same timestamp")
    return out - out[0]


def rate_of(arrivals: np.ndarray) -> float:
    return (len(arrivals) - 1) / float(arrivals[-1] - arrivals[0])
