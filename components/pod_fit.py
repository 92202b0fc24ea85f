"""Every pod the stack pins to a node group fits on a node of each of that group's pools:
checked before anything is registered.

The Cluster Autoscaler scales a node group up only for a pending pod that fits its node template,
and a pod that fits no node stays Pending for good: what `pulumi up` would report as a Deployment
that never becomes ready. A pod's request is the larger of its containers' sum and its largest
init container, per resource (Kubernetes' effective request); a node offers what the kubelet and
EKS's own DaemonSets leave (`components.facts.allocatable`).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.facts.allocatable import Allocatable, allocatable
from components.facts.catalog import from_moto_package
from components.serving import COPIER_CPU, COPIER_MEMORY_GIB
from components.settings import PROJECT, RegionRole, StackSettings

WHY = "docs/kubernetes-gpu.md#what-a-node-leaves-to-pods"


@dataclass(frozen=True)
class PinnedPod:
    """One replica of a workload that a nodeSelector puts on one node group."""

    key: str  # the settings block that sizes it
    group: str
    cpu: float  # vCPUs
    memory_gib: float
    gpus: int

    def fits(self, node: Allocatable) -> bool:
        return (
            self.cpu * 1000 <= node.cpu_m
            and self.memory_gib * 1024 <= node.memory_mib
            and self.gpus <= node.gpus
            and node.pods >= 1
        )


def _model_server(key: str, group: str, cpu: float, memory_gib: float, gpus: int) -> PinnedPod:
    # Triton's pod: the server and the init container that copies the model first.
    return PinnedPod(key, group, max(cpu, COPIER_CPU), max(memory_gib, COPIER_MEMORY_GIB), gpus)


def pinned_pods(settings: StackSettings) -> list[PinnedPod]:
    serving = settings.serving
    if serving is None or settings.kubernetes is None:
        return []
    llm, embedder, store = serving.inference, serving.embedder, serving.vector_store
    pods = [
        _model_server("serving.inference", llm.pool, llm.cpu_per_replica,
                      llm.memory_gib_per_replica, llm.tensor_parallelism),
        _model_server("serving.embedder", settings.embedder_group(), embedder.cpu_per_replica,
                      embedder.memory_gib_per_replica, 1),
    ]  # fmt: skip
    edge = serving.edge_inference
    if edge is not None:
        for region in settings.regions:
            group = settings.edge_inference_group(region.name)
            if region.role == RegionRole.EDGE and group is not None:
                pods.append(
                    _model_server("serving.edge_inference", group, edge.cpu_per_replica,
                                  edge.memory_gib_per_replica, 1)
                )  # fmt: skip
    if store.pool:
        memory = store.memory_gib_per_replica + store.l1_cache.size_gb
        pods.append(PinnedPod("serving.vector_store", store.pool, store.cpu_per_replica, memory, 0))
    return pods


def pod_fit_problems(settings: StackSettings) -> list[str]:
    """One line per pod and pool where a replica cannot be scheduled on the pool's nodes."""
    catalog = from_moto_package(tuple(sorted({r.name for r in settings.regions})))
    problems = []
    for pod in pinned_pods(settings):
        for pool in settings.node_group(pod.group):
            specs = [s for t in pool.instance_types if (s := catalog.get(t)) is not None]
            short = [(s.instance_type, node) for s in specs if not pod.fits(node := allocatable(s))]
            if short:
                itype, node = short[0]
                problems.append(
                    f"{PROJECT}:{pod.key}: a replica requests {pod.cpu:g} vCPU, "
                    f"{pod.memory_gib:g} GiB and {pod.gpus} GPU(s), but a {itype} node of pool "
                    f"{pool.name!r} (node group {pod.group!r}) leaves pods {node.describe()} and "
                    f"{node.gpus} GPU(s) ({WHY}): the replica would stay Pending there. Lower the "
                    "request or give the node group larger types"
                )
    return problems
