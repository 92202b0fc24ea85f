"""Latency of requests on a time-sliced GPU: an M/G/1 queue on the members' summed load.

Time-slicing serializes the members' work, as measured on an H200
(docs/gpu-measurements.md#time-slicing-two-processes-on-one-h200): the summed load, not each
member's, meets queueing, and while k members are active each request's wall service time
stretches about k-fold (0.59 ms -> 1.17 ms with two members). Model:
- waiting (Pollaczek-Khinchine): E[W] = rho * S * (1 + cs2) / (2 * (1 - rho)), S the request's own
  GPU work, rho the summed busy fraction;
- service-time variability under slicing: cs2 = (k - 1) / (k + 1) (0 alone: deterministic, M/D/1);
- tail: P(W > t) ~ rho * exp(-t * rho / E[W]), so W95 = (E[W] / rho) * ln(rho / 0.05);
- p95 latency = k * S + W95.
Calibration against the H200 measurement (S = 0.59 ms, 800 req/s per member): alone p95 1.85 ms
(measured 1.88), two members p95 21.8 ms (measured 21-25); beyond rho = 1 latency is unbounded.
"""

from __future__ import annotations

import math


def p95_latency_ms(rho: float, service_ms: float, members: int = 1) -> float:
    if rho >= 1:
        return math.inf
    k = max(1, members)
    cs2 = (k - 1) / (k + 1)
    if rho <= 0.05:
        return k * service_ms
    mean_wait = rho * service_ms * (1 + cs2) / (2 * (1 - rho))
    wait95 = mean_wait / rho * math.log(rho / 0.05)
    return k * service_ms + wait95


def default_service_ms(latency_target_ms: float) -> float:
    """Without a measured request service time, assume a request's GPU work is a tenth of its
    latency budget (stated in the evidence; `--service-time-ms` overrides it)."""
    return latency_target_ms / 10
