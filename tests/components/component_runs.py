"""One offline run per stack for all component tests (a prod run takes seconds), and views on it."""

from __future__ import annotations

import base64
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from aeon.engine import ProgramRun, Resource, run_program

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("prod_inventory.json")

ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
POLICY = "aws:autoscaling/policy:Policy"
SCHEDULE = "aws:autoscaling/schedule:Schedule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RELEASE = "kubernetes:helm.sh/v3:Release"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"


@cache
def stack_run(stack: str) -> ProgramRun:
    return run_program(REPO, stack)


def of_type(run: ProgramRun, type_: str) -> list[Resource]:
    return [r for r in run.resources if r.type == type_]


def named(run: ProgramRun, type_: str, name: str) -> Resource:
    found = [r for r in of_type(run, type_) if r.name == name]
    assert len(found) == 1, f"{len(found)} {type_} named {name}"
    return found[0]


def tags(resource: Resource) -> dict[str, Any]:
    value = resource.inputs.get("tags")
    if isinstance(value, list):
        return {t["key"]: t["value"] for t in value}
    return dict(value or {})


def group_of(run: ProgramRun, pool: str) -> Resource:
    return next(r for r in of_type(run, ASG) if tags(r).get("aeon:pool") == pool)


def template_of(run: ProgramRun, pool: str) -> Resource:
    return next(r for r in of_type(run, LAUNCH_TEMPLATE) if tags(r).get("aeon:pool") == pool)


def children_of(run: ProgramRun, parent: Resource) -> list[Resource]:
    """Resources whose parent chain reaches `parent`."""
    by_urn = run.by_urn()
    found = []
    for r in run.resources:
        up = r.parent
        while up:
            if up == parent.urn:
                found.append(r)
                break
            up = by_urn[up].parent if up in by_urn else None
    return found


def linked_to_group(run: ProgramRun, type_: str, group: Resource) -> list[Resource]:
    """Resources of `type_` whose autoscalingGroupName input comes from `group`."""
    return [
        r
        for r in of_type(run, type_)
        if group.urn in r.property_dependencies.get("autoscalingGroupName", ())
    ]


def node_config(template: Resource) -> dict[str, Any]:
    """The nodeadm NodeConfig inside a node launch template's MIME user data."""
    text = base64.b64decode(template.inputs["userData"]).decode()
    part = text.split("Content-Type: application/node.eks.aws\n\n", 1)[1]
    return json.loads(part.split("\n--", 1)[0])


def inventory(run: ProgramRun) -> dict[str, dict[str, int]]:
    """Resource types x counts per region (components included)."""
    counts: dict[str, Counter] = {}
    for r in run.resources:
        counts.setdefault(r.region or "none", Counter())[r.type] += 1
    return {region: dict(sorted(c.items())) for region, c in sorted(counts.items())}
