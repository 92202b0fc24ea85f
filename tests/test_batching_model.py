"""The dynamic batcher: simulation semantics, the analytic approximation against it, and the
low-load effect of a long queue delay on the H200 curve."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers.batching.analytic import analytic_latency
from optimizers.batching.arrivals import poisson_arrivals
from optimizers.batching.curve import read_latency_curve
from optimizers.batching.simulation import BatcherConfig, simulate, simulate_instance
from tests.batching_fixtures import H200_FILE, TOKENS_1, TOKENS_128


def test_batch_waits_for_the_delay_or_a_full_queue_and_runs_after_the_previous_one():
    service = np.array([0.0, 1.0, 1.5, 2.0])  # seconds for batches of 0..3
    arrivals = np.array([0.0, 0.2, 0.3, 0.35, 5.0])
    latency, sizes, busy = simulate_instance(arrivals, BatcherConfig(3, 500.0), service)
    # Three requests fill the batch at 0.3 s; the fourth waits for the instance (free at 2.3 s),
    # then its 0.5 s delay has passed: it leaves alone; the fifth waits its full 0.5 s.
    assert list(sizes) == [3, 1, 1]
    assert latency == pytest.approx([2.3, 2.1, 2.0, 2.95, 1.5])
    assert busy == pytest.approx(4.0)


def test_without_delay_an_idle_instance_takes_requests_one_by_one():
    arrivals = poisson_arrivals(10.0, 5000, seed=3)  # 10 rps on a 0.54 ms model: never queued
    result = simulate(arrivals, BatcherConfig(32, 0.0), TOKENS_128)
    assert result.mean_batch == pytest.approx(1.0, abs=0.01)
    assert result.p50_ms == pytest.approx(0.5414, rel=1e-6)


GRID_128 = [
    (b, d, share) for b in (1, 8, 64) for d in (0.0, 1.0, 50.0) for share in (0.05, 0.3, 0.7)
]
GRID_1 = [(b, d, share) for b in (8, 256) for d in (0.0, 0.5, 20.0) for share in (0.05, 0.3, 0.6)]


@pytest.mark.parametrize(
    ("curve", "b", "delay", "share"),
    [(TOKENS_128, *g) for g in GRID_128] + [(TOKENS_1, *g) for g in GRID_1],
)
def test_analytic_approximation_is_within_10_percent_of_the_simulation(curve, b, delay, share):
    service = curve.table(b)
    rate = share * b / service[b]  # share of what one replica can serve at this batch size
    config = BatcherConfig(b, delay)
    count = int(np.clip(rate * 40, 20_000, 60_000))
    simulated = simulate(poisson_arrivals(rate, count, seed=11), config, curve)
    approx = analytic_latency(rate, config, service)
    assert approx is not None
    assert approx.p50_ms == pytest.approx(simulated.p50_ms, rel=0.10)
    assert approx.p95_ms == pytest.approx(simulated.p95_ms, rel=0.10)


def test_analytic_refuses_a_load_beyond_the_replicas_capacity():
    service = TOKENS_128.table(8)
    assert analytic_latency(1.01 * 8 / service[8], BatcherConfig(8, 1.0), service) is None


@pytest.mark.skipif(not H200_FILE.is_file(), reason="../shared/data/gpu-h200 not present")
@pytest.mark.parametrize("tokens", ["1", "128"])
def test_long_queue_delay_makes_p95_worse_at_low_load_than_at_moderate_load(tokens):
    curve = read_latency_curve(H200_FILE, {"tokens_per_request": tokens})
    config = BatcherConfig(32, 50.0)  # the framework's 32 and 50 ms
    capacity = 32 / (curve.service_ms(32) / 1000)
    low, moderate = 20.0, 0.4 * capacity  # 20 requests/s: about one per 50 ms window
    sim = {
        rate: simulate(poisson_arrivals(rate, 20_000, seed=5), config, curve).p95_ms
        for rate in (low, moderate)
    }
    approx = {
        rate: analytic_latency(rate, config, curve.table(32)).p95_ms for rate in (low, moderate)
    }
    for p95 in (sim, approx):
        assert p95[low] > 50.0  # the lone request waits out the delay
        assert p95[moderate] < 0.8 * p95[low]  # batches fill before the delay runs out
