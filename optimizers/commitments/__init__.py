"""Commitment planning (reserved instances, Savings Plans) from hourly billing usage: pure.

- curve: the cost of c committed instances and its exact integer optimum;
- savings_plan: the exact optimum of one Compute Savings Plan across types and regions;
- plan: per series, every option's optimum and the best; the Compute Savings Plan's options;
- portfolio: per-type commitments, a Compute Savings Plan or both, whichever costs least;
- rates: the user's rates file, or the price table's estimates;
- recommend: the plans as `commit` recommendations.
"""

from optimizers.commitments.portfolio import CommitmentsPlan, plan_commitments

__all__ = ["CommitmentsPlan", "plan_commitments"]
