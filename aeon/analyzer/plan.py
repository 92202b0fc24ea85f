"""Reading what `pulumi preview --json` prints into the engine's Resource model.

The file is streamed step by step (plan_stream.py) and each step checked as it comes
(plan_checks.py). Every step with a `newState` is evaluated, removals are skipped; stack and
project come from the URNs. Provider steps carry the provider's inputs (its `region` among them),
from which each resource's region follows as `aeon preview` reports it (plan_regions.py). A plan
made without `--show-sames` (unchanged resources counted but left out) is refused.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aeon.analyzer.plan_checks import PlanChecker, PlanError
from aeon.analyzer.plan_regions import regions_of
from aeon.analyzer.plan_stream import Member, read_members
from aeon.analyzer.session import urn_name
from aeon.engine.model import Resource
from aeon.errors import UserError
from components.facts.files import UnreadableFile


@dataclass(frozen=True)
class Plan:
    project: str
    stack: str
    config: dict[str, str]
    resources: tuple[Resource, ...]
    lines: dict[str, int] = field(default_factory=dict)  # urn -> line of its step in the file


def _config_strings(config: Any) -> dict[str, str]:
    """The plan's `config` block as the CLI passes config: strings, objects as JSON."""
    if not isinstance(config, dict):
        return {}
    out = {}
    for key, value in config.items():
        if (
            isinstance(value, dict)
            and "value" in value
            and set(value) <= {"value", "secret", "object"}
        ):
            value = value["value"]
        out[key] = value if isinstance(value, str) else json.dumps(value)
    return out


def _tuple_map(value: Any) -> dict[str, tuple[str, ...]]:
    if not value or not isinstance(value, dict):
        return {}
    return {k: tuple(v or ()) for k, v in value.items()}


def _resource(urn: str, state: dict[str, Any], region: str | None) -> Resource:
    return Resource(
        urn=urn,
        type=state["type"],
        name=urn_name(urn),
        custom=bool(state.get("custom", True)),
        parent=state.get("parent") or None,
        provider=state.get("provider") or None,
        id=state.get("id") or None,
        inputs=state.get("inputs") or {},
        outputs=state.get("outputs") or {},
        dependencies=tuple(state.get("dependencies") or ()),
        property_dependencies=_tuple_map(state.get("propertyDependencies")),
        region=region,
    )


def load_plan(path: Path) -> Plan:
    """Stream the plan at `path` through the structure checks (plan_checks.py); a malformed plan
    is a UserError naming the step and its line."""
    with _no_cyclic_gc():
        return _build(read_members(path), f"plan file {path}")


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Building hundreds of thousands of acyclic objects makes the cyclic collector walk the
    growing heap again and again (40% of the time on a 100k-step plan); nothing built here can
    form a cycle, so it waits until the plan is read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def resources_from_plan(plan: dict[str, Any], source: str = "plan") -> Plan:
    """The same for a plan already in memory (tests, benchmarks)."""
    if not isinstance(plan, dict):
        raise UserError(f"{source}: expected a JSON object (pulumi preview --json)")
    return _build(_members(plan), source)


def _members(plan: dict[str, Any]) -> Iterator[Member]:
    for key, value in plan.items():
        if key == "steps" and isinstance(value, list):
            yield from (Member(key, step, None, i) for i, step in enumerate(value))
        else:
            yield Member(key, value, None)


def _check_sames_shown(summary: Any, shown: int, source: str) -> None:
    """`pulumi preview --json` leaves unchanged resources out unless `--show-sames` is given (only
    the root stack's step stays), yet counts them in `changeSummary.same`. Without them every
    unchanged resource would read as removed (a cost diff) or go unchecked (the policy pack)."""
    counted = summary.get("same") if isinstance(summary, dict) else None
    if isinstance(counted, int) and not isinstance(counted, bool) and counted > shown:
        raise PlanError(
            f"{source}: changeSummary counts {counted} unchanged resources but only {shown} have "
            "a step; run `pulumi preview --json --show-sames` so the plan holds them all"
        )


def _build(members: Iterable[Member], source: str) -> Plan:
    checker = PlanChecker(source)
    config: Any = None
    summary: Any = None
    saw_steps = False
    sames = 0
    states: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    try:
        for member in members:
            if member.key == "config":
                config = member.value
            elif member.key == "changeSummary":
                summary = member.value
            elif member.key == "steps" and member.index is not None:
                saw_steps = True
                state = checker.step(member.index, member.line, member.value)
                sames += member.value.get("op") == "same"
                if state is not None:
                    urn = state.get("urn") or member.value.get("urn")
                    state["provider"] = state.get("provider") or member.value.get("provider")
                    states[urn] = state
                    if member.line is not None:
                        lines[urn] = member.line
            elif member.key == "steps":
                raise PlanError(f"{source}: `steps` must be a list")
        if not saw_steps:
            raise PlanError(
                f"{source}: no `steps` list; expected the output of `pulumi preview --json`"
            )
        _check_sames_shown(summary, sames, source)
        checker.finish()
    except UnreadableFile as exc:
        raise UserError(str(exc)) from None
    (stack, project), *_ = checker.stacks
    strings = _config_strings(config)
    regions = regions_of(states, strings.get("aws:region"))
    resources = tuple(_resource(urn, states[urn], regions[urn]) for urn in sorted(states))
    return Plan(project, stack, strings, resources, lines)
