"""What the cost model prices, from the offline engine's run or from a `pulumi preview --json`
plan, and the stack facts it needs besides (the pools' committed capacity)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aeon.engine.model import Resource
from optimizers.costing import PlannedResource, StackGraph


@dataclass(frozen=True)
class StackInputs:
    """One side of an estimate: the stack's resources and its config (CLI form)."""

    project: str
    stack: str
    graph: StackGraph
    config: Mapping[str, str]
    # Committed capacity units per pool as the side's own code reads its config (a base ref's
    # snapshot); None: read with this tree's settings model (commitments()).
    committed: Mapping[str, float] | None = None


def planned(resource: Resource) -> PlannedResource:
    return PlannedResource(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        region=resource.region,
        inputs=resource.inputs,
        parent=resource.parent,
        custom=resource.custom,
        property_dependencies=dict(resource.property_dependencies),
        dependencies=tuple(resource.dependencies),
        id=resource.id,
    )


def stack_inputs(
    project: str, stack: str, resources: Iterable[Resource], config: Mapping[str, str]
) -> StackInputs:
    return StackInputs(project, stack, StackGraph(planned(r) for r in resources), dict(config))


def commitments(config: Mapping[str, str], stack: str) -> dict[str, float]:
    """Committed capacity units per pool, from the stack settings; none when they do not parse
    (a plan of another project), which is said on stderr."""
    from components.settings import InvalidSettings, parse_settings

    try:
        settings = parse_settings(config, stack)
    except (InvalidSettings, ValueError, TypeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"aeon: no pool commitments (stack settings do not parse: {first})", file=sys.stderr)
        return {}
    return {pool.name: float(pool.capacity.committed) for pool in settings.pools}


def as_snapshot(inputs: StackInputs) -> dict[str, Any]:
    """The JSON a base-ref subprocess sends back (see aeon.cost.base)."""
    return {
        "project": inputs.project,
        "stack": inputs.stack,
        "config": dict(inputs.config),
        "committed": None if inputs.committed is None else dict(inputs.committed),
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "region": r.region,
                "inputs": r.inputs,
                "parent": r.parent,
                "custom": r.custom,
                "id": r.id,
                "property_dependencies": {k: list(v) for k, v in r.property_dependencies.items()},
                "dependencies": list(r.dependencies),
            }  # fmt: skip
            for r in inputs.graph.resources
        ],
    }


def from_snapshot(data: Mapping[str, Any]) -> StackInputs:
    resources = [
        PlannedResource(
            urn=r["urn"],
            type=r["type"],
            name=r["name"],
            region=r.get("region"),
            inputs=r.get("inputs") or {},
            parent=r.get("parent"),
            custom=r.get("custom", True),
            property_dependencies={k: tuple(v) for k, v in r["property_dependencies"].items()},
            dependencies=tuple(r.get("dependencies") or ()),
            id=r.get("id"),
        )  # fmt: skip
        for r in data["resources"]
    ]
    committed = data.get("committed")
    return StackInputs(data["project"], data["stack"], StackGraph(resources), data["config"],
                       None if committed is None else dict(committed))  # fmt: skip
