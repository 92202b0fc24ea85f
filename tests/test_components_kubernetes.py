"""Kubernetes on each cluster: GPU quotas, priority tiers, device-plugin sharing, DCGM, the
autoscaler and the termination handler, and the cluster itself (private endpoint, IRSA)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from optimizers.costing.registry import free_reason
from tests.components import component_runs as runs

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1")


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def releases(run, chart):
    return [r for r in runs.of_type(run, runs.RELEASE) if r.inputs["chart"] == chart]


def test_gpu_quota_per_namespace_by_region_role(prod_run) -> None:
    quotas = runs.of_type(prod_run, "kubernetes:core/v1:ResourceQuota")
    found = {
        (q.region, q.inputs["metadata"]["namespace"]): q.inputs["spec"]["hard"] for q in quotas
    }
    assert found[("us-east-1", "training")] == {"requests.nvidia.com/gpu": "64"}
    assert found[("us-east-1", "inference")] == {"requests.nvidia.com/gpu": "48"}
    assert found[("us-east-1", "experiments")] == {"requests.nvidia.com/gpu": "8"}
    for region in REGIONS[1:]:
        assert found[(region, "edge-inference")] == {"requests.nvidia.com/gpu": "16"}
    assert len(found) == 6


def test_three_priority_tiers_in_every_cluster(prod_run) -> None:
    classes = runs.of_type(prod_run, "kubernetes:scheduling.k8s.io/v1:PriorityClass")
    by_region: dict[str, dict[str, float]] = {}
    for pc in classes:
        by_region.setdefault(pc.region, {})[pc.inputs["metadata"]["name"]] = pc.inputs["value"]
    for region in REGIONS:
        assert by_region[region] == {
            "online-inference": 100000,
            "batch-training": 10000,
            "best-effort": 100,
        }
    best = next(pc for pc in classes if pc.inputs["metadata"]["name"] == "best-effort")
    assert best.inputs["preemptionPolicy"] == "Never"


def test_time_slicing_only_on_the_shared_pool_and_it_rejects_multi_gpu_pods(prod_run) -> None:
    (primary,) = [
        c for c in runs.of_type(prod_run, runs.CONFIG_MAP)
        if c.region == "us-east-1"
        and c.inputs["metadata"]["name"] == "nvidia-device-plugin-configs"
    ]  # fmt: skip
    configs = {k: yaml.safe_load(v) for k, v in primary.inputs["data"].items()}
    shared = {"inference-shared", "inference-shared-8c", "inference-shared-48g"}
    assert {"whole-gpus", "training-p5", "inference"} | shared <= set(configs)
    for name in shared:
        slicing = configs[name]["sharing"]["timeSlicing"]
        assert slicing["failRequestsGreaterThanOne"] is True
        assert slicing["resources"] == [{"name": "nvidia.com/gpu", "replicas": 4}]
    for unshared in set(configs) - shared:  # TP=2 Triton runs on the `inference` node group
        assert "sharing" not in configs[unshared]
    (plugin,) = [r for r in releases(prod_run, "nvidia-device-plugin") if r.region == "us-east-1"]
    assert plugin.inputs["values"]["config"] == {
        "name": "nvidia-device-plugin-configs",
        "default": "whole-gpus",
    }


def test_dcgm_exporter_and_device_plugin_run_in_every_cluster_with_gpus(prod_run) -> None:
    for chart in ("nvidia-device-plugin", "dcgm-exporter", "cluster-autoscaler",
                  "aws-node-termination-handler", "kube-prometheus-stack"):  # fmt: skip
        found = releases(prod_run, chart)
        assert sorted(r.region for r in found) == sorted(REGIONS), chart
        assert all(r.inputs["version"] for r in found)
    dcgm = releases(prod_run, "dcgm-exporter")[0].inputs["values"]
    assert dcgm["serviceMonitor"]["enabled"] is True


def test_dcgm_exporter_emits_every_field_right_sizing_and_dashboards_read(prod_run) -> None:
    """The chart's default list comments DCGM_FI_PROF_SM_ACTIVE out: the stack lists its own."""
    import re

    from components import dashboards
    from optimizers.telemetry.prometheus import QUERIES

    dcgm = releases(prod_run, "dcgm-exporter")[0].inputs["values"]
    emitted = {
        line.split(",")[0].strip()
        for line in dcgm["customMetrics"].splitlines()
        if line.strip() and not line.startswith("#")
    }
    read = {m for q in QUERIES for m in re.findall(r"DCGM_FI_\w+", q.expr)}
    charted = set(re.findall(r"DCGM_FI_\w+", Path(dashboards.__file__).read_text()))
    assert {"DCGM_FI_PROF_SM_ACTIVE", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE"} <= read
    assert read | charted <= emitted


def _schedulable(placement: dict, labels: dict, taints: list[str]) -> bool:
    """Whether a pod with this placement (nodeSelector, required node affinity, tolerations)
    can land on a node with these labels and taints (`key=value:Effect`)."""
    if any(labels.get(k) != v for k, v in (placement.get("nodeSelector") or {}).items()):
        return False
    required = (
        (placement.get("affinity") or {})
        .get("nodeAffinity", {})
        .get("requiredDuringSchedulingIgnoredDuringExecution")
    )
    if required and not any(
        all(labels.get(e["key"]) in e["values"] for e in term["matchExpressions"])
        for term in required["nodeSelectorTerms"]
    ):
        return False
    tolerated = {(t["key"], t["effect"]) for t in placement.get("tolerations") or []}
    return all((t.split("=")[0], t.rsplit(":", 1)[1]) in tolerated for t in taints)


# What decides placement in the charts' own defaults (nvidia-device-plugin 0.17.0 values.yaml:
# a required node affinity on NFD's pci-10de label, a Tegra CPU vendor label, or
# nvidia.com/gpu.present=true; dcgm-exporter 3.6.1: none). Helm replaces lists, merges maps.
CHART_DEFAULTS = {
    "nvidia-device-plugin": {
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": "feature.node.kubernetes.io/pci-10de.present",
                                       "operator": "In", "values": ["true"]}]},
                {"matchExpressions": [{"key": "feature.node.kubernetes.io/cpu-model.vendor_id",
                                       "operator": "In", "values": ["NVIDIA"]}]},
                {"matchExpressions": [{"key": "nvidia.com/gpu.present", "operator": "In",
                                       "values": ["true"]}]},
            ]}}},
        "nodeSelector": {},
    },
    "dcgm-exporter": {"affinity": {}, "nodeSelector": {}, "tolerations": []},
}  # fmt: skip


