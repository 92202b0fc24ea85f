"""What `aeon report` shows, computed once from the saved recommendations; renderers format it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict

from optimizers.recommendation import PoolUtilization, Recommendation, RecommendationSet


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Totals(_Model):
    recommendations: int
    resources: int
    by_kind: dict[str, int]
    monthly_cost_before_usd: float
    monthly_cost_after_usd: float
    monthly_saving_usd: float
    saving_pct: float | None
    unpriced: int


class PoolSaving(_Model):
    pool: str
    region: str
    monthly_saving_usd: float
    recommendations: int


class Row(_Model):
    id: str
    target: str
    pool: str
    region: str
    kind: str
    current: str
    proposed: str
    monthly_saving_usd: float | None
    risk: str
    confidence: str | None


class ReportData(_Model):
    stack: str
    generated_at: str
    mode: str
    source: str
    totals: Totals
    savings_by_pool: list[PoolSaving]
    rows: list[Row]
    utilization: list[PoolUtilization]


def _current(rec: Recommendation) -> str:
    return f"{rec.current.count} x {rec.current.instance_type} ({rec.current.purchase})"


def _proposed(rec: Recommendation) -> str:
    p = rec.proposed
    text = "none" if p.instance_type is None else f"{p.count} x {p.instance_type}"
    return text + (f" ({p.gpu_replicas} replicas/GPU)" if p.gpu_replicas else "")


def build(recset: RecommendationSet) -> ReportData:
    recs = recset.recommendations
    before = sum(r.monthly_cost_before_usd or 0.0 for r in recs if r.priced)
    after = sum(r.monthly_cost_after_usd or 0.0 for r in recs if r.priced)
    saving = recset.monthly_saving_usd
    pools: dict[tuple[str, str], list[Recommendation]] = {}
    for rec in recs:
        pools.setdefault((rec.pool, rec.region), []).append(rec)
    by_pool = [
        PoolSaving(
            pool=pool,
            region=region,
            recommendations=len(items),
            monthly_saving_usd=round(sum(r.monthly_saving_usd or 0.0 for r in items), 2),
        )
        for (pool, region), items in pools.items()
    ]
    by_pool.sort(key=lambda p: (-p.monthly_saving_usd, p.pool))
    order = sorted(recs, key=lambda r: (-(r.monthly_saving_usd or 0.0), r.pool, r.id))
    return ReportData(
        stack=recset.stack,
        generated_at=recset.generated_at,
        mode=recset.mode.value,
        source=recset.source,
        totals=Totals(
            recommendations=len(recs),
            resources=len(recset.covered_resources()),
            by_kind=dict(sorted(Counter(r.kind.value for r in recs).items())),
            monthly_cost_before_usd=round(before, 2),
            monthly_cost_after_usd=round(after, 2),
            monthly_saving_usd=saving,
            saving_pct=round(100 * saving / before, 1) if before else None,
            unpriced=sum(1 for r in recs if not r.priced),
        ),
        savings_by_pool=by_pool,
        rows=[
            Row(
                id=r.id,
                target=r.target if len(r.targets) == 1 else f"{r.pool} ({len(r.targets)})",
                pool=r.pool,
                region=r.region,
                kind=r.kind.value,
                current=_current(r),
                proposed=_proposed(r),
                monthly_saving_usd=r.monthly_saving_usd,
                risk=r.risk.level,
                confidence=r.confidence.value if r.confidence else None,
            )
            for r in order
        ],
        utilization=list(recset.utilization),
    )


def money(value: float | None) -> str:
    return "unpriced" if value is None else f"${value:,.2f}"


def to_jsonable(data: ReportData) -> dict[str, Any]:
    return data.model_dump(mode="json")
