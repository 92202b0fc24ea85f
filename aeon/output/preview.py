"""Renderers of a previewed stack: a tree by region and component, a flat table, or JSON.

Each format registers itself in `PREVIEW_FORMATS`; a renderer takes the run and returns text.
"""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from aeon.engine.model import GLOBAL_REGION, ProgramRun, Resource

Renderer = Callable[[ProgramRun], str]
PREVIEW_FORMATS: dict[str, Renderer] = {}


def preview_format(name: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        PREVIEW_FORMATS[name] = fn
        return fn

    return register


def summary(run: ProgramRun) -> dict[str, Any]:
    return {
        "total": len(run.resources),
        "by_type": dict(sorted(Counter(r.type for r in run.resources).items())),
        "by_region": dict(
            sorted(Counter(r.region or GLOBAL_REGION for r in run.resources).items())
        ),
    }


def preview_document(run: ProgramRun) -> dict[str, Any]:
    return {
        "project": run.project,
        "stack": run.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "provider": r.provider,
                "region": r.region or GLOBAL_REGION,
                "inputs": r.inputs,
            }
            for r in run.resources
        ],
        "summary": summary(run),
    }


@preview_format("json")
def render_json(run: ProgramRun) -> str:
    return json.dumps(preview_document(run), indent=2, sort_keys=True) + "\n"


def _console_text(renderable: Any) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None, soft_wrap=True).print(renderable)
    return buffer.getvalue()


def _short_type(type_: str) -> str:
    """`aws:ec2/subnet:Subnet` -> `aws:ec2/Subnet`; components keep their last segment."""
    package, _, rest = type_.partition(":")
    module, _, name = rest.rpartition(":")
    return f"{package}:{module.split('/')[0]}/{name}" if module else type_


@preview_format("tree")
def render_tree(run: ProgramRun) -> str:
    """Region -> component hierarchy; each component shows counts of its own resources by type."""
    children: dict[str | None, list[Resource]] = defaultdict(list)
    for r in run.resources:
        children[r.parent].append(r)

    def own_counts(component: Resource) -> Counter[str]:
        counts: Counter[str] = Counter()
        stack = [c for c in children[component.urn] if c.custom]
        while stack:  # custom resources nested under custom resources belong here too
            item = stack.pop()
            counts[item.type] += 1
            stack.extend(c for c in children[item.urn] if c.custom)
        return counts

    def add_component(node: Tree, component: Resource, region: str) -> None:
        branch = node.add(f"{component.type.rsplit(':', 1)[-1]} {component.name}")
        for type_, count in sorted(own_counts(component).items()):
            branch.add(f"{_short_type(type_)} x{count}")
        for child in children[component.urn]:
            if not child.custom and (child.region or GLOBAL_REGION) in (region, GLOBAL_REGION):
                add_component(branch, child, region)

    total = summary(run)
    root = Tree(f"{run.project} / {run.stack}: {total['total']} resources")
    regions = sorted(total["by_region"], key=lambda r: (r == GLOBAL_REGION, r))
    for region in regions:
        node = root.add(f"{region} ({total['by_region'][region]} resources)")
        in_region = [r for r in run.resources if (r.region or GLOBAL_REGION) == region]
        urns = {r.urn for r in in_region}
        for r in in_region:
            if not r.custom and r.parent not in urns:  # top-most component of this region
                add_component(node, r, region)
        loose = Counter(r.type for r in in_region if r.custom and r.parent not in urns)
        for type_, count in sorted(loose.items()):
            node.add(f"{_short_type(type_)} x{count}")
    return _console_text(root)


@preview_format("table")
def render_table(run: ProgramRun) -> str:
    table = Table(title=f"{run.project} / {run.stack}", show_lines=False)
    for column in ("type", "name", "region", "parent"):
        table.add_column(column)
    for r in run.resources:
        parent = r.parent.rsplit("::", 1)[-1] if r.parent else ""
        table.add_row(r.type, r.name, r.region or GLOBAL_REGION, parent)
    counts = summary(run)
    footer = ", ".join(f"{k}: {v}" for k, v in counts["by_region"].items())
    return _console_text(table) + f"{counts['total']} resources ({footer})\n"