@pytest.mark.parametrize("chart", ["nvidia-device-plugin", "dcgm-exporter"])
def test_gpu_daemonsets_schedule_on_every_gpu_pool_and_nowhere_else(prod_run, chart) -> None:
    """Each GPU node (labels and taint from its launch template's NodeConfig, as the kubelet
    registers it) matches the chart's effective placement: its defaults under our values."""
    for release in releases(prod_run, chart):
        placement = {**CHART_DEFAULTS[chart], **release.inputs["values"]}
        for template in runs.of_type(prod_run, runs.LAUNCH_TEMPLATE):
            if template.region != release.region or runs.tags(template).get(
                "aeon:pool-role"
            ) not in ("training", "inference", "cpu"):
                continue
            flags = runs.node_config(template)["spec"]["kubelet"]["flags"]
            labels = dict(
                item.split("=", 1) for item in flags[0].removeprefix("--node-labels=").split(",")
            )
            taints = [f.removeprefix("--register-with-taints=") for f in flags[1:]]
            gpu = labels.get("aeon.ai/gpu") == "true"
            assert _schedulable(placement, labels, taints) == gpu, (chart, template.name)


def test_without_our_placement_the_device_plugin_would_schedule_nowhere(prod_run) -> None:
    (release,) = [r for r in releases(prod_run, "nvidia-device-plugin") if r.region == "us-east-1"]
    template = runs.template_of(prod_run, "inference")
    flags = runs.node_config(template)["spec"]["kubelet"]["flags"]
    labels = dict(i.split("=", 1) for i in flags[0].removeprefix("--node-labels=").split(","))
    labels.pop("nvidia.com/gpu.present")  # the defect: no NFD, no label
    values = {
        **CHART_DEFAULTS["nvidia-device-plugin"],
        "tolerations": release.inputs["values"]["tolerations"],
    }
    assert not _schedulable(values, labels, ["nvidia.com/gpu=true:NoSchedule"])


