"""Discrete-event simulation of Triton's dynamic batcher on one or more replicas.

Per replica, one model instance (one GPU): requests queue in arrival order; a batch starts when
the instance is free and either the queue holds `max_batch_size` requests, or a preferred batch
size, or the oldest request has waited `max_queue_delay`; it takes the oldest requests, up to
`max_batch_size` (the largest preferred size the queue can fill, when preferred sizes are set and
the delay has not run out). Batches on one instance run one after another; a batch of k takes the
curve's service time at k (p50 column by default). A request's latency is from its arrival to the
end of its batch, plus any per-request overhead the curve calibrated (perf_analyzer).

Replicas share the load as Kubernetes' Service spreads connections: each request goes to a
replica drawn at random. Events are batches, not requests, so a run of 100,000 requests takes a
fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .curve import LatencyCurve

WARMUP_SHARE = 0.05  # the first requests meet an empty system: left out of the percentiles


@dataclass(frozen=True)
class BatcherConfig:
    max_batch_size: int
    max_queue_delay_ms: float
    preferred_batch_sizes: tuple[int, ...] = ()


@dataclass(frozen=True)
class LatencyResult:
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_batch: float
    utilization: float  # share of time the instance computes
    requests: int

    @property
    def percentiles(self) -> dict[str, float]:
        return {"p50_ms": self.p50_ms, "p95_ms": self.p95_ms, "p99_ms": self.p99_ms}


def simulate_instance(
    arrivals: np.ndarray, config: BatcherConfig, service_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Latencies (s) of sorted `arrivals` on one instance; batch sizes; busy time (s)."""
    n = len(arrivals)
    latency = np.empty(n)
    sizes = []
    busy = 0.0
    largest, delay = config.max_batch_size, config.max_queue_delay_ms / 1000
    preferred = sorted(p for p in config.preferred_batch_sizes if p < largest)
    free, i = 0.0, 0
    while i < n:
        first = arrivals[i]
        ready = first + delay
        full = i + largest - 1
        if full < n:
            ready = min(ready, arrivals[full])
        if preferred and i + preferred[0] - 1 < n:
            ready = min(ready, arrivals[i + preferred[0] - 1])
        start = max(free, ready)
        waiting = int(np.searchsorted(arrivals, start, side="right")) - i
        k = min(largest, waiting)
        if preferred and k < largest and start < first + delay:
            fitting = [p for p in preferred if p <= k]
            k = fitting[-1] if fitting else k
        service = service_s[k]
        done = start + service
        latency[i : i + k] = done - arrivals[i : i + k]
        sizes.append(k)
        busy += service
        free = done
        i += k
    return latency, np.array(sizes), busy


def simulate(
    arrivals: np.ndarray,
    config: BatcherConfig,
    curve: LatencyCurve,
    replicas: int = 1,
    column: str = "p50",
    seed: int = 0,
) -> LatencyResult:
    """Latency percentiles of `arrivals` (seconds, sorted) spread over `replicas`."""
    service = curve.table(config.max_batch_size, column)
    which = np.random.default_rng(seed).integers(0, replicas, size=len(arrivals))
    latencies, batches, busy = [], [], 0.0
    for r in range(replicas):
        mine = arrivals[which == r]
        if len(mine) == 0:
            continue
        latency, sizes, used = simulate_instance(mine, config, service)
        latencies.append(latency[int(len(latency) * WARMUP_SHARE) :])
        batches.append(sizes)
        busy += used
    every = np.concatenate(latencies) * 1000 + curve.overhead_ms
    span = float(arrivals[-1] - arrivals[0]) * replicas
    p50, p95, p99 = np.percentile(every, [50, 95, 99])
    return LatencyResult(
        p50_ms=float(p50),
        p95_ms=float(p95),
        p99_ms=float(p99),
        mean_batch=float(np.concatenate(batches).mean()),
        utilization=busy / span if span > 0 else 0.0,
        requests=len(every),
    )
