"""The vectorized window statistics, the queueing model and the capability scaling."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers.gpu_capability import Bound, busy_scale, capability_key
from optimizers.recommendation import Kind
from optimizers.rightsizing.latency import p95_latency_ms
from optimizers.rightsizing.policies import get_policy
from optimizers.rightsizing.stats import binned_max, interval_maxima, pad, window_stats
from tests.rightsizing.fleet import Fleet, by_target, pool, run, settings


def test_window_stats_match_numpy_on_ragged_rows():
    rng = np.random.default_rng(7)
    rows = [rng.gamma(2, 10, size=n) for n in (1, 2, 5, 100, 100, 333, 4032)]
    matrix, counts = pad(rows)
    stats = window_stats(matrix, counts, (90, 95, 99.5))
    for i, row in enumerate(rows):
        for q in (90, 95, 99.5):
            assert stats.percentiles[q][i] == pytest.approx(np.percentile(row, q))
        assert stats.max[i] == row.max()
        assert stats.count[i] == len(row)


def test_window_stats_empty_rows_are_nan():
    stats = window_stats(np.zeros((2, 3)), np.array([0, 3]))
    assert np.isnan(stats.max[0]) and stats.max[1] == 0


def test_interval_maxima_reduce_to_five_minute_peaks():
    ts = np.arange(0, 900, 60)  # 15 one-minute samples: three 5-minute intervals
    values = np.array([1, 9, 1, 1, 1, 2, 2, 2, 2, 7, 3, 3, 3, 3, 3], dtype=float)
    assert interval_maxima(ts, values, 300).tolist() == [9, 7, 3]


def test_binned_max_leaves_gaps_empty():
    row = binned_max(np.array([0, 10, 130]), np.array([1.0, 5.0, 2.0]), 0, 60, 4)
    assert row[0] == 5.0 and row[2] == 2.0
    assert np.isnan(row[1]) and np.isnan(row[3])


def test_latency_model_reproduces_the_h200_measurement():
    # 0.59 ms requests at 800 req/s: alone p95 1.88 ms; two members time-sliced 21-25 ms; both at
    # 1,100 req/s (above what the GPU serves): unbounded
    # (docs/gpu-measurements.md#time-slicing-two-processes-on-one-h200).
    assert p95_latency_ms(800 * 0.59e-3, 0.59, 1) == pytest.approx(1.88, rel=0.05)
    assert 20 <= p95_latency_ms(2 * 800 * 0.59e-3, 0.59, 2) <= 25
    assert p95_latency_ms(2 * 1100 * 0.59e-3, 0.59, 2) == float("inf")


def test_busy_scale_uses_what_bounds_the_work():
    compute, _ = busy_scale("H100", "L40S", Bound.COMPUTE)
    memory, _ = busy_scale("H100", "L40S", Bound.MEMORY)
    unknown, why = busy_scale("H100", "L40S", Bound.UNKNOWN)
    # 40% busy on an H100 is ~110% of an L40S
    # (docs/gpu-measurements.md#moving-work-between-gpu-models)
    assert compute == pytest.approx(989 / 362) and 40 * compute > 100
    assert memory == pytest.approx(3.35 / 0.86)
    assert unknown == max(compute, memory) and "conservative" in why


def test_models_missing_from_the_table_get_no_factor():
    assert capability_key("A100", 40_960) is None  # p4d's 40 GB A100 is not in the table
    assert capability_key("A100", 81_920) == "A100-80GB"
    assert busy_scale("V100", "L4", Bound.COMPUTE)[0] is None
    # A10G figures are an upper bound: fine as a source, never as a target.
    assert busy_scale("A10G", "L4", Bound.COMPUTE)[0] == pytest.approx(125 / 121)
    assert busy_scale("L4", "A10G", Bound.COMPUTE)[0] is None


def test_no_cross_model_proposal_for_an_unknown_model():
    # p4d (A100 40 GB) is idle-ish; the pool also allows p5 and g6e, but no factor exists.
    gpus = [{"busy": 5, "sm": 3, "mem_gib": 10} for _ in range(8)]
    fleet = Fleet().add("a", "train", "p4d.24xlarge", cpu=5, mem_gib=50, gpus=gpus)
    stack = settings(
        pool("train", ["p4d.24xlarge", "p5.48xlarge", "g6e.48xlarge"], role="training")
    )
    rec = by_target(run(fleet, stack))["a"]
    assert rec.kind is Kind.KEEP and rec.proposed.instance_type == "p4d.24xlarge"


def test_mode_presets_are_checked():
    assert get_policy("compute-optimizer", 30, 95).busy_percentile == 95
    with pytest.raises(ValueError):
        get_policy("compute-optimizer", 25)
    with pytest.raises(ValueError):
        get_policy("compute-optimizer", None, 97)
    assert get_policy("krr", 20).memory_peak_factor == pytest.approx(1.2)
    assert get_policy("ours", 0).headroom() == 1
