"""The fleet inventory held against the stack and the instance catalog.

Two kinds of finding:
- unknown: a pool, region or instance type the stack or the catalog does not know, or a GPU type
  in a CPU pool (or the reverse). Real fleets have such rows (pools managed elsewhere, old types),
  so they are warnings, or errors with `--strict`.
- impossible: a sample no machine of that type could produce (a GPU index beyond its GPUs, more
  memory used than it has). These are always errors: planning on them would size for a machine
  that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from components.facts.catalog import Catalog
from components.facts.limits import MAX_INSTANCE_MEMORY_GIB
from components.settings import StackSettings
from optimizers.telemetry.frame import Metric, TelemetryFrame

GIB = 1024**3
MEMORY_TOLERANCE = 1.02  # exporters round; a few percent over the spec is not a new machine
SHOWN = 5


@dataclass
class InventoryFindings:
    unknown: list[str] = field(default_factory=list)
    impossible: list[str] = field(default_factory=list)


def _listing(rows: list[str]) -> str:
    more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    return ", ".join(rows[:SHOWN]) + more


def check_inventory(
    frame: TelemetryFrame, settings: StackSettings, catalog: Catalog
) -> InventoryFindings:
    found = InventoryFindings()
    pools = {p.name: p for p in settings.pools}
    regions = {r.name for r in settings.regions}
    by_problem: defaultdict[str, list[str]] = defaultdict(list)
    for rid in sorted(frame.resources):
        info = frame.resources[rid]
        spec = catalog.get(info.instance_type)
        pool = pools.get(info.pool)
        if pool is None:
            by_problem["pools the stack does not declare"].append(f"{rid} ({info.pool})")
        if info.region not in regions:
            by_problem["regions the stack does not declare"].append(f"{rid} ({info.region})")
        if spec is None:
            by_problem["instance types the catalog does not know"].append(
                f"{rid} ({info.instance_type})"
            )
        elif pool is not None and spec.has_gpu != pool.is_gpu:
            what = (
                "GPU types in non-GPU pools" if spec.has_gpu else "types without GPUs in GPU pools"
            )
            where = f"{info.instance_type} in {pool.role} pool {pool.name}"
            by_problem[what].append(f"{rid} ({where})")
    for problem, rows in by_problem.items():
        found.unknown.append(f"inventory rows with {problem}: {_listing(rows)}")

    impossible: defaultdict[str, list[str]] = defaultdict(list)
    for key, series in sorted(frame.series.items()):
        info = frame.resources.get(key.resource_id)
        if info is None or not len(series):
            continue
        spec = catalog.get(info.instance_type)
        peak = float(series.values.max())
        if key.gpu_index is not None and spec is not None and key.gpu_index >= spec.gpu_count:
            impossible["GPU indexes beyond the type's GPUs"].append(
                f"{key.resource_id} gpu {key.gpu_index} ({info.instance_type}: "
                f"{spec.gpu_count} GPUs)"
            )
        if key.metric is Metric.MEM_USED_BYTES:
            limit = spec.memory_gib if spec is not None else MAX_INSTANCE_MEMORY_GIB
            if peak > limit * GIB * MEMORY_TOLERANCE:
                impossible["more memory used than the type has"].append(
                    f"{key.resource_id} ({peak / GIB:,.4g} GiB on {info.instance_type}, "
                    f"{limit:,.4g} GiB)"
                )
        if key.metric is Metric.GPU_MEM_USED_BYTES and spec is not None and spec.has_gpu:
            if peak > spec.gpu_memory_gib_each * GIB * MEMORY_TOLERANCE:
                impossible["more GPU memory used than one GPU of the type has"].append(
                    f"{key.resource_id} gpu {key.gpu_index} ({peak / GIB:,.4g} GiB; "
                    f"{spec.gpu_memory_gib_each:,.4g} GiB)"
                )
    for problem, rows in impossible.items():
        found.impossible.append(f"{problem}: {_listing(rows)}")
    return found
