"""What `aeon report` shows, computed once from the saved recommendations; renderers format it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict

from optimizers.recommendation import (
    PlannerRun,
    PoolUtilization,
    Recommendation,
    RecommendationsFile,
)


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
    share_if_roles_known_usd: float = 0.0  # what sharing would save on pools of unknown role
    role_unknown_pools: list[str] = []


class PoolSaving(_Model):
    pool: str
    region: str
    monthly_saving_usd: float
    recommendations: int


class RunSummary(_Model):
    """One planner's entry of the saved file."""

    planner: str
    title: str
    mode: str | None
    source: str | None
    generated_at: str
    recommendations: int
    monthly_saving_usd: float


class Row(_Model):
    id: str
    planner: str
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
    title: str  # "Right-sizing report", or "Recommendations report" over several planners
    generated_at: str  # the newest run's
    mode: str | None  # the run's when there is one run
    source: str | None
    runs: list[RunSummary]
    totals: Totals
    savings_by_pool: list[PoolSaving]
    rows: list[Row]
    utilization: list[PoolUtilization]


def title_of(planner: str) -> str:
    from optimizers.planners import PLANNERS

    cls = PLANNERS.get(planner)
    return cls.title if cls else planner  # a planner this aeon does not know: its name


def _summary(run: PlannerRun) -> RunSummary:
    return RunSummary(
        planner=run.planner,
        title=title_of(run.planner),
        mode=run.mode,
        source=run.source,
        generated_at=run.generated_at,
        recommendations=len(run.recommendations),
        monthly_saving_usd=run.monthly_saving_usd,
    )


def build(recset: RecommendationsFile) -> ReportData:
    recs = recset.recommendations
    runs = [_summary(run) for run in recset.runs]
    planner_of = {r.id: run.planner for run in recset.runs for r in run.recommendations}
    one = runs[0] if len(runs) == 1 else None
    before = sum(r.monthly_cost_before_usd or 0.0 for r in recs if r.priced)
    after = sum(r.monthly_cost_after_usd or 0.0 for r in recs if r.priced)
    saving = recset.monthly_saving_usd
    pools: dict[tuple[str, str], list[Recommendation]] = {}
    for rec in recs:
        pools.setdefault((rec.pool or "-", rec.region or "-"), []).append(rec)
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
    order = sorted(recs, key=lambda r: (-(r.monthly_saving_usd or 0.0), r.pool or "", r.id))
    return ReportData(
        stack=recset.stack,
        title=f"{one.title} report" if one else "Recommendations report",
        generated_at=max((r.generated_at for r in runs), default=""),
        mode=one.mode if one else None,
        source=one.source if one else None,
        runs=runs,
        totals=Totals(
            recommendations=len(recs),
            resources=len(recset.covered_resources()),
            by_kind=dict(sorted(Counter(r.kind.value for r in recs).items())),
            monthly_cost_before_usd=round(before, 2),
            monthly_cost_after_usd=round(after, 2),
            monthly_saving_usd=saving,
            saving_pct=round(100 * saving / before, 1) if before else None,
            unpriced=sum(1 for r in recs if not r.priced),
            **_role_unknown(recs),
        ),
        savings_by_pool=by_pool,
        rows=[
            Row(
                id=r.id,
                planner=planner_of[r.id],
                target=r.target if len(r.targets) == 1 else f"{r.target} ({len(r.targets)})",
                pool=r.pool or "-",
                region=r.region or "-",
                kind=r.kind.value,
                current=r.current_text(),
                proposed=r.proposed_text(),
                monthly_saving_usd=r.monthly_saving_usd,
                risk=r.risk.level,
                confidence=r.confidence.value if r.confidence else None,
            )
            for r in order
        ],
        utilization=list(recset.utilization),
    )


def _role_unknown(recs: list[Recommendation]) -> dict[str, Any]:
    """What right-sizing found sharing would save on pools whose role nobody declared."""
    missed = [
        (r.pool or "-", usd)
        for r in recs
        if (usd := getattr(r.evidence, "share_if_inference_usd", None)) is not None
    ]
    return {
        "share_if_roles_known_usd": round(sum(usd for _, usd in missed), 2),
        "role_unknown_pools": sorted({pool for pool, _ in missed}),
    }


def role_unknown_line(t: Totals) -> str | None:
    if not t.role_unknown_pools:
        return None
    return (
        f"Pools of unknown role ({', '.join(t.role_unknown_pools)}): sharing GPUs was not "
        f"considered; declaring them inference pools would save about "
        f"{money(t.share_if_roles_known_usd)} a month more"
    )


OVERLAP_NOTE = (
    "Savings of different planners can overlap (a commitment on capacity a resize removes): "
    "plan again after applying one."
)


def run_line(run: RunSummary) -> str:
    mode = f", mode `{run.mode}`" if run.mode else ""
    return f"{run.title}: generated {run.generated_at} from `{run.source or '-'}`{mode}"


def money(value: float | None) -> str:
    return "unpriced" if value is None else f"${value:,.2f}"


def to_jsonable(data: ReportData) -> dict[str, Any]:
    return data.model_dump(mode="json")
