"""Compute guardrails: what EC2 Auto Scaling groups and launch templates may run, and where."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from .core import (
    ASG,
    GPU_ROLES,
    LAUNCH_TEMPLATE,
    NODE_GROUP,
    Res,
    family,
    get,
    guardrail,
    instance_types,
    is_gpu_type,
    items,
    number,
    region_of,
)
from .links import Referrers, Targets, identities

ROLES = ("training", "inference", "cpu", "preprocessing", "edge-cache")
COMPUTE = (ASG, LAUNCH_TEMPLATE, NODE_GROUP)

# The offerings table `aeon policy sync-config` writes: per region, the GPU types offered with
# [GPU count, GiB per GPU, manufacturer, architecture], and how many non-GPU types are offered.
OFFERINGS_SCHEMA = {
    "type": "object",
    "default": {},
    "description": "per region: {gpu: {type: [gpus, gib_per_gpu, maker, arch]}, other_types: n}",
}
PRIMARY_REGION_SCHEMA = {
    "type": "string",
    "default": "",
    "description": "the stack's primary region",
}


def _distribution(res: Res) -> Mapping[str, Any]:
    return get(res.props, "mixedInstancesPolicy", "instancesDistribution", default={})


@guardrail(
    "gpu-types-in-gpu-pools",
    "GPU instance types only in GPU pools (aeon:pool-role training or inference), and GPU pools "
    "only on GPU types. Remediation: move the type to a pool of the right role, or change the "
    "pool's instance_types.",
    severity="high",
    config={"region_offerings": OFFERINGS_SCHEMA},
)
def gpu_types_in_gpu_pools(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in COMPUTE or res.role is None:
        return
    gpu_pool = res.role in GPU_ROLES
    for t in instance_types(res):
        if is_gpu_type(t, cfg) and not gpu_pool:
            yield (
                f"GPU instance type {t} in a pool with role {res.role}; only training and "
                "inference pools take GPU types"
            )
        elif not is_gpu_type(t, cfg) and gpu_pool:
            yield f"instance type {t} has no GPU but the pool's role is {res.role}"


APPROVED = {
    "training": ["p4d", "p4de", "p5", "p5e", "p5en"],
    "inference": ["g4dn", "g5", "g6", "g6e", "p4d", "p4de", "p5"],
    "cpu": ["m5", "m6i", "m6a", "m7i", "m7a", "r5", "r6i", "r6a", "r7i", "r7a",
            "c5", "c6i", "c6a", "c7i", "c7a"],
    "preprocessing": ["c5", "c6i", "c6a", "c7i", "c7a", "m5", "m6i", "m6a", "m7i", "m7a"],
    "edge-cache": ["c5", "c6i", "c6a", "c7i", "c7a", "r5", "r6i", "r7i"],
}  # fmt: skip


@guardrail(
    "instance-families-approved",
    "Pools run only instance families approved for their role (current-generation families with "
    "known price/performance). Remediation: pick a type from an approved family, or get the family "
    "approved in the policy config with a reason.",
    severity="medium",
    config={"approved_families_by_role": {"type": "object", "default": APPROVED}},
    relaxes={"approved_families_by_role": "wider"},
)
def families_approved(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in COMPUTE or res.role is None:
        return
    approved = list(get(cfg, "approved_families_by_role", res.role, default=[]))
    for t in instance_types(res):
        if family(t) not in approved:
            yield (
                f"instance type {t} (family {family(t)}) is not approved for role {res.role}; "
                f"approved: {', '.join(approved) or 'none'}"
            )


QUOTAS = {"default": 100, "p4d": 16, "p4de": 16, "p5": 16, "p5e": 8, "p5en": 8}


@guardrail(
    "asg-max-within-family-quota",
    "A group's MaxSize stays within the per-family instance quota, so scale-out does not stall "
    "on an EC2 service quota. Remediation: lower max_size or raise the quota (and the config).",
    severity="medium",
    config={"max_instances_per_family": {"type": "object", "default": QUOTAS}},
    relaxes={"max_instances_per_family": "higher"},
)
def max_within_quota(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type != ASG:
        return
    quotas = cfg["max_instances_per_family"]
    max_size = number(res.props.get("maxSize"))
    if max_size is None:
        return
    for fam in sorted({family(t) for t in instance_types(res)}):
        quota = number(quotas.get(fam, quotas.get("default")))
        if quota is not None and max_size > quota:
            yield f"MaxSize {max_size:g} exceeds the quota of {quota:g} {fam} instances"


def _parse_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@guardrail(
    "recommendation-enforced",
    "A pool follows its enforced recommendation: instance types within allowed_instance_types "
    "and MaxSize not above max_size (policy config `pools`, by the aeon:pool tag). Remediation: "
    "apply the recommendation (aeon apply), or tag the resource aeon:override-reason and "
    "aeon:override-expires.",
    severity="medium",
    config={
        "pools": {
            "type": "object",
            "default": {},
            "description": "per pool: {allowed_instance_types, max_size, generated_at, source}",
        }
    },
)
def recommendation_enforced(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in COMPUTE or res.pool is None:
        return
    rec = get(cfg, "pools", res.pool)
    if rec is None:
        return
    origin, when = get(rec, "source", default="?"), get(rec, "generated_at", default="?")
    source = f" (recommendation {origin} of {when})"
    allowed = list(get(rec, "allowed_instance_types", default=[]))
    if allowed:
        for t in instance_types(res):
            if t not in allowed:
                yield f"instance type {t} is outside the allowed types {', '.join(allowed)}{source}"
    limit = number(get(rec, "max_size"))
    size = number(res.props.get("maxSize")) if res.type == ASG else None
    if limit is not None and size is not None and size > limit:
        yield f"MaxSize {size:g} exceeds the recommended max_size {limit:g}{source}"


@guardrail(
    "regions-allowed",
    "AWS resources only in the allowed regions (the resource's region input, else its provider's). "
    "Remediation: deploy into an allowed region or add the region to the stack (and config).",
    severity="high",
    config={
        "allowed_regions": {"type": "array", "items": {"type": "string"}, "default": []},
        "primary_region": PRIMARY_REGION_SCHEMA,
    },
    relaxes={"allowed_regions": "wider"},
)
def regions_allowed(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    allowed = list(cfg["allowed_regions"])
    if not allowed or not res.type.startswith("aws:") or res.type.startswith("aws:budgets"):
        return
    region = region_of(res, cfg)
    if region and region not in allowed:
        yield f"region {region} is not allowed; allowed: {', '.join(allowed)}"


@guardrail(
    "gpu-pools-regions-allowed",
    "GPU pools (training, inference) only in the regions allowed for their role. Remediation: "
    "move the pool, or allow the region for that role in the config with a reason.",
    severity="high",
    config={
        "regions_by_role": {
            "type": "object",
            "default": {},
            "description": "role -> allowed regions; a role not listed is not checked",
        },
        "primary_region": PRIMARY_REGION_SCHEMA,
    },
    relaxes={"regions_by_role": "wider"},
)
def gpu_regions(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in COMPUTE or res.role not in GPU_ROLES:
        return
    allowed = get(cfg, "regions_by_role", res.role)
    if allowed is None:
        return
    region = region_of(res, cfg)
    if region and region not in list(allowed):
        listed = ", ".join(allowed) or "none"
        yield f"{res.role} pool in region {region}; allowed for {res.role}: {listed}"


# --- stack-level: scaling and schedules ---------------------------------------------------------

AUTOSCALER_TAG = "k8s.io/cluster-autoscaler/enabled"
SCALING_POLICY = "aws:autoscaling/policy:Policy"
SCHEDULE = "aws:autoscaling/schedule:Schedule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _direction(policy: Res) -> int:
    adjustments = [number(policy.props.get("scalingAdjustment"))]
    adjustments += [
        number(get(s, "scalingAdjustment")) for s in items(policy.props.get("stepAdjustments"))
    ]
    adjustments = [a for a in adjustments if a]
    if adjustments and all(a > 0 for a in adjustments):
        return 1
    if adjustments and all(a < 0 for a in adjustments):
        return -1
    return 0


@guardrail(
    "asg-scaling-sane",
    "Auto Scaling policies are sane: the scale-out alarm threshold is above the scale-in one, step "
    "and target-tracking policies set an instance warmup, cooldown only on simple scaling, and no "
    "ASG scaling policy on a group the Cluster Autoscaler manages "
    "(tag k8s.io/cluster-autoscaler/enabled). Remediation: fix the thresholds, set "
    "estimatedInstanceWarmup, drop cooldown, or leave autoscaler groups to the autoscaler.",
    severity="medium",
    kind="stack",
)
def scaling_sane(resources: list[Res], cfg: Mapping[str, Any]):
    groups = Targets((r for r in resources if r.type == ASG), "name")
    policies = [r for r in resources if r.type == SCALING_POLICY]
    alarms = Referrers((r for r in resources if r.type == ALARM), "alarmActions")
    thresholds: dict[str, dict[int, list[float]]] = {}
    for policy in policies:
        props = policy.props
        kind = props.get("policyType") or "SimpleScaling"
        group = groups.first(policy, "autoscalingGroupName")
        if props.get("cooldown") is not None and kind != "SimpleScaling":
            yield (
                policy.urn,
                (
                    f"Cooldown {props.get('cooldown')} is set on a {kind} policy; "
                    "AWS applies cooldown only to SimpleScaling (use EstimatedInstanceWarmup)"
                ),
            )
        if kind in ("StepScaling", "TargetTrackingScaling"):
            group_warmup = group.props.get("defaultInstanceWarmup") if group else None
            if props.get("estimatedInstanceWarmup") is None and group_warmup is None:
                yield policy.urn, f"EstimatedInstanceWarmup is not set on a {kind} policy"
        if group is not None and AUTOSCALER_TAG in group.tags:
            yield (
                policy.urn,
                (
                    f"scaling policy on group {group.name}, which the Cluster Autoscaler manages "
                    f"(tag {AUTOSCALER_TAG}); remove the policy"
                ),
            )
        direction = _direction(policy)
        if group is None or direction == 0:
            continue
        for alarm in alarms.of(policy):
            value = number(alarm.props.get("threshold"))
            if value is not None:
                thresholds.setdefault(group.urn, {}).setdefault(direction, []).append(value)
    for urn, by_direction in thresholds.items():
        outs, ins = by_direction.get(1, []), by_direction.get(-1, [])
        if outs and ins and min(outs) <= max(ins):
            yield (
                urn,
                (f"scale-out threshold {min(outs):g} is not above scale-in threshold {max(ins):g}"),
            )


@guardrail(
    "off-hours-schedule",
    "Training pools and every pool of a dev stack have an off-hours scale-down schedule "
    "(aws:autoscaling/schedule:Schedule). Remediation: set off_hours on the pool in the stack "
    "config.",
    severity="low",
    enforcement="advisory",
    kind="stack",
    config={
        "roles": {"type": "array", "items": {"type": "string"}, "default": ["training"]},
        "environments": {"type": "array", "items": {"type": "string"}, "default": ["dev"]},
    },
    relaxes={"roles": "narrower", "environments": "narrower"},
)
def off_hours(resources: list[Res], cfg: Mapping[str, Any]):
    groups = [r for r in resources if r.type == ASG]
    schedules = Referrers((r for r in resources if r.type == SCHEDULE), "autoscalingGroupName")
    roles, environments = list(cfg["roles"]), list(cfg["environments"])
    for group in groups:
        tags = group.tags
        if tags.get("aeon:pool-role") not in roles and tags.get("environment") not in environments:
            continue
        mine = schedules.of(group, identities(group, "name"))
        if not any(s.props.get("recurrence") for s in mine):
            why = f"role {tags.get('aeon:pool-role')}, environment {tags.get('environment')}"
            yield group.urn, f"no recurring scale-down schedule for this group ({why})"
