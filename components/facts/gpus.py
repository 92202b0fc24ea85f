"""What one GPU model can do: dense tensor throughput and memory bandwidth, by EC2's GPU name.

Figures: NVIDIA datasheets (dense BF16 tensor TFLOPS without sparsity; memory bandwidth), read
2026-11 (docs/gpu-measurements.md#datasheet-figures). Keys are the GPU names EC2
DescribeInstanceTypes reports (GpuInfo.Gpus[].Name), with the per-GPU memory where one name covers
two variants.
`optimizers.gpu_capability` turns them into utilization carried from one model to another.
"""

from __future__ import annotations

from dataclasses import dataclass


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
