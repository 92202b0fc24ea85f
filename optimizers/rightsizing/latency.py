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

import numpy as np


def p95_latency_ms(rho: float, service_ms: float, members: int = 1) -> float:
    return float(p95_latency_ms_array(np.array([rho]), service_ms, np.array([members]))[0])


def p95_latency_ms_array(rho: np.ndarray, service_ms: float, members: np.ndarray) -> np.ndarray:
    """p95_latency_ms for many groups at once (the packer); the same arithmetic, so the two
    agree exactly."""
    rho = np.asarray(rho, dtype=np.float64)
    k = np.maximum(1, np.asarray(members)).astype(np.float64)
    cs2 = (k - 1) / (k + 1)
    busy = np.clip(rho, 0.05, 0.999999)  # the formula's domain; the ends are set below
    mean_wait = busy * service_ms * (1 + cs2) / (2 * (1 - busy))
    wait95 = mean_wait / busy * np.log(busy / 0.05)
    out = np.where(rho <= 0.05, k * service_ms, k * service_ms + wait95)
    return np.where(rho >= 1, np.inf, out)


def default_service_ms(latency_target_ms: float) -> float:
    """Without a measured request service time, assume a request's GPU work is a tenth of its
    latency budget (stated in the evidence; `--service-time-ms` overrides it)."""
    return latency_target_ms / 10
