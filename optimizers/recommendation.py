"""The shared recommendation model: what `aeon recommend` writes and `aeon apply` / `report` read.

Saved as `.aeon/recommendations/<stack>.json`:
    {"stack", "generated_at", "inputs_hash", "recommendations": [Recommendation, ...]}
Every resource of the input appears in exactly one recommendation (`keep` and `not-enough-data`
included), so savings add up and nothing is silently skipped.

What each kind asks of the pool (`pool`, `region`) it names:
- keep, not-enough-data: nothing; proposed == current.
- downsize, upsize, change-family: run `proposed.instance_type` instead of `current.instance_type`
  for `target` (one instance; `count` 1).
- remove: `proposed.count` 0, `proposed.instance_type` None: one instance fewer in the pool.
- share: `targets` (current.count instances of one pool) become `proposed.count` (1) instance of
  `proposed.instance_type` whose GPU is time-sliced into `proposed.gpu_replicas` replicas
  (the pool's `gpu_sharing.time_slicing_replicas`); `target` is the pool.
Money fields are None when `priced` is False (a price figure is missing); committed capacity
shows a saving of 0 until its term ends (`evidence.price_basis` says which price was used).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

HOURS_PER_MONTH = 730  # AWS pricing convention (8,760 h / 12)
FORMAT_VERSION = 1


class Kind(StrEnum):
    KEEP = "keep"
    DOWNSIZE = "downsize"
    UPSIZE = "upsize"
    CHANGE_FAMILY = "change-family"
    REMOVE = "remove"
    SHARE = "share"  # time-slice one GPU between several members (NVIDIA device plugin)
    NOT_ENOUGH_DATA = "not-enough-data"


class Confidence(StrEnum):
    LOW = "low"  # window under 24 h
    MEDIUM = "medium"  # under 7 days
    HIGH = "high"


class Mode(StrEnum):
    OURS = "ours"
    COMPUTE_OPTIMIZER = "compute-optimizer"
    KRR = "krr"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Current(_Model):
    instance_type: str
    count: int = Field(ge=0)
    purchase: Literal["on-demand", "spot", "committed"]


class Proposed(_Model):
    instance_type: str | None = Field(description="None when the proposal removes the capacity")
    count: int = Field(ge=0)
    gpu_replicas: int | None = Field(
        default=None, description="time-slicing replicas per GPU (share); None: whole GPUs"
    )


class Risk(_Model):
    level: Literal["low", "medium", "high"]
    notes: list[str] = Field(default_factory=list)


class SeriesSummary(_Model):
    """Statistics of one metric over the window, as used (after any interval reduction)."""

    metric: str
    count: int
    percentiles: dict[str, float] = Field(description="'p99.5' -> value")
    max: float


class PriceFigure(_Model):
    """One price as used, with where it came from (None value: missing in the table)."""

    instance_type: str
    region: str
    basis: Literal["on-demand", "spot", "committed"]
    usd_per_hour: float | None
    source: str | None = None
    date: str | None = None


class Evidence(_Model):
    mode: Mode
    window_start: int | None = Field(description="Unix seconds")
    window_end: int | None
    lookback_s: int
    sample_count: int = Field(description="samples of the scarcest required series in the window")
    span_s: int = Field(description="time covered by those samples")
    percentiles_used: dict[str, str] = Field(description="quantity -> statistic, e.g. 'p99.5'")
    headroom_pct: float
    series: list[SeriesSummary] = Field(default_factory=list)
    busy_metric: str | None = Field(default=None, description="what GPU busy-ness was read from")
    projected: dict[str, float] = Field(
        default_factory=dict, description="needs on the proposal: busy %, memory GiB..."
    )
    price_basis: Literal["on-demand", "spot", "committed"] | None = None
    prices: list[PriceFigure] = Field(default_factory=list)
    catalog_source: str | None = None
    notes: list[str] = Field(default_factory=list)


class Recommendation(_Model):
    id: str
    target: str = Field(description="inventory resource_id, or the pool for pool-level advice")
    targets: list[str] = Field(min_length=1, description="every resource this covers")
    pool: str
    region: str
    kind: Kind
    current: Current
    proposed: Proposed
    priced: bool = Field(description="False when a figure it needs is missing from the price table")
    monthly_cost_before_usd: float | None
    monthly_cost_after_usd: float | None
    monthly_saving_usd: float | None
    risk: Risk
    confidence: Confidence | None = Field(description="None for not-enough-data")
    evidence: Evidence


class PoolUtilization(_Model):
    """How busy one pool was over the window, for the report's charts (optional in the file).

    `bins[i]` counts samples with utilization in [i * bin_pct, (i + 1) * bin_pct) percent of the
    current capacity (the last bin includes 100). `proposed_pct` is the busiest projected
    utilization on the proposed capacity among the pool's recommendations (None: no projection).
    """

    pool: str
    region: str
    metric: str
    bin_pct: float = 5.0
    bins: list[int]
    samples: int
    percentiles: dict[str, float] = Field(description="'p50', 'p95', 'p99' -> percent")
    max: float
    proposed_pct: float | None = None


class RecommendationSet(_Model):
    version: int = FORMAT_VERSION
    stack: str
    generated_at: str = Field(description="ISO 8601 UTC")
    inputs_hash: str
    mode: Mode
    source: str
    catalog_source: str
    recommendations: list[Recommendation]
    utilization: list[PoolUtilization] = Field(
        default_factory=list, description="per-pool busy-ness distributions (charts)"
    )

    @property
    def monthly_saving_usd(self) -> float:
        return round(sum(r.monthly_saving_usd or 0.0 for r in self.recommendations), 2)

    def covered_resources(self) -> list[str]:
        return [t for r in self.recommendations for t in r.targets]


def recommendation_id(kind: str, targets: list[str], proposed: Proposed) -> str:
    """Stable for the same inputs: a hash of kind, targets and proposal."""
    payload = json.dumps(
        {"kind": str(kind), "targets": sorted(targets), "proposed": proposed.model_dump()},
        sort_keys=True,
    )
    return "rec-" + hashlib.sha256(payload.encode()).hexdigest()[:16]


def recommendations_path(root: Path, stack: str) -> Path:
    return root / ".aeon" / "recommendations" / f"{stack}.json"


def save(result: RecommendationSet, path: Path) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = result.model_dump_json(indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> RecommendationSet:
    return RecommendationSet.model_validate_json(path.read_text(encoding="utf-8"))


def to_jsonable(result: RecommendationSet) -> dict[str, Any]:
    return result.model_dump(mode="json")
