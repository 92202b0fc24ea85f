"""Which resources point at which: indexed once per stack check, so linking stays linear.

A resource points at another through one property (a lifecycle's `bucket`, a schedule's
`autoscalingGroupName`, an alarm's `alarmActions`): by a dependency on its URN (the property's
dependencies, or any), else by the property's value naming it (its name, id or a name input).
Stack checks ask that of every bucket or group; scanning every candidate each time made a
20,000-resource stack take minutes. The indexes give exactly what the scan gave, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .core import Res, known


def identities(res: Res, *keys: str) -> list[Any]:
    """Names by which other resources may refer to `res` (unknowns skipped)."""
    return [known(lambda k=k: res.props.get(k)) for k in keys] + [res.name]


def _names(values: Iterable[Any]) -> set[str]:
    return {n for n in values if isinstance(n, str) and n}


def _pointed_urns(res: Res, prop: str) -> set[str]:
    return {*res.dependencies, *res.property_dependencies.get(prop, ())}


def _value(res: Res, prop: str) -> Any:
    return known(lambda: res.props.get(prop))


class Referrers:
    """The candidates that point at a target through `prop`, in the candidates' order."""

    def __init__(self, candidates: Iterable[Res], prop: str) -> None:
        self._candidates = list(candidates)
        self._by_urn: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        for i, cand in enumerate(self._candidates):
            for urn in _pointed_urns(cand, prop):
                self._by_urn.setdefault(urn, []).append(i)
            value = _value(cand, prop)
            if isinstance(value, str):
                self._by_name.setdefault(value, []).append(i)

    def of(self, target: Res, names: Iterable[Any] = ()) -> list[Res]:
        """Candidates depending on `target`, or whose property value is one of `names`."""
        found = set(self._by_urn.get(target.urn, ()))
        for name in _names(names):
            found.update(self._by_name.get(name, ()))
        return [self._candidates[i] for i in sorted(found)]


class Targets:
    """The first target (in the targets' order) a resource points at, for a many-to-one link."""

    def __init__(self, targets: Iterable[Res], *keys: str) -> None:
        self._targets = list(targets)
        self._by_urn: dict[str, int] = {}
        self._by_name: dict[str, list[int]] = {}
        for i, target in enumerate(self._targets):
            self._by_urn.setdefault(target.urn, i)
            for name in _names(identities(target, *keys)):
                self._by_name.setdefault(name, []).append(i)

    def first(self, item: Res, prop: str) -> Res | None:
        found = [self._by_urn[u] for u in _pointed_urns(item, prop) if u in self._by_urn]
        value = _value(item, prop)
        if isinstance(value, str):
            found += self._by_name.get(value, [])[:1]
        return self._targets[min(found)] if found else None
