"""Pod-spec pieces every workload of ours shares (pure: dicts in Kubernetes' camelCase).

The restricted Pod Security Standard (non-root, no privilege escalation, all capabilities dropped,
RuntimeDefault seccomp) plus a read-only root filesystem, whatever the image's own defaults; and
Guaranteed QoS (integer CPU requests equal to limits, memory requests equal to limits), which the
kubelet's static CPU manager needs before it pins a container's CPUs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

RUNTIME_DEFAULT = {"type": "RuntimeDefault"}


def pod_security(user: int) -> dict[str, Any]:
    """Pod-level securityContext: the image's non-root user; volumes writable by its group."""
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "runAsGroup": user,
        "fsGroup": user,
        "seccompProfile": RUNTIME_DEFAULT,
    }


def container_security() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": RUNTIME_DEFAULT,
    }


def guaranteed(cpu: float, memory_gib: float, **extended: str) -> dict[str, Any]:
    """Requests equal to limits; CPUs must be whole for the static CPU manager to pin them."""
    if float(cpu) != int(cpu):
        raise ValueError(f"{cpu} CPUs: Guaranteed pods need whole CPUs to be pinned")
    amounts = {"cpu": str(int(cpu)), "memory": f"{memory_gib:g}Gi", **extended}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def http_probe(path: str, port: str, *, period_s: int = 10, failures: int = 3) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": port},
        "periodSeconds": period_s,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def disruption_budget(
    resource_name: str,
    name: str,
    namespace: str,
    labels: dict[str, str],
    max_unavailable: int,
    opts: pulumi.ResourceOptions,
) -> k8s.policy.v1.PodDisruptionBudget:
    """Voluntary evictions (node drains by the termination handler or the autoscaler) take at
    most `max_unavailable` pods at a time."""
    return k8s.policy.v1.PodDisruptionBudget(
        resource_name,
        metadata={"name": name, "namespace": namespace, "labels": labels},
        spec={"maxUnavailable": max_unavailable, "selector": {"matchLabels": labels}},
        opts=opts,
    )


def network_policy(
    resource_name: str,
    name: str,
    namespace: str,
    labels: dict[str, str],
    ingress: list[dict[str, Any]],
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """Only the listed ingress reaches the selected pods (egress is left open: S3, peers)."""
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata={"name": name, "namespace": namespace, "labels": labels},
        spec={
            "podSelector": {"matchLabels": labels},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
        opts=opts,
    )


def from_pods(labels: dict[str, str], ports: list[int], namespace: str | None = None):
    """An ingress rule: these ports from pods with these labels (in `namespace`, or the same)."""
    peer: dict[str, Any] = {"podSelector": {"matchLabels": labels}}
    if namespace is not None:
        peer["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": namespace}}
    return {"from": [peer], "ports": [{"port": p, "protocol": "TCP"} for p in ports]}


def from_cidr(cidr: str, ports: list[int]) -> dict[str, Any]:
    return {
        "from": [{"ipBlock": {"cidr": cidr}}],
        "ports": [{"port": p, "protocol": "TCP"} for p in ports],
    }
