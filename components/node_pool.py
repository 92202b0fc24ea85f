"""EKS node pools: a launch template and a mixed-instances Auto Scaling group per pool.

The Cluster Autoscaler scales these groups (auto-discovery tags, scale-from-zero node-template
tags); they get no ASG scaling policy, which would fight it. Off-hours are scheduled actions on
min/max/desired, which the autoscaler respects. Spot interruptions and scale-in go through the
termination lifecycle hook, which the Node Termination Handler completes after draining.

GPU nodes pin CPUs (`cpuManagerPolicy: static`) and align CPUs with GPUs per pod
(`topologyManagerScope: pod`); the policy is one the node can honour: `single-numa-node` where a
node has one GPU, `restricted` where GPUs span sockets (8-GPU nodes), since `single-numa-node`
would reject every pod asking for GPUs on both sockets
(docs/kubernetes-gpu.md#topology-manager-on-multi-socket-gpu-nodes).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.pool_types import PoolFacts
from components.settings import EbsClasses, Kubernetes, Pool, PoolRole
from components.tagging import pool_tags

GPU_RESOURCE = "nvidia.com/gpu"
GPU_TAINT = {"key": GPU_RESOURCE, "value": "true", "effect": "NoSchedule"}
POOL_LABEL = "aeon.ai/pool"
NODE_GROUP_LABEL = "aeon.ai/node-group"  # what pods select: the expander picks the pool
ROLE_LABEL = "aeon.ai/pool-role"
GPU_LABEL = "aeon.ai/gpu"
# The NVIDIA device plugin chart (0.17.0 values.yaml) requires this label, or node feature
# discovery's pci-10de label, on a node before it schedules there; we run no NFD, so we set it.
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
# Cluster Autoscaler's AWS GPU label (cloudprovider/aws, chart 9.43.2): a node carrying it but not
# yet advertising nvidia.com/gpu counts as still starting, so the autoscaler waits for the device
# plugin instead of scaling up again.
ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator"
DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config"
AUTOSCALER_ENABLED = "k8s.io/cluster-autoscaler/enabled"
NODE_TEMPLATE = "k8s.io/cluster-autoscaler/node-template"
NTH_MANAGED = "aws-node-termination-handler/managed"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"


def eks_ami_parameter(version: str, architecture: str, gpu: bool) -> str:
    """The public SSM parameter holding the recommended EKS-optimized AL2023 AMI."""
    variant = "nvidia" if gpu else "standard"
    base = f"/aws/service/eks/optimized-ami/{version}/amazon-linux-2023"
    return f"{base}/{architecture}/{variant}/recommended/image_id"


def topology_policy(facts: PoolFacts) -> str:
    return "single-numa-node" if facts.max_gpus_per_node <= 1 else "restricted"


def node_labels(pool: Pool, facts: PoolFacts) -> dict[str, str]:
    labels = {
        POOL_LABEL: pool.name,
        NODE_GROUP_LABEL: pool.group,
        ROLE_LABEL: pool.role.value,
        **pool.labels,
    }
    if facts.has_gpu:
        labels[GPU_LABEL] = "true"
        labels[GPU_PRESENT_LABEL] = "true"
        labels[ACCELERATOR_LABEL] = facts.accelerator
        labels[DEVICE_PLUGIN_CONFIG_LABEL] = pool.name  # the device plugin's per-pool config
    return labels


def advertised_gpus(pool: Pool, facts: PoolFacts) -> int:
    """`nvidia.com/gpu` a node advertises: time-slicing multiplies each GPU by its replicas."""
    replicas = pool.gpu_sharing.time_slicing_replicas if pool.gpu_sharing else 1
    return facts.gpus_per_node * replicas


def kubelet_config(pool: Pool, facts: PoolFacts, kube: Kubernetes) -> dict[str, Any]:
    if not facts.has_gpu:
        return {}
    return {
        "cpuManagerPolicy": "static",
        "reservedSystemCPUs": kube.kubelet.reserved_system_cpus,
        "topologyManagerPolicy": topology_policy(facts),
        "topologyManagerScope": "pod",
    }


def node_config(
    cluster: tuple[str, str, str], pool: Pool, facts: PoolFacts, kube: Kubernetes
) -> dict[str, Any]:
    """nodeadm's NodeConfig (AL2023): how the node joins, its kubelet config, labels, taints."""
    name, endpoint, ca = cluster
    labels = ",".join(f"{k}={v}" for k, v in sorted(node_labels(pool, facts).items()))
    flags = [f"--node-labels={labels}"]
    if facts.has_gpu:
        flags.append(
            f"--register-with-taints={GPU_TAINT['key']}={GPU_TAINT['value']}:{GPU_TAINT['effect']}"
        )
    kubelet: dict[str, Any] = {"flags": flags}
    config = kubelet_config(pool, facts, kube)
    if config:
        kubelet["config"] = config
    return {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {
            "cluster": {
                "name": name,
                "apiServerEndpoint": endpoint,
                "certificateAuthority": ca,
                "cidr": kube.service_cidr,
            },
            "kubelet": kubelet,
        },
    }


