"""What one GPU model can do, so a utilization measured on one model carries over to another.

Busy-ness on a target model = busy-ness on the source x (source capability / target capability),
for the resource that bounds the work: dense tensor throughput for compute-bound work, memory
bandwidth for memory-bound work (GPM tensor vs DRAM activity tells which), and the more
conservative of the two when unknown. A model missing from the capability table
(`components.facts.gpus`) gets no cross-model proposal.
"""

from __future__ import annotations

from enum import StrEnum

from components.facts.gpus import CAPABILITIES, GpuCapability, capability_key

__all__ = ["CAPABILITIES", "Bound", "GpuCapability", "busy_scale", "capability_key"]


class Bound(StrEnum):
    COMPUTE = "compute"
    MEMORY = "memory"
    UNKNOWN = "unknown"


def busy_scale(source: str | None, target: str | None, bound: Bound) -> tuple[float | None, str]:
    """Factor that turns busy-ness on one `source` GPU into busy-ness on one `target` GPU.

    Returns (None, why) when no safe factor exists (a model missing from the table, or an upper
    bound figure used as a target).
    """
    if source is not None and source == target:
        return 1.0, "same GPU model"
    src = CAPABILITIES.get(source or "")
    dst = CAPABILITIES.get(target or "")
    if src is None or dst is None:
        missing = source if src is None else target
        return None, f"GPU model {missing or 'unknown'} is not in the capability table"
    if dst.bound != "exact":
        return None, f"{dst.model} figures are only an upper bound: not a safe move target"
    compute = src.tensor_tflops / dst.tensor_tflops
    memory = src.memory_tb_s / dst.memory_tb_s
    if bound is Bound.COMPUTE:
        return compute, f"compute-bound: tensor {src.tensor_tflops:g}/{dst.tensor_tflops:g} TFLOPS"
    if bound is Bound.MEMORY:
        return memory, f"memory-bound: bandwidth {src.memory_tb_s:g}/{dst.memory_tb_s:g} TB/s"
    factor = max(compute, memory)
    return factor, (
        f"bound unknown: the more conservative of tensor ({compute:.2f}x) and bandwidth "
        f"({memory:.2f}x)"
    )
