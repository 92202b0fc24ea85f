"""Fleets outside Kubernetes, scaled by ASG policies: preprocessing workers and edge HTTP caches.

Preprocessing workers track the request-queue depth per instance (SQS backlog / in-service
instances, a metric-math target-tracking policy that counts the whole backlog at zero instances),
and a step policy on the raw backlog takes an empty fleet to one instance; edge caches step out
and in on CPU. The user data installs and starts what the fleet runs (nginx as the edge cache,
the worker container) and marks the instance unhealthy if any step fails. Each fleet
also raises CPU- and memory-pressure alarms (the framework's optimization triggers) to the
region's alert topic; memory comes from the CloudWatch agent the user data starts.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.eks_cluster import ASSUME_EC2, MANAGED, assume_role_policy
from components.fleet_user_data import CW_AGENT_NAMESPACE, fleet_user_data
from components.node_pool import (
    group_tags,
    mixed_instances_policy,
    off_hours_schedules,
    pool_launch_template,
)
from components.pool_types import PoolFacts
from components.settings import EbsClasses, FleetScaling, Monitoring, Pool
from components.tagging import pool_tags

PERIOD_S = 60


def fleet_ami_parameter(architecture: str) -> str:
    return f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{architecture}"


def backlog_per_instance(queue_name: Any, group_name: Any) -> list[dict[str, Any]]:
    """Metric math: visible messages / in-service instances (AWS's SQS scaling recipe)."""
    return [
        {
            "id": "visible",
            "return_data": False,
            "metric_stat": {
                "stat": "Sum",
                "metric": {
                    "namespace": "AWS/SQS",
                    "metric_name": "ApproximateNumberOfMessagesVisible",
                    "dimensions": [{"name": "QueueName", "value": queue_name}],
                },
            },
        },
        {
            "id": "instances",
            "return_data": False,
            "metric_stat": {
                "stat": "Average",
                "metric": {
                    "namespace": "AWS/AutoScaling",
                    "metric_name": "GroupInServiceInstances",
                    "dimensions": [{"name": "AutoScalingGroupName", "value": group_name}],
                },
            },
        },
        {
            # At zero instances the backlog is the whole queue, so tracking still scales out.
            "id": "backlog",
            "expression": "IF(instances < 1, visible, visible / instances)",
            "label": "backlog per instance",
            "return_data": True,
        },
    ]


class FleetArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    pool: Pool
    facts: PoolFacts
    ebs: EbsClasses
    monitoring: Monitoring | None
    subnet_ids: list[Any]
    security_group_id: Any
    ami_id: Any
    alert_topic_arn: Any | None
    origin: str | None = None  # edge caches: the service domain they cache


class ScaledFleet(pulumi.ComponentResource):
    def __init__(self, name: str, args: FleetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:ScaledFleet", name, None, opts)
        pool, scaling = args.pool, args.pool.scaling
        assert scaling is not None  # settings require it for fleets
        child = pulumi.ResourceOptions(parent=self)
        tags = pool_tags(pool.name, pool.role.value)

        self.queue = None
        if scaling.metric == "sqs-backlog-per-instance":
            self.queue = aws.sqs.Queue(
                f"{name}-requests", sqs_managed_sse_enabled=True, tags=dict(tags), opts=child
            )
        role = aws.iam.Role(
            f"{name}-node", assume_role_policy=assume_role_policy(ASSUME_EC2), opts=child
        )
        managed = ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"]
        if pool.worker_image is not None:
            managed.append("AmazonEC2ContainerRegistryReadOnly")  # pull the worker image
        for policy in managed:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}", role=role.name, policy_arn=MANAGED + policy,
                opts=pulumi.ResourceOptions(parent=role),
            )  # fmt: skip
        # A failed user data marks its own instance unhealthy, in this pool's group only.
        aws.iam.RolePolicy(
            f"{name}-self-health",
            role=role.name,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "autoscaling:SetInstanceHealth", "Resource": "*",
                "Condition": {"StringEquals": {"autoscaling:ResourceTag/aeon:pool": pool.name}},
            }]}),
            opts=pulumi.ResourceOptions(parent=role),
        )  # fmt: skip
        if self.queue is not None:
            aws.iam.RolePolicy(
                f"{name}-requests",
                role=role.name,
                policy=self.queue.arn.apply(
                    lambda arn: json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": [
                                        "sqs:ReceiveMessage",
                                        "sqs:DeleteMessage",
                                        "sqs:ChangeMessageVisibility",
                                    ],
                                    "Resource": arn,
                                }
                            ],
                        }
                    )
                ),
                opts=pulumi.ResourceOptions(parent=role),
            )
        profile = aws.iam.InstanceProfile(f"{name}-node", role=role.name, opts=child)
        queue_url = self.queue.url if self.queue is not None else None
        self.launch_template = pool_launch_template(
            name,
            pool,
            args.ebs,
            image_id=args.ami_id,
            user_data=pulumi.Output.from_input(queue_url).apply(
                lambda url: fleet_user_data(
                    pool, queue_url=url, origin=args.origin, worker_image=pool.worker_image
                )
            ),
            instance_profile_arn=profile.arn,
            security_group_id=args.security_group_id,
            imds_hop_limit=1,
            opts=child,
        )
        self.group = aws.autoscaling.Group(
            name,
            min_size=pool.min_size,
            max_size=pool.max_size,
            desired_capacity=pool.desired_size,
            vpc_zone_identifiers=args.subnet_ids,
            mixed_instances_policy=mixed_instances_policy(pool, args.facts, self.launch_template),
            capacity_rebalance=pool.capacity.capacity_rebalance and pool.capacity.uses_spot,
            default_instance_warmup=scaling.estimated_instance_warmup_s,
            enabled_metrics=["GroupInServiceInstances", "GroupDesiredCapacity"],
            tags=group_tags({**tags, "Name": name}, True),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desired_capacity"]),
        )
        self.policies = self._scaling(name, scaling)
        self.alarms = self._pressure_alarms(name, args)
        self.schedules = off_hours_schedules(name, pool, self.group, self)
        self.register_outputs({"group_name": self.group.name, "queue_url": queue_url})

    # -- scaling ----------------------------------------------------------------------------

    def _metric(self, scaling: FleetScaling) -> dict[str, Any]:
        if scaling.metric == "cpu":
            return {
                "namespace": "AWS/EC2",
                "metric_name": "CPUUtilization",
                "dimensions": {"AutoScalingGroupName": self.group.name},
                "statistic": "Average",
                "period": PERIOD_S,
            }
        return {
            "metric_queries": _alarm_queries(backlog_per_instance(self.queue.name, self.group.name))
        }

    def _scaling(self, name: str, scaling: FleetScaling) -> list[aws.autoscaling.Policy]:
        child = pulumi.ResourceOptions(parent=self)
        if scaling.policy == "target-tracking":
            if scaling.metric == "cpu":
                target = {
                    "target_value": scaling.target_value,
                    "predefined_metric_specification": {
                        "predefined_metric_type": "ASGAverageCPUUtilization"
                    },
                }
            else:
                target = {
                    "target_value": scaling.target_value,
                    "customized_metric_specification": {
                        "metrics": backlog_per_instance(self.queue.name, self.group.name)
                    },
                }
            tracking = aws.autoscaling.Policy(
                f"{name}-track",
                autoscaling_group_name=self.group.name,
                policy_type="TargetTrackingScaling",
                estimated_instance_warmup=scaling.estimated_instance_warmup_s,
                target_tracking_configuration=target,
                opts=child,
            )
            if scaling.metric == "cpu":
                return [tracking]
            return [tracking, self._leave_zero(name, scaling)]
        policies = []
        for direction, threshold, operator in (
            ("out", scaling.scale_out_threshold, "GreaterThanOrEqualToThreshold"),
            ("in", scaling.scale_in_threshold, "LessThanOrEqualToThreshold"),
        ):
            change = scaling.step_adjustment if direction == "out" else -scaling.step_adjustment
            common: dict[str, Any] = {
                "autoscaling_group_name": self.group.name,
                "adjustment_type": "ChangeInCapacity",
            }
            if scaling.policy == "step":
                # The alarm fires beyond the threshold; one step covers everything beyond it.
                bound = (
                    {"metric_interval_lower_bound": 0}
                    if change > 0
                    else {"metric_interval_upper_bound": 0}
                )
                policy = aws.autoscaling.Policy(
                    f"{name}-scale-{direction}",
                    policy_type="StepScaling",
                    metric_aggregation_type="Average",
                    estimated_instance_warmup=scaling.estimated_instance_warmup_s,
                    step_adjustments=[{"scaling_adjustment": change, **bound}],
                    opts=child,
                    **common,
                )
            else:
                policy = aws.autoscaling.Policy(
                    f"{name}-scale-{direction}",
                    policy_type="SimpleScaling",
                    scaling_adjustment=change,
                    cooldown=scaling.cooldown_s,
                    opts=child,
                    **common,
                )
            aws.cloudwatch.MetricAlarm(
                f"{name}-scale-{direction}",
                alarm_description=f"scale {name} {direction} at {threshold:g}",
                comparison_operator=operator,
                threshold=threshold,
                evaluation_periods=scaling.alarm_evaluation_periods,
                alarm_actions=[policy.arn],
                opts=pulumi.ResourceOptions(parent=policy),
                **self._metric(scaling),
            )
            policies.append(policy)
        return policies

    def _leave_zero(self, name: str, scaling: FleetScaling) -> aws.autoscaling.Policy:
        """Target tracking scales in proportion to the current capacity, which is 0 for an empty
        fleet: a step policy on the raw backlog starts the first worker."""
        policy = aws.autoscaling.Policy(
            f"{name}-leave-zero",
            autoscaling_group_name=self.group.name,
            policy_type="StepScaling",
            adjustment_type="ExactCapacity",
            metric_aggregation_type="Maximum",
            estimated_instance_warmup=scaling.estimated_instance_warmup_s,
            step_adjustments=[{"scaling_adjustment": 1, "metric_interval_lower_bound": 0}],
            opts=pulumi.ResourceOptions(parent=self),
        )
        queries = backlog_per_instance(self.queue.name, self.group.name)[:2] + [
            {"id": "idle_with_work", "expression": "IF(instances < 1 AND visible > 0, 1, 0)",
             "label": "messages waiting, no worker", "return_data": True}
        ]  # fmt: skip
        aws.cloudwatch.MetricAlarm(
            f"{name}-leave-zero",
            alarm_description=f"start the first {name} worker when messages wait",
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1,
            evaluation_periods=1,
            alarm_actions=[policy.arn],
            metric_queries=_alarm_queries(queries),
            opts=pulumi.ResourceOptions(parent=policy),
        )
        return policy

    # -- pressure alarms (framework 2.1) ----------------------------------------------------

    def _pressure_alarms(self, name: str, args: FleetArgs) -> list[aws.cloudwatch.MetricAlarm]:
        if args.monitoring is None or args.alert_topic_arn is None:
            return []
        alarms = []
        for kind, limit, namespace, metric in (
            ("cpu", args.monitoring.cpu_pressure, "AWS/EC2", "CPUUtilization"),
            ("memory", args.monitoring.memory_pressure, CW_AGENT_NAMESPACE, "mem_used_percent"),
        ):
            periods = limit.duration_s // PERIOD_S
            alarms.append(
                aws.cloudwatch.MetricAlarm(
                    f"{name}-{kind}-pressure",
                    alarm_description=(
                        f"{kind} pressure: >= {limit.threshold_pct:g}% "
                        f"for {limit.duration_s // 60} min"
                    ),
                    namespace=namespace,
                    metric_name=metric,
                    dimensions={"AutoScalingGroupName": self.group.name},
                    statistic="Average",
                    period=PERIOD_S,
                    evaluation_periods=periods,
                    datapoints_to_alarm=periods,
                    comparison_operator="GreaterThanOrEqualToThreshold",
                    threshold=limit.threshold_pct,
                    treat_missing_data="missing",
                    alarm_actions=[args.alert_topic_arn],
                    ok_actions=[args.alert_topic_arn],
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        return alarms


def _alarm_queries(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Target tracking's metric-math queries in the shape CloudWatch alarms take."""
    out = []
    for q in queries:
        item: dict[str, Any] = {"id": q["id"], "return_data": q["return_data"]}
        if "expression" in q:
            item |= {"expression": q["expression"], "label": q["label"]}
        else:
            stat = q["metric_stat"]
            item["metric"] = {
                "namespace": stat["metric"]["namespace"],
                "metric_name": stat["metric"]["metric_name"],
                "dimensions": {d["name"]: d["value"] for d in stat["metric"]["dimensions"]},
                "stat": stat["stat"],
                "period": PERIOD_S,
            }
        out.append(item)
    return out
