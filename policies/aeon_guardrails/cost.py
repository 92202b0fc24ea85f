"""Cost-allocation guardrails: every taggable resource carries the cost tags; a budget exists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .core import ASG, LAUNCH_TEMPLATE, Res, guardrail, number

# Types whose schema has `tags`, checked even when a resource omits them (with `tags` present any
# aws: type is checked).
TAGGABLE = {
    ASG,
    LAUNCH_TEMPLATE,
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/instance:Instance",
    "aws:ebs/volume:Volume",
    "aws:iam/role:Role",
    "aws:budgets/budget:Budget",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudfront/distribution:Distribution",
    "aws:route53/zone:Zone",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:kms/key:Key",
}
REQUIRED = ["team", "cost-center", "environment", "service", "aeon:stack"]
POOL_KEYS = ["aeon:pool", "aeon:pool-role"]


@guardrail(
    "required-cost-tags",
    "Every taggable AWS resource carries the cost tags team, cost-center, environment, service and "
    "aeon:stack in its own inputs; Auto Scaling groups and launch templates also aeon:pool and "
    "aeon:pool-role. Remediation: apply the tags in the stack transform every resource passes "
    "through (provider default tags are invisible to policies).",
    severity="medium",
    config={
        "required_tags": {"type": "array", "items": {"type": "string"}, "default": REQUIRED},
        "pool_tags": {"type": "array", "items": {"type": "string"}, "default": POOL_KEYS},
    },
    relaxes={"required_tags": "narrower", "pool_tags": "narrower"},
)
def required_tags(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if not res.type.startswith("aws:") or res.type.startswith("pulumi:providers:"):
        return
    if res.type not in TAGGABLE and "tags" not in res.props:
        return
    wanted = list(cfg["required_tags"])
    if res.type in (ASG, LAUNCH_TEMPLATE):
        wanted += list(cfg["pool_tags"])
    tags = res.tags
    missing = [k for k in wanted if not (isinstance(tags.get(k), str) and tags.get(k).strip())]
    if missing:
        yield f"missing tag keys {', '.join(missing)}; required: {', '.join(wanted)}"


@guardrail(
    "budget-exists",
    "The stack declares an AWS Budgets budget of type COST with a positive limit, so overspend "
    "alerts someone. Remediation: set `budget` in the stack config.",
    severity="high",
    kind="stack",
)
def budget_exists(resources: list[Res], cfg: Mapping[str, Any]):
    budgets = [r for r in resources if r.type == "aws:budgets/budget:Budget"]
    good = [
        b
        for b in budgets
        if b.props.get("budgetType") == "COST" and (number(b.props.get("limitAmount")) or 0) > 0
    ]
    if not good:
        found = ", ".join(
            f"{b.name} ({b.props.get('budgetType')}, {b.props.get('limitAmount')})" for b in budgets
        )
        yield None, f"no budget of BudgetType COST with LimitAmount > 0; found: {found or 'none'}"
