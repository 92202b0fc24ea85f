"""EKS node pools: mixed instances, capacity mix, launch templates, the NUMA rule, who scales."""

from __future__ import annotations

import pytest

from aeon.engine.config import load_stack_config  # noqa: E402
from aeon.project import find_project  # noqa: E402
from components.settings import parse_settings  # noqa: E402
from tests.components import component_runs as runs

AUTOSCALER_TAG = "k8s.io/cluster-autoscaler/enabled"


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


@pytest.fixture(scope="module")
def prod_settings():
    project = find_project(runs.REPO)
    return parse_settings(load_stack_config(project, "prod"), "prod")


def overrides(group) -> list[dict]:
    return group.inputs["mixedInstancesPolicy"]["launchTemplate"]["overrides"]


def distribution(group) -> dict:
    return group.inputs["mixedInstancesPolicy"]["instancesDistribution"]


def test_every_pool_has_one_group_and_one_template(prod_run, prod_settings) -> None:
    for pool in prod_settings.pools:
        group = runs.group_of(prod_run, pool.name)
        template = runs.template_of(prod_run, pool.name)
        assert group.region == template.region == pool.region
        assert runs.tags(group)["aeon:pool-role"] == pool.role.value
        assert runs.tags(template)["aeon:pool-role"] == pool.role.value


def test_mixed_instances_numbers(prod_run, prod_settings) -> None:
    for pool in prod_settings.pools:
        group = runs.group_of(prod_run, pool.name)
        types = [o["instanceType"] for o in overrides(group)]
        assert types == pool.instance_types
        # Autoscaler pools hold one shape (interchangeable types); fleets stay diversified.
        if not pool.role.runs_on_kubernetes:
            assert len(types) >= 10, pool.name
        dist = distribution(group)
        assert dist["onDemandBaseCapacity"] == pool.capacity.committed
        assert (
            dist["onDemandPercentageAboveBaseCapacity"]
            == pool.capacity.on_demand_percentage_above_base
        )
        assert dist["spotAllocationStrategy"] == "price-capacity-optimized"
        # several AZs, except training in its cluster placement group (one AZ)
        assert len(group.inputs["vpcZoneIdentifiers"]) >= (
            1 if pool.role.value == "training" else 2
        )
        sizes = [group.inputs[k] for k in ("minSize", "desiredCapacity", "maxSize")]
        assert tuple(sizes) == (
            pool.min_size, pool.desired_size, pool.max_size,
        )  # fmt: skip


def test_fleets_keep_weighted_capacity_in_vcpus(prod_run) -> None:
    cache = {
        o["instanceType"]: o["weightedCapacity"]
        for o in overrides(runs.group_of(prod_run, "edge-cache-euw1"))
    }
    assert cache["c7i.large"] == "1" and cache["c7i.xlarge"] == "2"  # 2 and 4 vCPUs


