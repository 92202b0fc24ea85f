"""Node shapes: which instance types the Cluster Autoscaler can treat as one (Pulumi-free).

The autoscaler on AWS counts an Auto Scaling group's desired capacity in nodes and simulates
scheduling with one instance type's resources (kubernetes/autoscaler#4851; its AWS FAQ on mixed
instances groups), so the types of a group it scales must be interchangeable: the same vCPUs,
memory within 10%, the same GPU count and GPU memory. The optimizers' `apply` uses the same rule to
turn per-instance recommendations into a pool's change of shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from components.facts.catalog import InstanceSpec

MEMORY_TOLERANCE = 0.10


@dataclass(frozen=True)
class Shape:
    vcpus: int
    memory_mib: int
    gpus: int
    gpu_memory_mib: int

    def describe(self) -> str:
        text = f"{self.vcpus} vCPU, {self.memory_mib / 1024:g} GiB"
        if self.gpus:
            text += f", {self.gpus}x{self.gpu_memory_mib / 1024:.3g} GiB GPU"
        return text


def shape_of(spec: InstanceSpec) -> Shape:
    return Shape(spec.vcpus, spec.memory_mib, spec.gpu_count, spec.gpu_memory_mib_each)


def interchangeable(specs: Iterable[InstanceSpec]) -> bool:
    shapes = [shape_of(s) for s in specs]
    if not shapes:
        return True
    exact = {(s.vcpus, s.gpus, s.gpu_memory_mib) for s in shapes}
    memory = [s.memory_mib for s in shapes]
    return len(exact) == 1 and max(memory) <= min(memory) * (1 + MEMORY_TOLERANCE)
