"""Right-sizing statistics at fleet scale against a numpy floor, in the same run.

10,000 series x 14 days x 5-minute points (4,032 each). Ours: what `--mode ours` computes per
series (P99.5 busy-ness, P95 for the compute/memory-bound test, maximum, sample count) with
`window_stats`; the floor: one vectorized `np.percentile(values, 99.5, axis=1)` over the same
array. Prints wall time and peak traced memory of each and `ratio: X.XX` (ours / floor wall time;
target <= 2).

    .venv/bin/python benchmarks/rightsizing.py [--series 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from optimizers.rightsizing.stats import window_stats

POINTS = 14 * 288  # 14 days of 5-minute points


def measure(fn, repeat: int) -> tuple[float, float]:
    """Best wall time of `repeat` runs and the peak memory allocated by one run (MiB)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    values = np.clip(rng.gamma(2.0, 12.0, size=(args.series, POINTS)), 0, 100)
    counts = np.full(args.series, POINTS, dtype=np.int64)

    def ours() -> None:
        window_stats(values, counts, (99.5, 95.0))

    def floor() -> None:
        np.percentile(values, 99.5, axis=1)

    # Same answers first: the benchmark compares equal work.
    check = window_stats(values[:50], counts[:50], (99.5,)).percentiles[99.5]
    assert np.allclose(check, np.percentile(values[:50], 99.5, axis=1))

    floor_s, floor_mib = measure(floor, args.repeat)
    ours_s, ours_mib = measure(ours, args.repeat)
    print(
        f"input: {args.series} series x {POINTS} points ({values.nbytes / 2**20:.0f} MiB float64)"
    )
    print(f"numpy floor (np.percentile p99.5): {floor_s:.3f} s, peak {floor_mib:.0f} MiB")
    print(f"ours (p99.5, p95, max, count):     {ours_s:.3f} s, peak {ours_mib:.0f} MiB")
    print(f"memory ratio: {ours_mib / floor_mib:.2f}")
    print(f"ratio: {ours_s / floor_s:.2f}")


if __name__ == "__main__":
    main()
