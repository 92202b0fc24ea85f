"""The resources to price, as the engine or `pulumi preview --json` describes them.

The cost model reads only this: a resource's identity, region, parent, inputs in wire form
(camelCase, numbers as floats) and property dependencies. In a real plan, a value computed by
another resource (a launch template's id in an autoscaling group) is the unknown sentinel; the
property dependencies still name the resource it comes from, so references are followed by URN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "[secret]"
GLOBAL_REGION = "global"


def is_known(value: Any) -> bool:
    return value is not None and value != UNKNOWN and value != SECRET


def type_of_urn(urn: str) -> str:
    """The resource's own type: the last segment of the URN's `$`-joined type chain."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def name_of_urn(urn: str) -> str:
    return urn.split("::", 3)[-1] if urn.count("::") >= 3 else urn


@dataclass(frozen=True)
class PlannedResource:
    urn: str
    type: str
    name: str
    region: str | None  # AWS region code, "global", or None when the source does not say
    inputs: Mapping[str, Any]
    parent: str | None = None
    custom: bool = True
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    id: str | None = None

    def get(self, *path: str | int, default: Any = None) -> Any:
        """A nested input, or `default` when absent or unknown at preview."""
        value: Any = self.inputs
        for key in path:
            if isinstance(key, int):
                if not isinstance(value, list) or key >= len(value):
                    return default
                value = value[key]
            elif isinstance(value, Mapping) and key in value:
                value = value[key]
            else:
                return default
        return value if is_known(value) else default


class StackGraph:
    """All resources of one stack run or plan, with lookups by URN, type and reference."""

    def __init__(self, resources: Iterable[PlannedResource]):
        self.resources = tuple(resources)
        self._by_urn = {r.urn: r for r in self.resources}

    def get(self, urn: str | None) -> PlannedResource | None:
        return self._by_urn.get(urn) if urn else None

    def of_type(self, *types: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type in types]

    def referenced(
        self, resource: PlannedResource, prop: str, types: tuple[str, ...]
    ) -> PlannedResource | None:
        """The resource of one of `types` that input `prop` depends on (property dependencies,
        else plain dependencies, as the engine records them)."""
        for urn in (*resource.property_dependencies.get(prop, ()), *resource.dependencies):
            found = self._by_urn.get(urn)
            if found is not None and found.type in types:
                return found
        return None

    def component_of(self, resource: PlannedResource) -> str:
        """`"<ComponentType> <name>"` of the nearest component ancestor; "" at the top."""
        parent = self.get(resource.parent)
        while parent is not None and parent.custom:
            parent = self.get(parent.parent)
        if parent is None or parent.type == "pulumi:pulumi:Stack":
            return ""
        return f"{parent.type.rsplit(':', 1)[-1]} {parent.name}"
