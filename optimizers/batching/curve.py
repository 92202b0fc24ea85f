"""A model's service time by batch size: from a latency-curve CSV or Triton perf_analyzer's CSV.

Latency curve: a header with `batch_size,p50_ms,p95_ms` (other columns ignored), one row per batch
size, like the H200 measurements (`tokens_per_request,batch_size,p50_ms,...`). When the file holds
several curves (the same batch size twice), `where={"tokens_per_request": "128"}` picks one; without
it the file is refused, naming the columns that tell the curves apart.

perf_analyzer (`perf_analyzer -b N -f out.csv`, one file per batch size or several concatenated):
columns in microseconds. The batch's service time is what the server computed
(`Server Compute Input + Infer + Output`); the batch size is read from a `Batch` column when the
file has one, else, in concurrency mode, from Little's law: `Inferences/Second x latency /
Concurrency`, the latency being `Avg latency` (`--verbose-csv`) or, in the default CSV, the sum
of the columns that break the mean latency down (client send, network and server send/receive,
server queue, the three compute stages, client receive). A request-rate file (`Request Rate`
first) cannot tell the batch size (the achieved rate may fall short of the one asked): it needs
the `Batch` column. What the client and the network add (`Client Send + Network+Server Send/Recv +
Client Recv`) is calibrated from the same rows, as a per-request overhead outside the batcher.

Between measured sizes the service time is interpolated linearly; past the largest it is not
extrapolated (a batch size the model was never measured at is not proposed).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from components.facts.files import UnreadableFile, read_text

from .errors import BatchingInputError

CURVE_COLUMNS = ("batch_size", "p50_ms", "p95_ms")
PERF_COMPUTE = ("Server Compute Input", "Server Compute Infer", "Server Compute Output")
PERF_CLIENT = ("Client Send", "Network+Server Send/Recv", "Client Recv")
PERF_LATENCY_PARTS = (*PERF_CLIENT, "Server Queue", *PERF_COMPUTE)


@dataclass(frozen=True)
class LatencyCurve:
    batch_sizes: np.ndarray  # ascending, unique
    p50_ms: np.ndarray
    p95_ms: np.ndarray
    source: str
    overhead_ms: float = 0.0  # per request, outside the batcher (perf_analyzer only)

    @property
    def max_batch_size(self) -> int:
        return int(self.batch_sizes[-1])

    def service_ms(self, batch: np.ndarray | int, column: str = "p50") -> np.ndarray:
        values = self.p50_ms if column == "p50" else self.p95_ms
        return np.interp(batch, self.batch_sizes, values)

    def table(self, largest: int, column: str = "p50") -> np.ndarray:
        """Service time in seconds of batches 0..largest (index = batch size; 0 unused)."""
        sizes = np.arange(largest + 1)
        return np.where(sizes > 0, self.service_ms(np.maximum(sizes, 1), column), 0.0) / 1000


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = read_text(path, "latency curve (--latency-curve)")  # UTF-8 or a clear error
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
        return [n.strip() for n in reader.fieldnames or []], rows
    except UnreadableFile as err:
        raise BatchingInputError(str(err)) from None
    except csv.Error as err:
        raise BatchingInputError(f"{path}: not a CSV latency curve ({err})") from None


def _number(path: Path, row: int, column: str, text: str | None) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise BatchingInputError(f"{path}: row {row}: {column} {text!r} is not a number >= 0")
    return value


def read_latency_curve(path: Path, where: dict[str, str] | None = None) -> LatencyCurve:
    names, rows = _rows(path)
    rows = [{k.strip(): v for k, v in r.items() if k is not None} for r in rows]
    if all(c in names for c in PERF_COMPUTE):
        return _perf_analyzer(path, rows)
    missing = [c for c in CURVE_COLUMNS if c not in names]
    if missing:
        raise BatchingInputError(
            f"{path}: no column {', '.join(missing)}; a latency curve needs "
            f"{','.join(CURVE_COLUMNS)} (or perf_analyzer's CSV)"
        )
    for column, value in (where or {}).items():
        if column not in names:
            raise BatchingInputError(f"{path}: no column {column!r} to select rows by")
        rows = [r for r in rows if (r.get(column) or "").strip() == value]
    if not rows:
        raise BatchingInputError(f"{path}: no rows{' match ' + str(where) if where else ''}")
    points: dict[int, tuple[float, float]] = {}
    for i, row in enumerate(rows, start=2):
        size = _number(path, i, "batch_size", row["batch_size"])
        if size < 1 or size != int(size):
            raise BatchingInputError(f"{path}: row {i}: batch_size {row['batch_size']!r}")
        if int(size) in points:
            others = [c for c in names if c not in CURVE_COLUMNS]
            hint = f" (choose one curve by a column: {', '.join(others)})" if others else ""
            raise BatchingInputError(f"{path}: batch size {int(size)} appears twice{hint}")
        p50 = _number(path, i, "p50_ms", row["p50_ms"])
        p95 = _number(path, i, "p95_ms", row["p95_ms"])
        if p50 <= 0 or p95 < p50:
            raise BatchingInputError(f"{path}: row {i}: needs 0 < p50_ms <= p95_ms")
        points[int(size)] = (p50, p95)
    sizes = np.array(sorted(points))
    label = f"{path.name}" + (f" where {where}" if where else "")
    return LatencyCurve(
        sizes,
        np.array([points[s][0] for s in sizes]),
        np.array([points[s][1] for s in sizes]),
        source=label,
    )


def _batch_size(path: Path, i: int, row: dict[str, str]) -> float:
    if row.get("Batch"):
        return _number(path, i, "Batch", row["Batch"])
    if not row.get("Concurrency"):
        raise BatchingInputError(
            f"{path}: row {i}: no batch size: a request-rate run does not tell it; add a Batch "
            "column with each run's -b value (or measure with --concurrency-range)"
        )
    per_s = _number(path, i, "Inferences/Second", row.get("Inferences/Second"))
    if row.get("Avg latency"):
        latency_us = _number(path, i, "Avg latency", row["Avg latency"])
    else:  # the default CSV: the mean latency's parts
        latency_us = sum(_number(path, i, c, row.get(c)) for c in PERF_LATENCY_PARTS)
    concurrency = max(_number(path, i, "Concurrency", row["Concurrency"]), 1)
    return round(per_s * latency_us / 1e6 / concurrency)


def _perf_analyzer(path: Path, rows: list[dict[str, str]]) -> LatencyCurve:
    by_size: dict[int, list[tuple[float, float, float]]] = {}
    for i, row in enumerate(rows, start=2):
        compute = sum(_number(path, i, c, row.get(c)) for c in PERF_COMPUTE) / 1000
        client = sum(_number(path, i, c, row.get(c, "0")) for c in PERF_CLIENT) / 1000
        spread = (
            _number(path, i, "p95 latency", row.get("p95 latency"))
            - _number(path, i, "p50 latency", row.get("p50 latency"))
        ) / 1000
        size = _batch_size(path, i, row)
        if size < 1 or compute <= 0:
            raise BatchingInputError(f"{path}: row {i}: no batch size or compute time")
        by_size.setdefault(int(size), []).append((compute, compute + max(spread, 0.0), client))
    sizes = np.array(sorted(by_size))
    p50 = np.array([np.median([r[0] for r in by_size[s]]) for s in sizes])
    p95 = np.array([np.median([r[1] for r in by_size[s]]) for s in sizes])
    overhead = float(np.median([r[2] for rs in by_size.values() for r in rs]))
    return LatencyCurve(
        sizes, p50, p95, source=f"{path.name} (perf_analyzer)", overhead_ms=overhead
    )
