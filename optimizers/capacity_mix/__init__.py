"""The spot / on-demand / committed mix of each pool: pure, from its hourly usage.

- core: one pool's mix (`plan_pool_mix`): spot share, committed steady state, costs;
- usage: capacity units in use per pool and hour, from billing data or telemetry;
- recommend: every pool's `PoolMixInput` from the stack, prices and rates, and the decisions as
  `capacity-mix` recommendations.
"""

from optimizers.capacity_mix.core import (
    MixDecision,
    MixOptions,
    PoolMixInput,
    SpotFigures,
    plan_pool_mix,
    required_types,
)

__all__ = [
    "MixDecision",
    "MixOptions",
    "PoolMixInput",
    "SpotFigures",
    "plan_pool_mix",
    "required_types",
]
