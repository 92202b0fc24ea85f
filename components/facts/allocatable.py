"""What a node of the EKS-optimized AL2023 AMI leaves to pods, by instance type (Pulumi-free).

On boot, nodeadm (awslabs/amazon-eks-ami, nodeadm/internal/kubelet) writes the kubelet's config:
- maxPods: the VPC CNI's limit, the default network card's ENIs x (IPv4 addresses per ENI - 1)
  + 2 (its eni-max-pods table holds the same formula's values);
- kubeReserved: CPU 6% of the first core, 1% of the second, 0.5% of the third and fourth and
  0.25% of every further one; memory 11 MiB per pod of maxPods + 255 MiB;
- evictionHard: memory.available 100Mi.
The scheduler offers pods capacity - kubeReserved - the eviction threshold (Kubernetes' node
allocatable), and the DaemonSets EKS runs on every node take their requests from it first:
aws-node (the VPC CNI and its network policy agent, 25m CPU each), kube-proxy (100m CPU) and the
EBS CSI driver's node pod the stack installs as an add-on (three containers, each 10m CPU and
40 MiB). docs/kubernetes-gpu.md#what-a-node-leaves-to-pods gives the sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.facts.catalog import InstanceSpec

EVICTION_HARD_MIB = 100
KUBELET_DEFAULT_MAX_PODS = 110  # what nodeadm falls back to when it cannot read the ENI limits
# Requests of the pods EKS runs on every node: aws-node (2 x 25m), kube-proxy (100m) and the
# EBS CSI add-on's ebs-csi-node (3 x 10m CPU, 3 x 40 MiB).
NODE_DAEMONS_CPU_M = 2 * 25 + 100 + 3 * 10
NODE_DAEMONS_MEMORY_MIB = 3 * 40
# kubeReserved CPU, as nodeadm counts it: basis points of each band of millicores.
_CPU_BANDS_M = (0, 1000, 2000, 4000)
_CPU_BASIS_POINTS = (600, 100, 50, 25)


@dataclass(frozen=True)
class Allocatable:
    """What one node offers pods after the kubelet's reservations and EKS's own DaemonSets."""

    cpu_m: int
    memory_mib: int
    gpus: int
    pods: int

    def describe(self) -> str:
        return f"{self.cpu_m / 1000:g} vCPU, {self.memory_mib / 1024:.1f} GiB"


def max_pods(spec: InstanceSpec) -> int:
    if spec.network_interfaces <= 0 or spec.ipv4_per_interface <= 0:
        return KUBELET_DEFAULT_MAX_PODS
    return spec.network_interfaces * (spec.ipv4_per_interface - 1) + 2


def kube_reserved_cpu_m(vcpus: int) -> int:
    total = vcpus * 1000
    bands = zip(_CPU_BANDS_M, (*_CPU_BANDS_M[1:], total), _CPU_BASIS_POINTS, strict=True)
    return sum((min(end, total) - start) * bp // 10000 for start, end, bp in bands if total > start)


def kube_reserved_memory_mib(pods: int) -> int:
    return 11 * pods + 255


def allocatable(spec: InstanceSpec) -> Allocatable:
    pods = max_pods(spec)
    cpu = spec.vcpus * 1000 - kube_reserved_cpu_m(spec.vcpus) - NODE_DAEMONS_CPU_M
    memory = (
        spec.memory_mib
        - kube_reserved_memory_mib(pods)
        - EVICTION_HARD_MIB
        - NODE_DAEMONS_MEMORY_MIB
    )
    return Allocatable(cpu_m=cpu, memory_mib=memory, gpus=spec.gpu_count, pods=pods)
