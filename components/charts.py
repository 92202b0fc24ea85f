"""The Helm charts the clusters run: where each comes from. Versions are stack config
(`kubernetes.chart_versions`); releases are `helm.v3.Release` (a plain resource: previews offline,
unlike Chart v3/v4, which render client-side or as remote components)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.settings import Kubernetes

REPOSITORIES = {
    "cluster-autoscaler": "https://kubernetes.github.io/autoscaler",
    "aws-node-termination-handler": "https://aws.github.io/eks-charts",
    "nvidia-device-plugin": "https://nvidia.github.io/k8s-device-plugin",
    "dcgm-exporter": "https://nvidia.github.io/dcgm-exporter/helm-charts",
    "kube-prometheus-stack": "https://prometheus-community.github.io/helm-charts",
}


def release(
    name: str,
    chart: str,
    kube: Kubernetes,
    namespace: str,
    values: dict[str, Any],
    opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    return k8s.helm.v3.Release(
        name,
        name=chart,
        chart=chart,
        version=kube.chart_versions[chart],
        namespace=namespace,
        create_namespace=True,
        repository_opts={"repo": REPOSITORIES[chart]},
        values=values,
        opts=opts,
    )
