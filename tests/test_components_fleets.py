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
        policies = runs.linked_to_group(prod_run, runs.POLICY, group)
        (policy,) = [p for p in policies if p.inputs["policyType"] == "TargetTrackingScaling"]
        assert policy.inputs["estimatedInstanceWarmup"] == 180
        config = policy.inputs["targetTrackingConfiguration"]
        assert config["targetValue"] == 100
        metrics = {m["id"]: m for m in config["customizedMetricSpecification"]["metrics"]}
        # At zero instances the whole queue is the backlog, so tracking can still scale out.
        assert metrics["backlog"]["expression"] == "IF(instances < 1, visible, visible / instances)"
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


def test_an_empty_preprocessing_fleet_starts_a_worker_when_messages_wait(prod_run) -> None:
    """Target tracking multiplies the current capacity, which is 0 for an empty fleet."""
    for suffix in EDGE:
        group = runs.group_of(prod_run, f"preprocess-{suffix}")
        assert group.inputs["minSize"] == 0
        (step,) = [
            p for p in runs.linked_to_group(prod_run, runs.POLICY, group)
            if p.inputs["policyType"] == "StepScaling"
        ]  # fmt: skip
        assert step.inputs["adjustmentType"] == "ExactCapacity"
        assert step.inputs["stepAdjustments"] == [
            {"scalingAdjustment": 1, "metricIntervalLowerBound": 0}
        ]
        (alarm,) = [a for a in runs.of_type(prod_run, runs.ALARM) if step.urn in a.dependencies]
        queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
        assert queries["idle_with_work"]["expression"] == "IF(instances < 1 AND visible > 0, 1, 0)"
        assert alarm.inputs["threshold"] == 1


def test_fleet_user_data_starts_the_real_service_and_fails_loudly(prod_run) -> None:
    import base64

    for kind, must in (
        ("edge-cache", ["dnf install -y nginx", "systemctl enable --now nginx", "nginx -t",
                        "proxy_pass https://api.aeon.example;"]),
        ("preprocess", ["dnf install -y docker",
                        "docker pull ghcr.io/aeon-ai/preprocess-worker:1.4.2",
                        "systemctl enable --now aeon-preprocess"]),
    ):  # fmt: skip
        for suffix in EDGE:
            script = base64.b64decode(
                runs.template_of(prod_run, f"{kind}-{suffix}").inputs["userData"]
            ).decode()
            assert script.startswith("#!/bin/bash\nset -euo pipefail\n")
            assert "|| true" not in script
            assert "--health-status Unhealthy' ERR" in script  # a failed step replaces the node
            for line in must:
                assert line in script, (kind, line)
