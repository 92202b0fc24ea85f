"""The shared recommendation model: what planners return, `aeon recommend` saves and `aeon apply`
/ `aeon report` read.

- common: the fields every kind shares (target, money, risk, confidence) and `Kind`;
- sizing, commitments, lifecycle, batching, revert: each kind's current/proposed/evidence;
- kinds: `Recommendation`, the union of them discriminated by `kind`;
- saved: the file `.aeon/recommendations/<stack>.json`, one entry per planner run.
"""

from optimizers.recommendation.common import (
    HOURS_PER_MONTH,
    Confidence,
    DemandSummary,
    Kind,
    RecommendationBase,
    Risk,
    recommendation_id,
)
from optimizers.recommendation.kinds import RECOMMENDATION, Recommendation
from optimizers.recommendation.saved import (
    FORMAT_VERSION,
    PlannerRun,
    RecommendationsFile,
    load,
    parse,
    recommendations_path,
    record_run,
    save,
    to_jsonable,
)
from optimizers.recommendation.sizing import (
    SIZING_KINDS,
    Mode,
    PoolUtilization,
    PriceFigure,
    SeriesSummary,
    SizingCurrent,
    SizingEvidence,
    SizingProposed,
    SizingRecommendation,
)

__all__ = [
    "FORMAT_VERSION",
    "HOURS_PER_MONTH",
    "RECOMMENDATION",
    "SIZING_KINDS",
    "Confidence",
    "DemandSummary",
    "Kind",
    "Mode",
    "PlannerRun",
    "PoolUtilization",
    "PriceFigure",
    "Recommendation",
    "RecommendationBase",
    "RecommendationsFile",
    "Risk",
    "SeriesSummary",
    "SizingCurrent",
    "SizingEvidence",
    "SizingProposed",
    "SizingRecommendation",
    "load",
    "parse",
    "recommendation_id",
    "recommendations_path",
    "record_run",
    "save",
    "to_jsonable",
]
