"""Node pools the Cluster Autoscaler, the device plugin and the termination handler can work with:
one shape per pool counted in nodes, the tags each of them reads where they read them, EFA and a
cluster placement group for training, security-group rules and routes that survive the next
update."""

from __future__ import annotations

import pytest

from tests.components import component_runs as runs

AUTOSCALED = ("training", "inference", "cpu")


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def group_tags(group) -> dict[str, dict]:
    return {t["key"]: t for t in group.inputs["tags"]}


def test_autoscaler_pools_count_nodes(prod_run) -> None:
    for group in runs.of_type(prod_run, runs.ASG):
        overrides = group.inputs["mixedInstancesPolicy"]["launchTemplate"]["overrides"]
        weights = {o["weightedCapacity"] for o in overrides}
        if runs.tags(group)["aeon:pool-role"] in AUTOSCALED:
            assert weights == {"1"}, (
                group.name
            )  # desired capacity = nodes, as the autoscaler reads it


def test_the_termination_handler_finds_its_tag_on_the_instance(prod_run) -> None:
    for group in runs.of_type(prod_run, runs.ASG):
        if runs.tags(group)["aeon:pool-role"] in AUTOSCALED:
            tag = group_tags(group)["aws-node-termination-handler/managed"]
            assert tag["propagateAtLaunch"] is True, group.name


def test_scale_from_zero_advertises_time_sliced_gpus(prod_run) -> None:
    key = "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"
    shared = group_tags(runs.group_of(prod_run, "inference-shared"))
    assert shared[key]["value"] == "4"  # 1 GPU x 4 time-slicing replicas
    assert group_tags(runs.group_of(prod_run, "inference"))[key]["value"] == "4"
    assert group_tags(runs.group_of(prod_run, "training-p5"))[key]["value"] == "8"


def test_gpu_nodes_carry_the_labels_the_device_plugin_and_autoscaler_read(prod_run) -> None:
    config = runs.node_config(runs.template_of(prod_run, "training-p5"))
    flags = config["spec"]["kubelet"]["flags"][0].removeprefix("--node-labels=")
    labels = dict(item.split("=", 1) for item in flags.split(","))
    assert labels["nvidia.com/gpu.present"] == "true"
    assert labels["k8s.amazonaws.com/accelerator"] == "nvidia-h100"
    assert labels["aeon.ai/node-group"] == "training"
    tags = group_tags(runs.group_of(prod_run, "training-p5"))
    template = "k8s.io/cluster-autoscaler/node-template/label/"
    assert tags[template + "nvidia.com/gpu.present"]["value"] == "true"
    assert tags[template + "aeon.ai/node-group"]["value"] == "training"


def test_training_pools_use_efa_in_a_cluster_placement_group(prod_run) -> None:
    groups = {
        g.name: g for g in prod_run.resources if g.type.endswith("placementGroup:PlacementGroup")
    }
    for pool, cards in (("training-p5", 32), ("training-p4de", 4)):
        group = runs.group_of(prod_run, pool)
        assert group.inputs["placementGroup"]
        assert groups[f"{pool}-cluster"].inputs["strategy"] == "cluster"
        assert len(group.inputs["vpcZoneIdentifiers"]) == 1  # a cluster group is one AZ
        interfaces = runs.template_of(prod_run, pool).inputs["networkInterfaces"]
        assert len(interfaces) == cards
        assert {i["interfaceType"] for i in interfaces} == {"efa"}
        assert [(i["networkCardIndex"], i["deviceIndex"]) for i in interfaces[:2]] == [
            (0, 0),
            (1, 1),
        ]
    inference = runs.template_of(prod_run, "inference").inputs
    assert "networkInterfaces" not in inference and inference["vpcSecurityGroupIds"]


def test_security_groups_take_rules_as_separate_resources_only(prod_run) -> None:
    """Inline rules and rule resources on one group overwrite each other on every update (the
    load balancer's node port would disappear)."""
    groups = runs.of_type(prod_run, "aws:ec2/securityGroup:SecurityGroup")
    assert groups
    for group in groups:
        assert "ingress" not in group.inputs and "egress" not in group.inputs, group.name
    rules = runs.of_type(prod_run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    node_port = [r for r in rules if r.inputs.get("fromPort") == 30800]
    assert len(node_port) == 4  # one per region's inference endpoint


def test_route_tables_take_routes_as_separate_resources_only(prod_run) -> None:
    """Inline routes and `ec2.Route` resources on one table overwrite each other on every update
    (pulumi-aws's RouteTable note): a route added as a resource would disappear."""
    tables = runs.of_type(prod_run, "aws:ec2/routeTable:RouteTable")
    assert len(tables) == 10
    defaults = {
        r.inputs["routeTableId"]: r
        for r in runs.of_type(prod_run, "aws:ec2/route:Route")
        if r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    }
    for table in tables:
        assert "routes" not in table.inputs, table.name
        default = defaults[table.id]
        gateway = "natGatewayId" if "-private-" in table.name else "gatewayId"
        assert default.inputs[gateway], table.name
