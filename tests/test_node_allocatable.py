"""What a node of the EKS AL2023 AMI leaves to pods, against figures AWS and nodeadm publish."""

from __future__ import annotations

import pytest

from components.facts.allocatable import (
    EVICTION_HARD_MIB,
    NODE_DAEMONS_CPU_M,
    NODE_DAEMONS_MEMORY_MIB,
    allocatable,
    kube_reserved_cpu_m,
    kube_reserved_memory_mib,
    max_pods,
)
from components.facts.catalog import from_moto_package

CATALOG = from_moto_package(("us-east-1",))


# The VPC CNI's limits as amazon-eks-ami's eni-max-pods table lists them; p5.48xlarge counts the
# ENIs of its default network card only (2 of 64 across 32 cards).
@pytest.mark.parametrize(
    ("instance_type", "pods"),
    [("t3.micro", 4), ("m5.large", 29), ("g5.xlarge", 58), ("g5.12xlarge", 737),
     ("p5.48xlarge", 100)],
)  # fmt: skip
def test_max_pods_is_the_eni_limit(instance_type, pods):
    assert max_pods(CATALOG.get(instance_type)) == pods


@pytest.mark.parametrize(
    ("vcpus", "millicores"),
    # 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% of the rest
    [(1, 60), (2, 70), (4, 80), (5, 82), (8, 90), (48, 190), (192, 550)],
)
def test_kube_reserved_cpu_follows_nodeadm_bands(vcpus, millicores):
    assert kube_reserved_cpu_m(vcpus) == millicores


def test_an_m5_large_worked_by_hand():
    # 2000m - 70m reserved; 8192 MiB - (11 x 29 pods + 255) reserved - 100 MiB eviction threshold
    spec = CATALOG.get("m5.large")
    node = allocatable(spec)
    assert node.cpu_m + NODE_DAEMONS_CPU_M == 1930
    assert node.memory_mib + NODE_DAEMONS_MEMORY_MIB == 8192 - 574 - EVICTION_HARD_MIB == 7518
    assert kube_reserved_memory_mib(29) == 574


def test_a_type_without_network_figures_falls_back_to_the_kubelet_default():
    spec = CATALOG.get("m5.large")
    bare = type(spec)(**{**spec.__dict__, "network_interfaces": 0, "ipv4_per_interface": 0})
    assert max_pods(bare) == 110