def test_crd_users_install_after_the_crd_provider(prod_run) -> None:
    """DCGM's ServiceMonitor needs kube-prometheus-stack's CRDs: its release depends on it."""
    for region in REGIONS:
        (stack,) = [r for r in releases(prod_run, "kube-prometheus-stack") if r.region == region]
        for release in runs.of_type(prod_run, runs.RELEASE):
            values = release.inputs.get("values") or {}
            monitors = (values.get("serviceMonitor") or {}).get("enabled") or (
                values.get("serviceMonitor") or {}
            ).get("create")
            if release.region == region and monitors and release is not stack:
                assert stack.urn in release.dependencies, release.name


def test_cluster_autoscaler_uses_irsa_and_auto_discovery(prod_run) -> None:
    (scaler,) = [r for r in releases(prod_run, "cluster-autoscaler") if r.region == "eu-west-1"]
    values = scaler.inputs["values"]
    assert values["autoDiscovery"] == {"clusterName": "aeon-prod-eu-west-1"}
    assert values["rbac"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].startswith(
        "arn:aws:iam::"
    )
    roles = [
        r
        for r in runs.of_type(prod_run, "aws:iam/role:Role")
        if r.name == "eu-west-1-cluster-autoscaler-irsa"
    ]
    trust = json.loads(roles[0].inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    subjects = [v for k, v in trust["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subjects == ["system:serviceaccount:kube-system:cluster-autoscaler"]


def test_termination_handler_in_queue_mode_fed_by_eventbridge(prod_run) -> None:
    (nth,) = [
        r for r in releases(prod_run, "aws-node-termination-handler") if r.region == "us-east-1"
    ]
    values = nth.inputs["values"]
    assert values["enableSqsTerminationDraining"] is True
    assert values["queueURL"].startswith("https://sqs.us-east-1.amazonaws.com/")
    rules = [
        r
        for r in runs.of_type(prod_run, "aws:cloudwatch/eventRule:EventRule")
        if r.region == "us-east-1"
    ]
    kinds = {json.loads(r.inputs["eventPattern"])["detail-type"][0] for r in rules}
    assert {"EC2 Spot Instance Interruption Warning", "EC2 Instance-terminate Lifecycle Action",
            "EC2 Instance Rebalance Recommendation"} <= kinds  # fmt: skip
    targets = [
        t
        for t in runs.of_type(prod_run, "aws:cloudwatch/eventTarget:EventTarget")
        if t.region == "us-east-1"
    ]
    assert len(targets) == len(rules)


def test_clusters_are_private_encrypted_and_have_oidc(prod_run) -> None:
    clusters = runs.of_type(prod_run, "aws:eks/cluster:Cluster")
    assert len(clusters) == 4
    for cluster in clusters:
        vpc = cluster.inputs["vpcConfig"]
        assert vpc["endpointPublicAccess"] is False and vpc["endpointPrivateAccess"] is True
        assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
        assert cluster.inputs["version"] == "1.31"
    assert len(runs.of_type(prod_run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")) == 4
    providers = runs.of_type(prod_run, "pulumi:providers:kubernetes")
    assert sorted(p.region for p in providers) == sorted(REGIONS)
    kubeconfig = json.loads(providers[0].inputs["kubeconfig"])
    assert kubeconfig["users"][0]["user"]["exec"]["command"] == "aws"


def test_network_policies_are_enforced_by_the_vpc_cnis_agent(prod_run) -> None:
    # EKS accepts NetworkPolicies whatever the CNI does; only the VPC CNI add-on with its network
    # policy agent turned on enforces them.
    addons = runs.of_type(prod_run, "aws:eks/addon:Addon")
    cni = [a for a in addons if a.inputs["addonName"] == "vpc-cni"]
    assert sorted(a.region for a in cni) == sorted(REGIONS)
    for addon in cni:
        assert json.loads(addon.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
        # It replaces the aws-node EKS installs self-managed: NONE could fail the create.
        assert addon.inputs["resolveConflictsOnCreate"] == "OVERWRITE"
    assert runs.of_type(prod_run, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    assert free_reason("aws:eks/addon:Addon")  # the cost model counts it at zero
