"""Planners: each a small class that registers itself with a name, an options model (its flags)
and the inputs it needs, and turns them into recommendations with a pure `plan()`.

    @register
    class Commitments(Planner):
        name, title = "commitments", "Commitments"
        description = "Reserved instances and savings plans to buy, from billing data."
        Options = CommitmentsOptions                     # --rates FILE ...
        inputs = (BILLING, PRICES)                       # built by their loaders
        kinds = frozenset({Kind.COMMIT})

        def plan(self, inputs, options):
            return plan_commitments(inputs.get(BILLING), inputs.get(PRICES), options)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from optimizers.options import Options
from optimizers.planners.inputs import InputKey, PlanInputs
from optimizers.recommendation import Kind, PoolUtilization, Recommendation
from optimizers.registry import Registry


class Planner(ABC):
    name: ClassVar[str]  # `aeon recommend --planner NAME`
    title: ClassVar[str]  # "Right-sizing": table and report titles
    description: ClassVar[str]  # one line for --help
    Options: ClassVar[type[Options]] = Options
    inputs: ClassVar[tuple[InputKey[Any], ...]] = ()
    kinds: ClassVar[frozenset[Kind]]  # the kinds `plan` may return

    @abstractmethod
    def plan(self, inputs: PlanInputs, options: Any) -> list[Recommendation]:
        """Pure: the same inputs and options give the same recommendations, and no I/O."""

    def mode(self, options: Any) -> str | None:
        """The policy the options chose, saved with the run (right-sizing: ours, krr...)."""
        return None

    def utilization(
        self, inputs: PlanInputs, options: Any, recommendations: list[Recommendation]
    ) -> list[PoolUtilization]:
        """Per-pool busy-ness for the report's charts; most planners have none."""
        return []


PLANNERS: Registry[Planner] = Registry("planner")
register = PLANNERS.register
get_planner = PLANNERS.create
