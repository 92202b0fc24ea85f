"""Each resource of a plan gets the region `aeon preview` would report for it.

Its own `region` input; else its provider's region (a default provider's: the `aws:region`
config); else that of the first resource it depends on that has one (a Kubernetes provider built
from an EKS cluster); `global` for global services. Resolved without recursion, each resource once,
so a long or circular chain of dependencies in a hostile plan costs linear time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterable

from pulumi.runtime.rpc import UNKNOWN

from aeon.engine.model import GLOBAL_REGION, Resource
from aeon.engine.monitor import GLOBAL_TYPE_PREFIXES

# A resolution step: yields (an owner to resolve first), receives its region, returns its own.
_Step = Generator[Resource, str | None, str | None]


def with_regions(resources: Iterable[Resource], default_region: str | None) -> tuple[Resource, ...]:
    resources = list(resources)
    by_urn = {r.urn: r for r in resources}
    found: dict[str, str | None] = {}
    on_path: set[str] = set()

    def known(value: object) -> str | None:
        return value if isinstance(value, str) and value and value != UNKNOWN else None

    def step(r: Resource) -> _Step:
        if r.urn in found:
            return found[r.urn]
        if r.urn in on_path:  # a cycle: this path learns nothing from it
            return None
        if r.type.startswith(GLOBAL_TYPE_PREFIXES):
            region: str | None = GLOBAL_REGION
        elif r.type == "pulumi:providers:aws":
            region = known(r.inputs.get("region")) or default_region
        elif r.type.startswith("aws:") and known(r.inputs.get("region")):
            region = r.inputs["region"]
        else:
            on_path.add(r.urn)
            owners = [by_urn.get(r.provider.rsplit("::", 1)[0])] if r.provider else []
            owners += [by_urn.get(d) for d in r.dependencies]
            region = None
            for owner in owners:
                if owner is None or not owner.custom:
                    continue
                got = yield owner
                if got and got != GLOBAL_REGION:
                    region = got
                    break
            on_path.discard(r.urn)
        found[r.urn] = region
        return region

    def region_of(r: Resource) -> str | None:
        stack, value = [step(r)], None
        while stack:
            try:
                stack.append(step(stack[-1].send(value)))
                value = None
            except StopIteration as done:
                stack.pop()
                value = done.value
        return value

    return tuple(dataclasses.replace(r, region=region_of(r)) for r in resources)
