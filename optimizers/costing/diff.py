"""The cost of a change: two reports of one stack compared resource by resource (by URN).

A resource only in the head is added, only in the base removed; in both, it is updated when
its monthly cost or its lines differ (a resize, a new purchase mix, a price that moved). A side
where the resource is unpriced has no figure: its delta is unknown, the change says why, and it
is left out of the total delta (a resource that becomes unpriced is not a saving). Changes are
sorted biggest movers first; unknown deltas last.
"""

from __future__ import annotations

from optimizers.costing.model import CostDiff, CostReport, ResourceChange, ResourceCost, Unpriced

CENT = 0.005


def _figure(entry: ResourceCost | Unpriced | None) -> float | None:
    return entry.monthly_usd if isinstance(entry, ResourceCost) else None


def _why(*entries: ResourceCost | Unpriced | None) -> str:
    return "; ".join(e.why for e in entries if isinstance(e, Unpriced))


def _changed(base: ResourceCost | Unpriced, head: ResourceCost | Unpriced) -> bool:
    if isinstance(base, ResourceCost) and isinstance(head, ResourceCost):
        return abs(base.monthly_usd - head.monthly_usd) >= CENT or base.lines != head.lines
    if isinstance(base, Unpriced) and isinstance(head, Unpriced):
        return base.why != head.why
    return True  # priced on one side only


def diff_reports(base: CostReport, head: CostReport, *, base_label: str) -> CostDiff:
    before, after = base.by_urn(), head.by_urn()
    changes: list[ResourceChange] = []
    for urn in sorted(before.keys() | after.keys()):
        old, new = before.get(urn), after.get(urn)
        if old is None and new is not None:
            kind = "add"
        elif new is None and old is not None:
            kind = "remove"
        elif old is not None and new is not None and _changed(old, new):
            kind = "update"
        else:
            continue
        entry = new or old
        if kind != "update" and isinstance(entry, ResourceCost) and entry.free:
            continue  # adding or removing a free resource moves nothing
        changes.append(
            ResourceChange(urn, entry.type, entry.name, kind, _figure(old), _figure(new),
                           _why(old, new))
        )  # fmt: skip
    changes.sort(key=_mover_order)
    return CostDiff(head.stack, base_label, base, head, tuple(changes))


def _mover_order(change: ResourceChange) -> tuple:
    delta = change.delta_monthly_usd
    return (delta is None, -abs(delta or 0.0), change.urn)
