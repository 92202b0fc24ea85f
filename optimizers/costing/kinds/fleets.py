"""EC2 capacity: single instances, autoscaling groups and EKS managed node groups.

An autoscaling group's count is its desired capacity, else its minimum size, in capacity units;
with weighted types, instances follow from the weight of the type priced (whole instances, as
AWS launches them). A mixed-instances group is priced by its first override type unless the
usage file's `instance_type` names another; its on-demand base, on-demand percentage above base
and spot share split the count (on-demand rounded up, as infracost does). Committed capacity
(the stack's pool commitments, by the `aeon:pool` tag) is priced at the commitment rate, and
the usage file's reserved-instance keys price all on-demand instances as reserved.
"""

from __future__ import annotations

import math
from typing import Any

from optimizers.costing.graph import PlannedResource
from optimizers.costing.kinds.ebs import Volume
from optimizers.costing.kinds.instances import (
    FLEET_USAGE,
    INSTANCE_USAGE,
    Shape,
    instance_hours,
    per_instance_extras,
    shape_of_instance,
    shape_of_launch_configuration,
    shape_of_launch_template,
)
from optimizers.costing.model import HOURS_PER_MONTH
from optimizers.costing.quote import Quote, Unpriceable
from optimizers.costing.registry import priced
from optimizers.costing.usage import NUMBER, UsageFileError

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
POOL_TAG = "aeon:pool"
NODE_GROUP_DEFAULT_TYPE = "t3.medium"  # AWS's default when a node group names no type
NODE_GROUP_DEFAULT_DISK_GB = 20.0  # AWS's default node group disk (gp2 in infracost)


def whole(value: float) -> int:
    """Round up, ignoring float noise (3 x 0.2 is 0.6000000000000001)."""
    return math.ceil(round(value, 9))


def _find_launch_template(q: Quote, prop: str, spec: Any) -> PlannedResource | None:
    """By property dependency (a plan's unknown id), else by the id or name it resolved to."""
    found = q.graph.referenced(q.resource, prop, (LAUNCH_TEMPLATE,))
    if found is not None or not isinstance(spec, dict):
        return found
    wanted_id = spec.get("launchTemplateId") or spec.get("id")
    wanted_name = spec.get("launchTemplateName") or spec.get("name")
    for lt in q.graph.of_type(LAUNCH_TEMPLATE):
        if (wanted_id and wanted_id == lt.id) or (wanted_name and wanted_name == lt.get("name")):
            return lt
    return None


def _asg_shape(q: Quote, mip: dict | None) -> Shape:
    r = q.resource
    if mip is not None:
        spec = (mip.get("launchTemplate") or {}).get("launchTemplateSpecification")
        lt = _find_launch_template(q, "mixedInstancesPolicy", spec)
    else:
        lt = _find_launch_template(q, "launchTemplate", r.get("launchTemplate"))
    if lt is not None:
        return shape_of_launch_template(lt)
    lc = q.graph.referenced(r, "launchConfiguration", (LAUNCH_CONFIGURATION,))
    if lc is not None:
        return shape_of_launch_configuration(lc)
    raise Unpriceable("its launch template or configuration is not in the plan")


def _overrides(mip: dict | None) -> list[tuple[str, float]]:
    out = []
    for o in ((mip or {}).get("launchTemplate") or {}).get("overrides") or []:
        itype = o.get("instanceType") if isinstance(o, dict) else None
        if isinstance(itype, str):
            weight = o.get("weightedCapacity")
            out.append((itype, float(weight) if weight not in (None, "") else 1.0))
    return out


def _priced_type(q: Quote, choices: list[tuple[str, float]]) -> tuple[str, float]:
    """The first (type, weight), or the one the usage file's `instance_type` names."""
    if q.usage.has("instance_type"):
        wanted = q.usage.word("instance_type", "")
        for itype, weight in choices:
            if itype == wanted:
                return itype, weight
        names = ", ".join(t for t, _ in choices) or "none"
        raise UsageFileError(f"{q.resource.name}: instance_type {wanted!r} is not one of {names}")
    if not choices:
        raise Unpriceable("no instance type is known at preview")
    return choices[0]


def _pool_commitment(q: Quote) -> float:
    """Committed capacity units of the pool named by the `aeon:pool` tag (list or map)."""
    tags = q.resource.get("tags", default=[])
    if isinstance(tags, dict):
        pool = tags.get(POOL_TAG)
    else:
        pools = [t.get("value") for t in tags if isinstance(t, dict) and t.get("key") == POOL_TAG]
        pool = pools[0] if pools else None
    return float(q.commitments.get(pool, 0.0)) if isinstance(pool, str) else 0.0


