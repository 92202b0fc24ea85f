"""One recommendation model for every planner: a union discriminated by `kind`.

    from optimizers.recommendation import RECOMMENDATION, Recommendation
    rec = RECOMMENDATION.validate_python({"kind": "commit", ...})   # a CommitRecommendation

Each kind has its own `current`, `proposed` and `evidence` shapes (sizing, commitments,
lifecycle, batching, revert modules) and the fields of common.RecommendationBase.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, TypeAdapter

from optimizers.recommendation.batching import BatchingRecommendation
from optimizers.recommendation.commitments import CapacityMixRecommendation, CommitRecommendation
from optimizers.recommendation.lifecycle import LifecycleRecommendation
from optimizers.recommendation.revert import RevertRecommendation
from optimizers.recommendation.sizing import SizingRecommendation

Recommendation = Annotated[
    SizingRecommendation
    | CommitRecommendation
    | CapacityMixRecommendation
    | LifecycleRecommendation
    | BatchingRecommendation
    | RevertRecommendation,
    Field(discriminator="kind"),
]
RECOMMENDATION: TypeAdapter[Recommendation] = TypeAdapter(Recommendation)
