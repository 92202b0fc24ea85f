"""Each resource of a plan gets the region `aeon preview` would report for it.

Its own `region` input; else its provider's region (a default provider's: the `aws:region`
config); else that of the first resource it depends on that has one (a Kubernetes provider built
from an EKS cluster); `global` for global services. Resolved without recursion, each resource once,
so a long or circular chain of dependencies in a hostile plan costs linear time.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import Any

from pulumi.runtime.rpc import UNKNOWN

from aeon.engine.model import GLOBAL_REGION
from aeon.engine.monitor import GLOBAL_TYPE_PREFIXES

State = Mapping[str, Any]  # a step's newState, its `provider` filled in from the step
# A resolution: yields an owner (urn) to resolve first, receives its region, returns its own.
_Resolution = Generator[str, str | None, str | None]
_UNDECIDED = object()


def _known(value: object) -> str | None:
    return value if isinstance(value, str) and value and value != UNKNOWN else None


def regions_of(states: Mapping[str, State], default_region: str | None) -> dict[str, str | None]:
    """urn -> region for every state of the plan."""
    found: dict[str, str | None] = {}
    on_path: set[str] = set()

    def own(state: State) -> object:
        type_ = state["type"]
        if type_.startswith(GLOBAL_TYPE_PREFIXES):
            return GLOBAL_REGION
        if type_ == "pulumi:providers:aws":
            return _known((state.get("inputs") or {}).get("region")) or default_region
        if type_.startswith("aws:"):
            region = _known((state.get("inputs") or {}).get("region"))
            if region:
                return region
        return _UNDECIDED

    def owners(state: State) -> Iterator[str]:
        provider = state.get("provider")
        if provider:
            yield provider.rsplit("::", 1)[0]
        yield from state.get("dependencies") or ()

    def resolve(urn: str) -> _Resolution:
        if urn in found:
            return found[urn]
        if urn in on_path:  # a cycle: this path learns nothing from it
            return None
        state = states[urn]
        region = own(state)
        if region is _UNDECIDED:
            on_path.add(urn)
            region = None
            for owner in owners(state):
                if owner not in states or not states[owner].get("custom", True):
                    continue
                got = yield owner
                if got and got != GLOBAL_REGION:
                    region = got
                    break
            on_path.discard(urn)
        found[urn] = region  # type: ignore[assignment]
        return region  # type: ignore[return-value]

    for urn in states:
        if urn in found:
            continue
        stack, value = [resolve(urn)], None
        while stack:
            try:
                stack.append(resolve(stack[-1].send(value)))
                value = None
            except StopIteration as done:
                stack.pop()
                value = done.value
    return found
