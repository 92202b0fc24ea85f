"""GPU sharing on a cluster: namespaces with GPU quotas, priority tiers, the NVIDIA device plugin
with a config per pool, and the DCGM exporter.

The device plugin picks a node's config by its `nvidia.com/device-plugin.config` label (each GPU
pool labels its nodes with the pool's name). Pools with `gpu_sharing` get time-slicing with
`failRequestsGreaterThanOne: true`, so a pod asking for more than one GPU is rejected rather than
handed one shared GPU; pools that run multi-GPU (tensor-parallel) pods are never shared.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.charts import release
from components.node_pool import GPU_PRESENT_LABEL, GPU_RESOURCE, GPU_TAINT
from components.settings import Kubernetes, Namespace, Pool, RegionRole

QUOTA_KEY = f"requests.{GPU_RESOURCE}"
SYSTEM_NAMESPACE = "kube-system"
DEVICE_PLUGIN_CONFIGS = "nvidia-device-plugin-configs"
WHOLE_GPUS = "whole-gpus"


def device_plugin_config(pool: Pool | None) -> dict[str, Any]:
    """One device-plugin config file (version v1); time-sliced only where the pool shares GPUs."""
    config: dict[str, Any] = {"version": "v1", "flags": {"migStrategy": "none"}}
    if pool is not None and pool.gpu_sharing is not None:
        config["sharing"] = {
            "timeSlicing": {
                "failRequestsGreaterThanOne": True,
                "resources": [
                    {"name": GPU_RESOURCE, "replicas": pool.gpu_sharing.time_slicing_replicas}
                ],
            }
        }
    return config


def device_plugin_configs(pools: list[Pool]) -> dict[str, str]:
    """ConfigMap data: one file per GPU pool plus the unshared default (JSON is valid YAML)."""
    data = {WHOLE_GPUS: json.dumps(device_plugin_config(None), indent=1)}
    for pool in pools:
        data[pool.name] = json.dumps(device_plugin_config(pool), indent=1)
    return data


GPU_TOLERATION = {"key": GPU_TAINT["key"], "operator": "Exists", "effect": GPU_TAINT["effect"]}
# Chart values checked against nvidia-device-plugin 0.17.0 and dcgm-exporter 3.6.1 (values.yaml
# and the DaemonSet templates). The device plugin's default `affinity` requires node feature
# discovery's pci-10de label or nvidia.com/gpu.present=true; this affinity replaces it (Helm
# replaces lists) with the label every GPU node pool sets. DCGM's defaults place it nowhere in
# particular and tolerate no taint.
DEVICE_PLUGIN_PLACEMENT = {
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": GPU_PRESENT_LABEL, "operator": "In", "values": ["true"]}
                        ]
                    }
                ]
            }
        }
    },
    "tolerations": [GPU_TOLERATION],
}
DCGM_PLACEMENT = {"nodeSelector": {GPU_PRESENT_LABEL: "true"}, "tolerations": [GPU_TOLERATION]}
# The fields the exporter emits (the chart's `customMetrics`: the whole list, not added to its
# default). Its default list (dcp-metrics-included.csv in 3.6.1) leaves DCGM_FI_PROF_SM_ACTIVE and
# _SM_OCCUPANCY commented out; right-sizing reads SM activity as busy-ness and as a saturation
# signal (docs/gpu-measurements.md#the-nvml-counter-vs-gpm), the dashboards chart it.
DCGM_FIELDS = (
    ("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization, the NVML counter (in %)."),
    ("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."),
    ("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB)."),
    ("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W)."),
    ("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C)."),
    ("DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz)."),
    ("DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered."),
    ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Ratio of time the graphics engine is active."),
    ("DCGM_FI_PROF_SM_ACTIVE", "gauge", "Ratio of cycles an SM has at least 1 warp assigned."),
    ("DCGM_FI_PROF_SM_OCCUPANCY", "gauge", "Ratio of warps resident on an SM."),
    ("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "gauge", "Ratio of cycles the tensor pipe is active."),
    ("DCGM_FI_PROF_DRAM_ACTIVE", "gauge", "Ratio of cycles the memory interface is active."),
)
DCGM_METRICS_CSV = "".join(f"{name}, {kind}, {text}\n" for name, kind, text in DCGM_FIELDS)


class GpuSharingArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    kubernetes: Kubernetes
    region_role: RegionRole
    gpu_pools: list[Pool]
    # The release that installs the monitoring CRDs: DCGM's ServiceMonitor waits for it.
    crd_provider: Any = None


class GpuSharing(pulumi.ComponentResource):
    def __init__(self, name: str, args: GpuSharingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:GpuSharing", name, None, opts)
        kube = args.kubernetes
        child = pulumi.ResourceOptions(parent=self)

        self.priority_classes = {
            pc.name: k8s.scheduling.v1.PriorityClass(
                f"{name}-{pc.name}",
                metadata={"name": pc.name},
                value=pc.value,
                description=pc.description,
                global_default=False,
                preemption_policy="PreemptLowerPriority" if pc.preempts else "Never",
                opts=child,
            )
            for pc in kube.priority_classes
        }
        self.namespaces: dict[str, k8s.core.v1.Namespace] = {}
        for ns in kube.namespaces:
            if args.region_role in ns.region_roles:
                self.namespaces[ns.name] = self._namespace(name, ns)

        self.device_plugin = None
        if args.gpu_pools:
            configs = k8s.core.v1.ConfigMap(
                f"{name}-device-plugin",
                metadata={"name": DEVICE_PLUGIN_CONFIGS, "namespace": SYSTEM_NAMESPACE},
                data=device_plugin_configs(args.gpu_pools),
                opts=child,
            )
            self.device_plugin = release(
                f"{name}-device-plugin",
                "nvidia-device-plugin",
                kube,
                SYSTEM_NAMESPACE,
                {
                    # Per-node config by label; nodes without the label get whole GPUs.
                    "config": {"name": DEVICE_PLUGIN_CONFIGS, "default": WHOLE_GPUS},
                    "priorityClassName": "system-node-critical",
                    **DEVICE_PLUGIN_PLACEMENT,
                },
                pulumi.ResourceOptions(parent=self, depends_on=[configs]),
            )
            self.dcgm_exporter = release(
                f"{name}-dcgm-exporter",
                "dcgm-exporter",
                kube,
                SYSTEM_NAMESPACE,
                {
                    "serviceMonitor": {"enabled": True, "interval": "15s"},
                    "priorityClassName": "system-node-critical",
                    "customMetrics": DCGM_METRICS_CSV,
                    **DCGM_PLACEMENT,
                },
                pulumi.ResourceOptions(
                    parent=self, depends_on=[args.crd_provider] if args.crd_provider else []
                ),
            )
        self.register_outputs({"namespaces": list(self.namespaces)})

    def _namespace(self, name: str, ns: Namespace) -> k8s.core.v1.Namespace:
        namespace = k8s.core.v1.Namespace(
            f"{name}-{ns.name}",
            metadata={
                "name": ns.name,
                "labels": {"team": ns.team, "aeon.ai/priority-class": ns.priority_class},
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        k8s.core.v1.ResourceQuota(
            f"{name}-{ns.name}-gpus",
            metadata={"name": "gpus", "namespace": ns.name},
            # Extended resources take quota only as requests.<resource> (Kubernetes docs).
            spec={"hard": {QUOTA_KEY: str(ns.gpu_quota)}},
            opts=pulumi.ResourceOptions(parent=namespace, depends_on=[namespace]),
        )
        return namespace
