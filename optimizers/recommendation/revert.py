"""`revert`: undo an applied change that `aeon validate` found regressed, with the exact
previous config values.

A config path starts at the stack config's keys (without the `aeon-infra:` namespace); an item of
a named list (pools, buckets, models) is addressed by its name, e.g.
`["pools", "inference", "instance_types"]`. `target` is the id of the applied recommendation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from optimizers.recommendation.common import Kind, Model, RecommendationBase


class ConfigValue(Model):
    path: list[str] = Field(min_length=1)
    value: Any


class RevertCurrent(Model):
    values: list[ConfigValue] = Field(min_length=1)


class RevertProposal(Model):
    reverts: str = Field(description="id of the applied recommendation this undoes")
    values: list[ConfigValue] = Field(min_length=1, description="the values before it applied")


class RevertEvidence(Model):
    verdict: Literal["regressed"]
    applied_at: str = Field(description="ISO 8601 UTC")
    observed_since: str | None = Field(default=None, description="when telemetry showed it")
    reasons: list[str] = Field(min_length=1)
    before: dict[str, float] = Field(default_factory=dict, description="baseline figures")
    after: dict[str, float] = Field(default_factory=dict, description="figures since the change")
    notes: list[str] = Field(default_factory=list)


class RevertRecommendation(RecommendationBase):
    kind: Literal[Kind.REVERT]
    current: RevertCurrent
    proposed: RevertProposal
    evidence: RevertEvidence

    def current_text(self) -> str:
        return _values(self.current.values)

    def proposed_text(self) -> str:
        return _values(self.proposed.values)


def _values(values: list[ConfigValue]) -> str:
    return ", ".join(f"{'.'.join(v.path)}={v.value}" for v in values)
