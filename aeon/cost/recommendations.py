"""The top saved recommendations of a stack, for the pull-request comment.

The one place the comment reads `.aeon/recommendations/<stack>.json`: through
`aeon.saved_recommendations.load_saved`, mapped to plain rows here, so a new saved-file format
needs one change, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aeon.errors import UserError
from aeon.project import Project


@dataclass(frozen=True)
class RecommendationRow:
    id: str
    kind: str
    pool: str
    region: str
    change: str  # "g6e.12xlarge x4 -> g6e.4xlarge x4"
    monthly_saving_usd: float
    risk: str


def _row(rec: Any) -> RecommendationRow:
    return RecommendationRow(
        id=str(rec.id),
        kind=str(getattr(rec.kind, "value", rec.kind)),
        pool=str(getattr(rec, "pool", "")),
        region=str(getattr(rec, "region", "")),
        change=f"{rec.current_text()} -> {rec.proposed_text()}",
        monthly_saving_usd=float(rec.monthly_saving_usd or 0.0),
        risk=str(getattr(getattr(rec, "risk", None), "level", "")),
    )


def top_recommendations(
    project: Project, stack: str, limit: int
) -> tuple[list[RecommendationRow], str]:
    """The `limit` largest savings, and a note (when the file is missing, or its date)."""
    from aeon.saved_recommendations import load_saved

    try:
        saved = load_saved(project, stack)
    except UserError as exc:
        return [], str(exc)
    rows = [_row(r) for r in saved.recommendations if (r.monthly_saving_usd or 0) > 0]
    rows.sort(key=lambda r: (-r.monthly_saving_usd, r.id))
    generated = max((run.generated_at for run in saved.runs), default="")
    return rows[:limit], f"{len(rows)} with a saving, generated {generated}"