def user_data(document: dict[str, Any]) -> str:
    boundary = "AEON-NODECONFIG"
    body = (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: application/node.eks.aws\n\n"
        f"{json.dumps(document, indent=1)}\n"
        f"--{boundary}--\n"
    )
    return base64.b64encode(body.encode()).decode()


def autoscaler_tags(cluster_name: str, pool: Pool, facts: PoolFacts) -> dict[str, str]:
    """Auto-discovery plus node-template tags, so the autoscaler can scale a group from zero."""
    tags = {AUTOSCALER_ENABLED: "true", f"k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
    for key, value in node_labels(pool, facts).items():
        tags[f"{NODE_TEMPLATE}/label/{key}"] = value
    if facts.has_gpu:
        tags[f"{NODE_TEMPLATE}/taint/{GPU_TAINT['key']}"] = (
            f"{GPU_TAINT['value']}:{GPU_TAINT['effect']}"
        )
        tags[f"{NODE_TEMPLATE}/resources/{GPU_RESOURCE}"] = str(advertised_gpus(pool, facts))
    return tags


def mixed_instances_policy(pool: Pool, facts: PoolFacts, launch_template: Any) -> dict[str, Any]:
    capacity = pool.capacity
    return {
        "instances_distribution": {
            # The committed (reserved / savings-plan) instances are the on-demand base.
            "on_demand_base_capacity": capacity.committed,
            "on_demand_percentage_above_base_capacity": capacity.on_demand_percentage_above_base,
            "spot_allocation_strategy": capacity.spot_allocation_strategy,
        },
        "launch_template": {
            "launch_template_specification": {
                "launch_template_id": launch_template.id,
                "version": launch_template.latest_version.apply(str),
            },
            "overrides": [
                {"instance_type": t, "weighted_capacity": str(facts.weights[t])}
                for t in pool.instance_types
            ],
        },
    }


def group_tags(tags: dict[str, str], propagate: bool) -> list[dict[str, Any]]:
    return [{"key": k, "value": v, "propagate_at_launch": propagate} for k, v in tags.items()]


def pool_launch_template(
    name: str,
    pool: Pool,
    ebs: EbsClasses,
    *,
    image_id: Any,
    user_data: Any,
    instance_profile_arn: Any,
    security_group_id: Any,
    imds_hop_limit: int,
    opts: pulumi.ResourceOptions,
    efa_interfaces: int = 0,
) -> aws.ec2.LaunchTemplate:
    """The launch template every pool's group uses: IMDSv2 only, encrypted root, pool tags;
    with `efa_interfaces`, one EFA per network card (security groups then go on each)."""
    tags = pool_tags(pool.name, pool.role.value)
    network: dict[str, Any] = {"vpc_security_group_ids": [security_group_id]}
    if efa_interfaces:
        network = {"network_interfaces": efa_network_interfaces(efa_interfaces, security_group_id)}
    return aws.ec2.LaunchTemplate(
        name,
        image_id=image_id,
        user_data=user_data,
        iam_instance_profile={"arn": instance_profile_arn},
        **network,
        metadata_options={
            "http_tokens": "required",  # IMDSv2 only
            "http_endpoint": "enabled",
            "http_put_response_hop_limit": imds_hop_limit,
        },
        block_device_mappings=[root_volume(pool.root_volume_gb, ebs)],
        update_default_version=True,
        tag_specifications=[
            {"resource_type": "instance", "tags": tags},
            {"resource_type": "volume", "tags": tags},
        ],
        tags={**tags, "Name": name},
        opts=opts,
    )


def efa_network_interfaces(count: int, security_group_id: Any) -> list[dict[str, Any]]:
    """EC2's layout for EFA on multi-card types (p5: 32 cards): card 0 carries the primary
    interface (device 0); every other card one EFA at device index 1."""
    return [
        {
            "network_card_index": card,
            "device_index": 0 if card == 0 else 1,
            "interface_type": "efa",
            "security_groups": [security_group_id],
            "delete_on_termination": True,
        }
        for card in range(count)
    ]


def uses_efa(pool: Pool, facts: PoolFacts) -> bool:
    """Training pools on EFA types get EFA and a cluster placement group (one AZ)."""
    return pool.role == PoolRole.TRAINING and facts.efa_interfaces > 0


def root_volume(size_gb: int, ebs: EbsClasses) -> dict[str, Any]:
    volume: dict[str, Any] = {
        "volume_size": size_gb,
        "volume_type": ebs.hot,
        "encrypted": True,
        "delete_on_termination": True,
    }
    if ebs.hot == "gp3":
        volume |= {"iops": ebs.root_iops, "throughput": ebs.root_throughput_mibps}
    return {"device_name": "/dev/xvda", "ebs": volume}


class NodePoolArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    pool: Pool
    facts: PoolFacts
    kubernetes: Kubernetes
    ebs: EbsClasses
    cluster_name: str
    cluster: Any  # EksCluster
    subnet_ids: list[Any]
    ami_id: Any  # Output[str]


class NodePool(pulumi.ComponentResource):
    """Shared by GPU and CPU pools; `group` is the Auto Scaling group."""

    TYPE = "aeon:index:NodePool"

    def __init__(self, name: str, args: NodePoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE, name, None, opts)
        pool, facts, cluster = args.pool, args.facts, args.cluster
        child = pulumi.ResourceOptions(parent=self)
        tags = pool_tags(pool.name, pool.role.value)

        document = pulumi.Output.all(
            cluster.name, cluster.endpoint, cluster.certificate_authority
        ).apply(lambda v: user_data(node_config((v[0], v[1], v[2]), pool, facts, args.kubernetes)))
        self.launch_template = pool_launch_template(
            name,
            pool,
            args.ebs,
            image_id=args.ami_id,
            user_data=document,
            instance_profile_arn=cluster.node_instance_profile.arn,
            security_group_id=cluster.node_security_group_id,
            imds_hop_limit=2,  # pods on the host network reach IMDS
            opts=child,
            efa_interfaces=facts.efa_interfaces if uses_efa(pool, facts) else 0,
        )
        placement: dict[str, Any] = {"vpc_zone_identifiers": args.subnet_ids}
        if uses_efa(pool, facts):
            # All nodes of a job on one spine: a cluster placement group lives in one AZ.
            group = aws.ec2.PlacementGroup(f"{name}-cluster", strategy="cluster", opts=child)
            placement = {"vpc_zone_identifiers": args.subnet_ids[:1], "placement_group": group.id}
        self.group = aws.autoscaling.Group(
            name,
            min_size=pool.min_size,
            max_size=pool.max_size,
            desired_capacity=pool.desired_size,
            **placement,
            mixed_instances_policy=mixed_instances_policy(pool, facts, self.launch_template),
            capacity_rebalance=pool.capacity.capacity_rebalance and pool.capacity.uses_spot,
            initial_lifecycle_hooks=[
                {
                    "name": "drain",
                    "lifecycle_transition": TERMINATING,
                    "heartbeat_timeout": args.kubernetes.node_drain_timeout_s,
                    "default_result": "CONTINUE",
                }
            ],
            # The termination handler reads its managed tag on the instance: it must propagate.
            tags=group_tags({**tags, "Name": name, NTH_MANAGED: "true"}, True)
            + group_tags(autoscaler_tags(args.cluster_name, pool, facts), False),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desired_capacity"]),
        )
        self.schedules = off_hours_schedules(name, pool, self.group, self)
        self.register_outputs({"group_name": self.group.name})


def off_hours_schedules(name: str, pool: Pool, group: aws.autoscaling.Group, parent) -> list:
    """Weekday scale-down and scale-up actions (the autoscaler keeps within min/max)."""
    hours = pool.off_hours
    if hours is None:
        return []
    child = pulumi.ResourceOptions(parent=parent)
    down = aws.autoscaling.Schedule(
        f"{name}-off-hours",
        scheduled_action_name=f"{pool.name}-off-hours",
        autoscaling_group_name=group.name,
        recurrence=hours.scale_down_cron,
        time_zone=hours.time_zone,
        min_size=hours.min_size,
        max_size=hours.max_size,
        desired_capacity=-1 if hours.desired_size is None else hours.desired_size,
        opts=child,
    )
    up = aws.autoscaling.Schedule(
        f"{name}-working-hours",
        scheduled_action_name=f"{pool.name}-working-hours",
        autoscaling_group_name=group.name,
        recurrence=hours.scale_up_cron,
        time_zone=hours.time_zone,
        min_size=pool.min_size,
        max_size=pool.max_size,
        desired_capacity=-1,  # -1: leave desired to the autoscaler
        opts=child,
    )
    return [down, up]


class GpuNodePool(NodePool):
    """Training and inference pools: NVIDIA AMI, GPU taint, pinned CPUs, NUMA-aligned GPUs."""

    TYPE = "aeon:index:GpuNodePool"


class CpuNodePool(NodePool):
    """System and memory-optimized pools: the standard EKS AMI, no taint."""

    TYPE = "aeon:index:CpuNodePool"
