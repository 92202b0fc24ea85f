"""Fleets outside Kubernetes: ASG policies (queue depth, CPU steps) and pressure alarms."""

from __future__ import annotations

import pytest

from tests.components import component_runs as runs

EDGE = ("euw1", "apse1", "sae1")


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def test_preprocessing_tracks_queue_depth_per_instance(prod_run) -> None:
    for suffix in EDGE:
        group = runs.group_of(prod_run, f"preprocess-{suffix}")
        (policy,) = runs.linked_to_group(prod_run, runs.POLICY, group)
        assert policy.inputs["policyType"] == "TargetTrackingScaling"
        assert policy.inputs["estimatedInstanceWarmup"] == 180
        config = policy.inputs["targetTrackingConfiguration"]
        assert config["targetValue"] == 100
        metrics = {m["id"]: m for m in config["customizedMetricSpecification"]["metrics"]}
        assert metrics["backlog"]["expression"] == "visible / instances"
        assert metrics["backlog"]["returnData"] is True
        assert (
            metrics["visible"]["metricStat"]["metric"]["metricName"]
            == "ApproximateNumberOfMessagesVisible"
        )
        assert (
            metrics["instances"]["metricStat"]["metric"]["metricName"] == "GroupInServiceInstances"
        )


def test_edge_cache_steps_out_at_70_and_in_at_30_without_cooldown(prod_run) -> None:
    for suffix in EDGE:
        group = runs.group_of(prod_run, f"edge-cache-{suffix}")
        policies = {
            p.name.rsplit("-", 1)[1]: p for p in runs.linked_to_group(prod_run, runs.POLICY, group)
        }
        assert set(policies) == {"out", "in"}
        for direction, policy in policies.items():
            assert policy.inputs["policyType"] == "StepScaling"
            assert policy.inputs["estimatedInstanceWarmup"] == 180
            assert "cooldown" not in policy.inputs  # AWS applies cooldown to simple scaling only
            (step,) = policy.inputs["stepAdjustments"]
            assert step["scalingAdjustment"] == (1 if direction == "out" else -1)
            (alarm,) = [
                a for a in runs.of_type(prod_run, runs.ALARM) if policy.urn in a.dependencies
            ]
            assert alarm.inputs["metricName"] == "CPUUtilization"
            assert alarm.inputs["threshold"] == (70 if direction == "out" else 30)
            assert alarm.inputs["comparisonOperator"] == (
                "GreaterThanOrEqualToThreshold"
                if direction == "out"
                else "LessThanOrEqualToThreshold"
            )


def test_pressure_alarms_go_to_the_region_alert_topic(prod_run) -> None:
    topics = {t.region: t for t in runs.of_type(prod_run, "aws:sns/topic:Topic")}
    for suffix in EDGE:
        for kind in ("edge-cache", "preprocess"):
            name = f"{kind}-{suffix}"
            cpu = runs.named(prod_run, runs.ALARM, f"{name}-cpu-pressure").inputs
            memory = runs.named(prod_run, runs.ALARM, f"{name}-memory-pressure").inputs
            cpu_window = cpu["period"] * cpu["evaluationPeriods"]
            assert (cpu["metricName"], cpu["threshold"], cpu_window) == (
                "CPUUtilization", 80, 300,
            )  # fmt: skip
            assert (memory["namespace"], memory["metricName"]) == ("CWAgent", "mem_used_percent")
            assert (memory["threshold"], memory["period"] * memory["evaluationPeriods"]) == (
                85,
                180,
            )
            assert cpu["datapointsToAlarm"] == cpu["evaluationPeriods"]
            assert cpu["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
            region = runs.group_of(prod_run, name).region
            assert cpu["alarmActions"] == [topics[region].outputs["arn"]]


def test_fleets_are_not_autoscaler_groups_and_carry_pool_tags(prod_run) -> None:
    for suffix in EDGE:
        for kind, role in (("edge-cache", "edge-cache"), ("preprocess", "preprocessing")):
            tags = runs.tags(runs.group_of(prod_run, f"{kind}-{suffix}"))
            assert "k8s.io/cluster-autoscaler/enabled" not in tags
            assert tags["aeon:pool-role"] == role
            assert tags["team"] == "ml-platform" and tags["aeon:stack"] == "prod"


def test_preprocessing_workers_get_their_request_queue(prod_run) -> None:
    queues = [q for q in runs.of_type(prod_run, "aws:sqs/queue:Queue") if "requests" in q.name]
    assert sorted(q.region for q in queues) == ["ap-southeast-1", "eu-west-1", "sa-east-1"]
    assert all(q.inputs["sqsManagedSseEnabled"] is True for q in queues)
