"""GPU guardrails on Kubernetes: quotas, time-slicing safety, pod limits and priorities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from .core import Res, get, guardrail, is_list, is_map, items, known, number, show, truthy

GPU = "nvidia.com/gpu"
QUOTA_KEY = "requests.nvidia.com/gpu"
# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def _pod_spec(res: Res) -> Any:
    path = POD_SPEC_PATHS.get(res.type)
    return get(res.props, *path) if path else None


def _gpu_containers(spec: Any) -> list[Any]:
    containers = items(get(spec, "containers")) + items(get(spec, "initContainers"))
    return [
        c
        for c in containers
        if get(c, "resources", "limits", GPU) is not None
        or get(c, "resources", "requests", GPU) is not None
    ]


def _namespace(res: Res) -> str:
    return str(get(res.props, "metadata", "namespace", default="default"))


@guardrail(
    "k8s-gpu-pod-limits-priority",
    "A pod that asks for GPUs sets limits on nvidia.com/gpu (extended resources are scheduled by "
    "limits) and a priorityClassName, so preemption follows the priority tiers. Remediation: set "
    "resources.limits['nvidia.com/gpu'] and spec.priorityClassName.",
    severity="medium",
)
def gpu_pod_limits(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    spec = _pod_spec(res)
    if spec is None:
        return
    gpu = _gpu_containers(spec)
    for c in gpu:
        if get(c, "resources", "limits", GPU) is None:
            yield f"container '{get(c, 'name')}' requests {GPU} without a limit"
    if gpu and not get(spec, "priorityClassName"):
        yield "GPU pod has no priorityClassName"


@guardrail(
    "k8s-gpu-namespace-quota",
    "Every namespace that can schedule GPUs (a workload there asks for nvidia.com/gpu, or it is "
    "listed in gpu_namespaces) has a ResourceQuota on requests.nvidia.com/gpu. Remediation: set "
    "gpu_quota on the namespace in the stack config.",
    severity="medium",
    kind="stack",
    config={"gpu_namespaces": {"type": "array", "items": {"type": "string"}, "default": []}},
    relaxes={"gpu_namespaces": "narrower"},
)
def gpu_namespace_quota(resources: list[Res], cfg: Mapping[str, Any]):
    needing: dict[str, str | None] = {ns: None for ns in cfg["gpu_namespaces"]}
    for res in resources:
        spec = known(lambda r=res: _pod_spec(r))
        if spec is not None and known(lambda s=spec: _gpu_containers(s), []):
            needing.setdefault(_namespace(res), res.urn)
    quotas: set[str] = set()
    namespaces: dict[str, str] = {}
    for res in resources:
        if res.type == "kubernetes:core/v1:ResourceQuota":
            hard = get(res.props, "spec", "hard", default={})
            if is_map(hard) and QUOTA_KEY in hard:
                quotas.add(_namespace(res))
        elif res.type == "kubernetes:core/v1:Namespace":
            name = get(res.props, "metadata", "name", default=res.name)
            namespaces[str(name)] = res.urn
    for ns, workload in sorted(needing.items()):
        if ns not in quotas:
            urn = namespaces.get(ns) or workload
            yield urn, f"namespace '{ns}' can schedule GPUs but has no ResourceQuota on {QUOTA_KEY}"


def _sharing_configs(value: Any, depth: int = 0) -> Iterable[Mapping[str, Any]]:
    """Every `sharing.timeSlicing` block in a value, including YAML held in strings."""
    if depth > 12:
        return
    if isinstance(value, str):
        if "timeSlicing" in value:
            try:
                parsed = yaml.safe_load(value)
            except yaml.YAMLError:
                return
            yield from _sharing_configs(parsed, depth + 1)
        return
    if is_map(value):
        slicing = get(value, "sharing", "timeSlicing")
        if is_map(slicing):
            yield slicing
        for key in value:
            yield from _sharing_configs(known(lambda k=key: value[k]), depth + 1)
    elif is_list(value):
        for i in range(len(value)):
            yield from _sharing_configs(known(lambda i=i: value[i]), depth + 1)


@guardrail(
    "k8s-time-slicing-fail-multi-gpu",
    "An NVIDIA device-plugin time-slicing config with replicas above 1 sets "
    "failRequestsGreaterThanOne: true, so a multi-GPU pod is rejected instead of silently sharing "
    "one GPU. Remediation: set sharing.timeSlicing.failRequestsGreaterThanOne: true.",
    severity="high",
)
def time_slicing(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in ("kubernetes:core/v1:ConfigMap", "kubernetes:helm.sh/v3:Release"):
        return
    source = res.props.get("data") if res.type.endswith("ConfigMap") else res.props.get("values")
    for slicing in _sharing_configs(source):
        replicas = [number(get(r, "replicas")) or 0 for r in items(get(slicing, "resources"))]
        if max(replicas, default=0) > 1 and not truthy(get(slicing, "failRequestsGreaterThanOne")):
            found = get(slicing, "failRequestsGreaterThanOne")
            yield (
                f"time-slicing with {max(replicas):g} replicas sets failRequestsGreaterThanOne to "
                f"{show(found)}; required: true"
            )
