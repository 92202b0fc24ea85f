"""A served model's load from Prometheus: Triton's request rate per model, at its p95 over a window.

Triton counts the requests each model served (`nv_inference_request_success`, a counter with a
`model` label). Its 5-minute rate, summed over the servers, sampled every minute over the window,
gives the load the pool carries; the batcher is planned for the p95 of those samples, the busy
hours rather than the mean or one spike. The query is split into ranges Prometheus accepts
(11,000 points per series).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Protocol

import numpy as np

from optimizers.telemetry.prometheus import DEFAULT_STEP_S, split_range

RATE_QUERY = "sum by (model) (rate(nv_inference_request_success[5m]))"
LOAD_PERCENTILE = 95


class RangeClient(Protocol):
    def query_range(self, expr: str, start: int, end: int, step: int) -> list[dict[str, Any]]: ...


def request_rates(
    client: RangeClient, start: int, end: int, step: int = DEFAULT_STEP_S
) -> dict[str, float]:
    """Requests per second of each model Prometheus knows, at the p95 of [start, end]."""
    samples: dict[str, list[float]] = defaultdict(list)
    for first, last in split_range(start, end, step):
        for series in client.query_range(RATE_QUERY, first, last, step):
            model = (series.get("metric") or {}).get("model")
            if not model:
                continue
            for point in series.get("values") or []:
                try:
                    value = float(point[1])
                except (TypeError, ValueError, IndexError):
                    continue
                if math.isfinite(value) and value >= 0:
                    samples[model].append(value)
    return {m: float(np.percentile(v, LOAD_PERCENTILE)) for m, v in samples.items() if v}
