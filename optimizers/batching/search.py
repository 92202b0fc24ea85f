"""The batcher config that meets a p95 target at a load with the fewest replicas.

Ranking: fewest replicas, then the lowest p95, then the highest `max_rps_per_replica` (the highest
load one replica carries within the target). The analytic approximation ranks every candidate
(max batch size x queue delay) at each replica count from the fewest that could carry the load;
the simulation then confirms the winners in order (it replays recorded arrivals as they came), so
a proposal never rests on the approximation alone.

More replicas do not always help: a long queue delay makes p95 *worse* at low load (batches wait
to fill), so each replica count is checked, not assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .analytic import analytic_latency
from .curve import LatencyCurve
from .simulation import BatcherConfig, LatencyResult, simulate

DELAYS_MS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
LOAD_SHARES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
MAX_EXTRA_REPLICAS = 64
SIMULATED_CANDIDATES = 8
BISECTIONS = 6  # max_rps_per_replica to within 1/64 of a load share


@dataclass(frozen=True)
class Candidate:
    config: BatcherConfig
    replicas: int
    p95_ms: float  # analytic, at load / replicas


def batch_sizes(curve: LatencyCurve) -> list[int]:
    """Powers of two and the measured sizes, up to the largest measured."""
    top = curve.max_batch_size
    powers = [2**i for i in range(int(math.log2(top)) + 1)]
    return sorted({*powers, *(int(s) for s in curve.batch_sizes if s <= top)})


def candidates(curve: LatencyCurve, target_p95_ms: float, continuous: bool) -> list[BatcherConfig]:
    """Every config worth trying; vLLM batches continuously: no queue delay."""
    delays = (0.0,) if continuous else tuple(d for d in DELAYS_MS if d < target_p95_ms)
    return [
        BatcherConfig(b, d, (b,))
        for b in batch_sizes(curve)
        for d in delays
        if curve.service_ms(b) + curve.overhead_ms < target_p95_ms
    ]


def p95_at(rate: float, config: BatcherConfig, service_s: np.ndarray, overhead: float) -> float:
    result = analytic_latency(rate, config, service_s, overhead)
    return math.inf if result is None else result.p95_ms


def max_rps_per_replica(
    config: BatcherConfig, curve: LatencyCurve, target_p95_ms: float, column: str = "p50"
) -> float:
    """The highest Poisson load (requests/s) one replica serves within the target (analytic)."""
    service = curve.table(config.max_batch_size, column)
    capacity = config.max_batch_size / service[config.max_batch_size]
    # From the top down: p95 is not monotone at low load (the queue delay), and only the highest
    # share within the target matters.
    high = 1.0
    for share in reversed(LOAD_SHARES):
        if p95_at(share * capacity, config, service, curve.overhead_ms) <= target_p95_ms:
            break
        high = share
    else:
        return 0.0
    low, high = share * capacity, high * capacity
    for _ in range(BISECTIONS):
        mid = (low + high) / 2
        if p95_at(mid, config, service, curve.overhead_ms) <= target_p95_ms:
            low = mid
        else:
            high = mid
    return low


def ranked(
    curve: LatencyCurve,
    load_rps: float,
    target_p95_ms: float,
    *,
    continuous: bool = False,
    column: str = "p50",
    max_replicas: int | None = None,
    min_replicas: int = 1,
) -> list[Candidate]:
    """Configs meeting the target (analytic) at the fewest replicas (from `min_replicas`) that
    allow any, best first."""
    configs = candidates(curve, target_p95_ms, continuous)
    if not configs:
        return []
    services = {c.max_batch_size: curve.table(c.max_batch_size, column) for c in configs}
    best_capacity = max(c.max_batch_size / services[c.max_batch_size][-1] for c in configs)
    fewest = max(min_replicas, math.ceil(load_rps / best_capacity))
    limit = max_replicas or fewest + MAX_EXTRA_REPLICAS
    for replicas in range(fewest, limit + 1):
        rate = load_rps / replicas
        found = []
        for config in configs:
            service = services[config.max_batch_size]
            p95 = p95_at(rate, config, service, curve.overhead_ms)
            if p95 <= target_p95_ms:
                found.append(Candidate(config, replicas, p95))
        if found:
            return sorted(found, key=lambda c: (c.p95_ms, -c.config.max_batch_size))
    return []


def confirm(
    options: list[Candidate],
    curve: LatencyCurve,
    arrivals: np.ndarray,
    target_p95_ms: float,
    column: str = "p50",
) -> tuple[Candidate, LatencyResult] | None:
    """The first of `options` whose simulation meets the target, with that simulation."""
    for option in options[:SIMULATED_CANDIDATES]:
        result = simulate(arrivals, option.config, curve, option.replicas, column)
        if result.p95_ms <= target_p95_ms:
            return option, result
    return None
