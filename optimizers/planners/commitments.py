"""The `commitments` planner: reserved instances and savings plans to buy, from billing data.

One `commit` per instance type x region with usage (the best term and payment; every option in
the evidence) and one for the best Compute Savings Plan, exact over the window (the whole span of
the data, or --lookback). The work is in optimizers.commitments; inputs: billing (a FOCUS/CUR
export, local or on Athena), rates (--rates FILE, else the price table's estimates), prices.
"""

from __future__ import annotations

from optimizers.commitments import plan_commitments
from optimizers.commitments.recommend import commit_recommendations
from optimizers.planners.base import Planner, register
from optimizers.planners.billing_inputs import BILLING, RATES
from optimizers.planners.common_inputs import PRICES
from optimizers.planners.inputs import PlanInputs
from optimizers.recommendation import Kind, Recommendation


@register
class Commitments(Planner):
    name = "commitments"
    title = "Commitments"
    description = "Reserved instances and savings plans to buy, exact over billing data."
    inputs = (BILLING, RATES, PRICES)
    kinds = frozenset({Kind.COMMIT})

    def plan(self, inputs: PlanInputs, options: object) -> list[Recommendation]:
        rates = inputs.get(RATES)
        plan = plan_commitments(inputs.get(BILLING), rates=rates.rates, book=inputs.get(PRICES))
        return list(commit_recommendations(plan, rates.source))