def _units(q: Quote, weight: float, desired_key: tuple, min_key: tuple, max_key: tuple) -> float:
    r = q.resource
    desired, low, high = r.get(*desired_key), r.get(*min_key), r.get(*max_key)
    if isinstance(desired, int | float) and isinstance(high, int | float) and desired > high:
        q.warn(f"desired {desired:g} above max {high:g}: AWS would reject it (priced as written)")
    if isinstance(desired, int | float) and isinstance(low, int | float) and desired < low:
        q.warn(f"desired {desired:g} below min {low:g}: AWS would reject it (priced as written)")
    if q.usage.has("instances"):
        return q.usage.number("instances") * weight
    count = desired if isinstance(desired, int | float) else low
    if not isinstance(count, int | float):
        raise Unpriceable("desired and minimum size unknown at preview: set `instances` in usage")
    return float(count)


def _split(q: Quote, units: float, weight: float, mip: dict | None, spot: bool) -> dict:
    """Instances by purchase: committed, on-demand, spot."""
    if mip is None:
        n = whole(units / weight)
        return {"spot": n} if spot else _commit(q, n, weight)
    dist = mip.get("instancesDistribution") or {}
    base = float(dist.get("onDemandBaseCapacity") or 0.0)
    pct = dist.get("onDemandPercentageAboveBaseCapacity")
    pct = 100.0 if pct is None else float(pct)
    on_demand_units = min(units, base) + whole(max(0.0, units - base) * pct / 100)
    counts = _commit(q, whole(on_demand_units / weight), weight)
    counts["spot"] = whole((units - on_demand_units) / weight)
    q.note += f"; on-demand base {base:g}, {pct:g}% on-demand above it"
    return counts


def _commit(q: Quote, on_demand: int, weight: float) -> dict[str, float]:
    committed_units = _pool_commitment(q)
    committed = min(float(on_demand), committed_units / weight)
    if committed_units / weight > on_demand:
        q.warn(f"commitment of {committed_units:g} units exceeds the {on_demand} on-demand "
               "instances: the idle part is paid anyway and not counted here")  # fmt: skip
    return {"committed": committed, "on-demand": on_demand - committed}


def _price_fleet(q: Quote, shape: Shape, itype: str, counts: dict[str, float]) -> None:
    instance_hours(q, itype, counts, HOURS_PER_MONTH, shape.tenancy)
    per_instance_extras(q, shape, itype, sum(counts.values()), HOURS_PER_MONTH)


@priced("aws:autoscaling/group:Group", usage=FLEET_USAGE)
def autoscaling_group(q: Quote) -> None:
    mip = q.resource.get("mixedInstancesPolicy")
    shape = _asg_shape(q, mip)
    single = [(shape.instance_type, 1.0)] if shape.instance_type else []
    itype, weight = _priced_type(q, _overrides(mip) or single)
    units = _units(q, weight, ("desiredCapacity",), ("minSize",), ("maxSize",))
    q.note = f"{units:g} capacity units as {itype} (weight {weight:g})"
    _price_fleet(q, shape, itype, _split(q, units, weight, mip, shape.spot))


@priced("aws:eks/nodeGroup:NodeGroup", usage=FLEET_USAGE)
def eks_node_group(q: Quote) -> None:
    r = q.resource
    lt = q.graph.referenced(r, "launchTemplate", (LAUNCH_TEMPLATE,))
    if lt is not None:
        shape = shape_of_launch_template(lt)
    else:
        disk = float(r.get("diskSize", default=NODE_GROUP_DEFAULT_DISK_GB))
        shape = Shape(None, volumes=(Volume("Root volume", "gp2", disk),))
    listed = [t for t in r.get("instanceTypes", default=[]) or [] if isinstance(t, str)]
    choices = [(t, 1.0) for t in listed] or [(shape.instance_type or NODE_GROUP_DEFAULT_TYPE, 1.0)]
    itype, _ = _priced_type(q, choices)
    scaling = ("scalingConfig",)
    units = _units(q, 1.0, (*scaling, "desiredSize"), (*scaling, "minSize"), (*scaling, "maxSize"))
    q.note = f"{units:g} nodes of {itype}"
    spot = r.get("capacityType") == "SPOT"
    _price_fleet(q, shape, itype, {"spot": units} if spot else _commit(q, whole(units), 1.0))


@priced("aws:ec2/instance:Instance", usage={**INSTANCE_USAGE, "monthly_hrs": NUMBER})
def ec2_instance(q: Quote) -> None:
    shape = shape_of_instance(q.resource)
    if not shape.instance_type:
        raise Unpriceable("instance type unknown at preview")
    hours = q.usage.number("monthly_hrs", HOURS_PER_MONTH)
    purchase = "spot" if shape.spot else "on-demand"
    instance_hours(q, shape.instance_type, {purchase: 1}, hours, shape.tenancy)
    per_instance_extras(q, shape, shape.instance_type, 1, hours)
