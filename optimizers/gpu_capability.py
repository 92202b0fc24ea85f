"""What one GPU model can do, so a utilization measured on one model carries over to another.

Busy-ness on a target model = busy-ness on the source x (source capability / target capability),
for the resource that bounds the work: dense tensor throughput for compute-bound work, memory
bandwidth for memory-bound work (GPM tensor vs DRAM activity tells which), and the more
conservative of the two when unknown. A model missing here gets no cross-model proposal.

Figures: NVIDIA datasheets (dense BF16 tensor TFLOPS without sparsity; memory bandwidth), read
2026-11 (docs/gpu-measurements.md#datasheet-figures). Keys are the GPU names EC2
DescribeInstanceTypes reports (GpuInfo.Gpus[].Name), with the per-GPU memory where one name covers
two variants.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Bound(StrEnum):
    COMPUTE = "compute"
    MEMORY = "memory"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class GpuCapability:
    model: str
    tensor_tflops: float  # dense BF16 (FP16 where the GPU has no BF16)
    memory_tb_s: float
    source: str
    # "upper": the figures are an upper bound (e.g. a lower-clocked variant): usable only where
    # overstating this GPU errs on the safe side, i.e. as the source of a move, never as its target.
    bound: str = "exact"


_DATASHEET = "NVIDIA datasheet, 2026-11 (docs/gpu-measurements.md#datasheet-figures)"

CAPABILITIES: dict[str, GpuCapability] = {
    c.model: c
    for c in (
        GpuCapability("H100", 989, 3.35, _DATASHEET + ": H100 SXM"),
        GpuCapability("H200", 989, 4.8, _DATASHEET + ": H200 SXM"),
        GpuCapability("A100-80GB", 312, 2.0, _DATASHEET + ": A100 SXM 80 GB"),
        GpuCapability("L40S", 362, 0.86, _DATASHEET),
        GpuCapability("L4", 121, 0.30, _DATASHEET),
        GpuCapability("T4", 65, 0.32, _DATASHEET + " (FP16; T4 has no BF16)"),
        GpuCapability(
            "A10G", 125, 0.60, _DATASHEET + ": A10 figures; AWS's A10G is lower-clocked", "upper"
        ),
    )
}


def capability_key(name: str | None, memory_mib_each: int | None = None) -> str | None:
    """EC2's GPU name (+ memory) -> a key of CAPABILITIES, or None when the model is not known."""
    if not name:
        return None
    if name == "A100":
        # p4d carries the 40 GB A100 (not in the table), p4de the 80 GB one.
        return "A100-80GB" if (memory_mib_each or 0) >= 80_000 else None
    return name if name in CAPABILITIES else None


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
