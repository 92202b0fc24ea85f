"""Spot diversity across sibling pools: the spot Auto Scaling groups of one role in one region
(one node shape each; the Cluster Autoscaler's expander chooses among them) list enough distinct
instance types together, capped at what the region offers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core import (
    ASG,
    Res,
    get,
    guardrail,
    instance_types,
    is_gpu_type,
    items,
    known,
    number,
    region_of,
)
from .fleet import OFFERINGS_SCHEMA, PRIMARY_REGION_SCHEMA, _distribution


def _spot_share(res: Res) -> float:
    """Percent of capacity above base that is spot (0 without a mixed instances policy)."""
    if get(res.props, "mixedInstancesPolicy") is None:
        return 0.0
    on_demand = number(get(_distribution(res), "onDemandPercentageAboveBaseCapacity"))
    return 100.0 - (100.0 if on_demand is None else on_demand)


def _spec(offered: Mapping[str, Any], instance_type: str) -> tuple[float, float, str, str] | None:
    spec = get(offered, "gpu", instance_type)
    if spec is None or len(spec) < 3:
        return None
    arch = str(spec[3]) if len(spec) > 3 else "x86_64"
    return float(spec[0]), float(spec[1]), str(spec[2]), arch


def _suitable(types: list[str], offered: Mapping[str, Any], cfg: Mapping[str, Any]) -> int | None:
    """How many offered types could stand in for the group's.

    GPU groups: same GPU maker and CPU architecture, a GPU count within the group's range and no
    less memory per GPU than its smallest; CPU groups: every non-GPU type the region offers.
    """
    if any(is_gpu_type(t, cfg) for t in types):
        mine = [s for s in (_spec(offered, t) for t in types) if s is not None]
        if not mine:
            return None
        low, high = min(s[0] for s in mine), max(s[0] for s in mine)
        memory = min(s[1] for s in mine)
        makers, archs = {s[2] for s in mine}, {s[3] for s in mine}
        candidates = (_spec(offered, t) for t in get(offered, "gpu", default={}))
        return sum(
            1
            for c in candidates
            if c is not None
            and low <= c[0] <= high
            and c[1] >= memory
            and c[2] in makers
            and c[3] in archs
        )
    other = number(get(offered, "other_types"))
    return None if other is None else int(other)


def _zones(res: Res) -> int:
    zones = items(res.props.get("availabilityZones"))
    subnets = items(res.props.get("vpcZoneIdentifiers"))
    return max(len(set(map(str, zones))), len(set(map(str, subnets))))


@guardrail(
    "asg-spot-diversified",
    "Spot capacity (OnDemandPercentageAboveBaseCapacity below 100) is diversified: the spot "
    "Auto Scaling groups of one aeon:pool-role in one region (sibling pools: one node shape each, "
    "among which the Cluster Autoscaler's expander chooses) list at least N distinct instance "
    "types together, N by role (inference and cpu 10, training 2), capped at the suitable types "
    "the region offers (GPU pools: same GPU maker and CPU architecture, GPU count in the pools' "
    "range, no less GPU memory); each group spans at least 2 Availability Zones, except a "
    "training group in a cluster placement group (EFA needs one AZ). Remediation: add types or "
    "sibling pools of other shapes, and subnets in another AZ.",
    severity="high",
    kind="stack",
    config={
        "min_types_by_role": {
            "type": "object",
            "default": {
                "training": 2,
                "inference": 10,
                "cpu": 10,
                "preprocessing": 10,
                "edge-cache": 10,
            },
        },
        "min_availability_zones": {"type": "integer", "default": 2, "minimum": 1},
        "primary_region": PRIMARY_REGION_SCHEMA,
        "region_offerings": OFFERINGS_SCHEMA,
    },
    relaxes={"min_types_by_role": "lower", "min_availability_zones": "lower"},
)
def spot_diversified(resources: list[Res], cfg: Mapping[str, Any]):
    spot = [r for r in resources if r.type == ASG and known(lambda r=r: _spot_share(r), 0) > 0]
    siblings: dict[tuple[str | None, str], list[Res]] = {}
    for res in spot:
        siblings.setdefault((region_of(res, cfg), res.role or "cpu"), []).append(res)
    for (region, role), group in sorted(siblings.items(), key=lambda kv: str(kv[0])):
        types = sorted({t for res in group for t in instance_types(res)})
        wanted = int(get(cfg, "min_types_by_role", role, default=10))
        offered = get(cfg, "region_offerings", region) if region else None
        suitable = _suitable(types, offered, cfg) if offered is not None else None
        required = wanted if suitable is None else max(1, min(wanted, suitable))
        for res in group:
            if len(types) < required:
                cap = f", {suitable} suitable types offered in {region}" if suitable else ""
                yield (
                    res.urn,
                    (
                        f"spot pools with role {role} list {len(types)} instance type(s) across "
                        f"{len(group)} sibling pool(s) ({', '.join(types) or 'none'}); required at "
                        f"least {required} interchangeable types (limit {wanted} for {role}{cap})"
                    ),
                )
            if role == "training" and get(res.props, "placementGroup") is not None:
                continue  # a cluster placement group (EFA) is one AZ by construction
            zones = _zones(res)
            if zones < int(cfg["min_availability_zones"]):
                yield (
                    res.urn,
                    (
                        f"spot pool spans {zones} Availability Zone(s); required at least "
                        f"{int(cfg['min_availability_zones'])}"
                    ),
                )