def test_spot_pools_rebalance_and_drain_through_the_lifecycle_hook(prod_run) -> None:
    group = runs.group_of(prod_run, "training-p5")
    assert group.inputs["capacityRebalance"] is True
    (hook,) = group.inputs["initialLifecycleHooks"]
    assert hook["lifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
    assert hook["heartbeatTimeout"] == 300
    assert runs.group_of(prod_run, "system").inputs["capacityRebalance"] is False  # all on-demand


def test_launch_templates_imdsv2_encrypted_gp3(prod_run, prod_settings) -> None:
    for pool in prod_settings.pools:
        template = runs.template_of(prod_run, pool.name)
        assert template.inputs["metadataOptions"]["httpTokens"] == "required"
        (root,) = template.inputs["blockDeviceMappings"]
        assert root["ebs"]["encrypted"] is True
        assert root["ebs"]["volumeType"] == "gp3"
        assert root["ebs"]["volumeSize"] == pool.root_volume_gb


def test_gpu_nodes_pin_cpus_with_a_topology_policy_the_node_can_honour(prod_run) -> None:
    expected = {"training-p5": "restricted", "inference": "restricted",
                "inference-shared": "single-numa-node",
                "edge-inference-euw1-g5-8c": "single-numa-node"}  # fmt: skip
    for pool, policy in expected.items():
        config = runs.node_config(runs.template_of(prod_run, pool))["spec"]["kubelet"]
        assert config["config"] == {
            "cpuManagerPolicy": "static",
            "reservedSystemCPUs": "0-1",
            "topologyManagerPolicy": policy,
            "topologyManagerScope": "pod",
        }, pool
        assert "--register-with-taints=nvidia.com/gpu=true:NoSchedule" in config["flags"]
        labels = next(f for f in config["flags"] if f.startswith("--node-labels="))
        assert f"nvidia.com/device-plugin.config={pool}" in labels
    cpu = runs.node_config(runs.template_of(prod_run, "system"))["spec"]["kubelet"]
    assert "config" not in cpu and not any("taints" in f for f in cpu["flags"])


def test_gpu_pools_boot_the_nvidia_eks_ami(prod_run) -> None:
    # The SSM answer is derived from the parameter name: GPU and CPU pools differ.
    gpu = runs.template_of(prod_run, "training-p5").inputs["imageId"]
    assert gpu == runs.template_of(prod_run, "inference").inputs["imageId"]
    assert gpu != runs.template_of(prod_run, "system").inputs["imageId"]
    from components.node_pool import eks_ami_parameter

    assert eks_ami_parameter("1.31", "x86_64", True).endswith("/x86_64/nvidia/recommended/image_id")


def test_autoscaler_groups_have_discovery_and_scale_from_zero_tags(prod_run) -> None:
    group = runs.group_of(prod_run, "training-p5")
    tags = runs.tags(group)
    assert tags[AUTOSCALER_TAG] == "true"
    assert tags["k8s.io/cluster-autoscaler/aeon-prod-us-east-1"] == "owned"
    template = "k8s.io/cluster-autoscaler/node-template"
    assert tags[f"{template}/resources/nvidia.com/gpu"] == "8"
    assert tags[f"{template}/taint/nvidia.com/gpu"] == "true:NoSchedule"
    assert tags[f"{template}/label/aeon.ai/pool"] == "training-p5"
    assert (
        runs.tags(runs.group_of(prod_run, "inference"))[f"{template}/resources/nvidia.com/gpu"]
        == "4"
    )


def test_no_scaling_policy_on_an_autoscaler_managed_group(prod_run) -> None:
    managed = [
        g for g in runs.of_type(prod_run, runs.ASG) if runs.tags(g).get(AUTOSCALER_TAG) == "true"
    ]
    assert len(managed) == 34
    for group in managed:
        assert runs.linked_to_group(prod_run, runs.POLICY, group) == [], group.name


def test_off_hours_on_training_are_weekday_schedules_with_a_time_zone(prod_run) -> None:
    group = runs.group_of(prod_run, "training-p5")
    schedules = {
        s.inputs["scheduledActionName"]: s.inputs
        for s in runs.linked_to_group(prod_run, runs.SCHEDULE, group)
    }
    down, up = schedules["training-p5-off-hours"], schedules["training-p5-working-hours"]
    assert down["recurrence"] == "0 20 * * MON-FRI" and up["recurrence"] == "0 7 * * MON-FRI"
    assert down["timeZone"] == up["timeZone"] == "America/New_York"
    assert (down["minSize"], down["maxSize"], down["desiredCapacity"]) == (0, 2, -1)
    assert (up["minSize"], up["maxSize"], up["desiredCapacity"]) == (0, 4, -1)
    # only the training pools have off_hours in prod
    assert len(runs.of_type(prod_run, runs.SCHEDULE)) == 4


def test_dev_stack_is_one_region_and_every_pool_sleeps_off_hours() -> None:
    dev = runs.stack_run("dev")
    regions = {r.region for r in dev.resources} - {"global", None}
    assert regions == {"us-east-1"}
    groups = runs.of_type(dev, runs.ASG)
    assert len(groups) == 4
    for group in groups:
        actions = runs.linked_to_group(dev, runs.SCHEDULE, group)
        down = next(a for a in actions if a.inputs["scheduledActionName"].endswith("off-hours"))
        assert down.inputs["desiredCapacity"] == 0


def test_node_security_group_opens_nothing_to_the_world(prod_run) -> None:
    for sg in runs.of_type(prod_run, "aws:ec2/securityGroup:SecurityGroup"):
        for rule in sg.inputs.get("ingress", []):
            assert "0.0.0.0/0" not in rule.get("cidrBlocks", []), sg.name


def test_no_input_is_left_null(prod_run) -> None:
    """An Output that resolved to None offline would be a required input missing for real."""

    def nulls(value, path=""):
        if value is None:
            yield path
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from nulls(v, f"{path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from nulls(v, f"{path}[{i}]")

    found = [f"{r.name}{p}" for r in prod_run.resources for p in nulls(r.inputs)]
    assert found == []
