"""What one offline run of the program produces: the resource graph as the engine sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GLOBAL_REGION = "global"


@dataclass(frozen=True)
class SourcePosition:
    file: str
    line: int


@dataclass(frozen=True)
class Resource:
    """One registered resource, in the Pulumi engine's wire form.

    `inputs` and `outputs` use camelCase property names and floats for numbers, as providers and
    policy packs see them. `provider` is a provider reference (`<provider urn>::<id>`), or None for
    component resources. `custom_timeouts`: the `customTimeouts` option's operations that are set
    (`create`, `update`, `delete`, `read`), as duration strings such as "30m".
    """

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    id: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    region: str | None = None
    source_position: SourcePosition | None = None
    custom_timeouts: dict[str, str] = field(default_factory=dict)

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")


@dataclass(frozen=True)
class ProgramRun:
    """The resources of one stack, sorted by URN, plus the stack's exports and config."""

    project: str
    stack: str
    resources: tuple[Resource, ...]
    exports: dict[str, Any]
    config: dict[str, str]
    stack_urn: str

    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    def provider_of(self, resource: Resource) -> Resource | None:
        if not resource.provider:
            return None
        urn = resource.provider.rsplit("::", 1)[0]
        return self.by_urn().get(urn)
