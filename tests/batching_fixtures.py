"""Latency curves for the batching tests, from the figures measured on a real H200
(../shared/data/gpu-h200/mlp_batch_latency.csv: an MLP at 1 and 128 tokens per request)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizers.batching.curve import LatencyCurve
from tests.telemetry.fakes import SHARED_H200

H200_FILE = SHARED_H200 / "mlp_batch_latency.csv"  # tests using it skip without it
SIZES = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256])
# 128 tokens per request: compute-bound, service time grows about linearly with the batch.
TOKENS_128 = LatencyCurve(
    SIZES,
    np.array([0.5414, 0.6668, 1.1266, 2.1187, 4.4637, 8.8329, 17.4637, 34.8149, 73.8964]),
    np.array([0.5657, 0.6758, 1.1522, 2.3086, 4.4794, 8.9085, 19.8781, 35.8915, 76.9468]),
    source="H200 MLP, 128 tokens per request",
)
# 1 token per request: launch-bound, a batch of 128 costs about what a batch of 1 does.
TOKENS_1 = LatencyCurve(
    SIZES,
    np.array([0.4821, 0.6217, 0.4729, 0.4713, 0.4856, 0.4711, 0.4771, 0.5376, 0.6664]),
    np.array([0.5291, 0.9165, 0.5098, 0.5189, 0.5059, 0.4952, 0.4823, 0.5453, 0.6802]),
    source="H200 MLP, 1 token per request",
)


def curve_csv(path: Path, curve: LatencyCurve, extra: str = "") -> Path:
    lines = ["batch_size,p50_ms,p95_ms" + (",note" if extra else "")]
    for b, p50, p95 in zip(curve.batch_sizes, curve.p50_ms, curve.p95_ms, strict=True):
        lines.append(f"{b},{p50},{p95}" + (f",{extra}" if extra else ""))
    path.write_text("\n".join(lines) + "\n")
    return path
