"""Is a GPU workload out of compute? Only a real signal says so, never the NVML counter alone.

NVML's utilization counter is the share of time a kernel was resident: 67-71 % while the SMs were
38-45 % busy on an H200, and not even monotonic in load
(docs/gpu-measurements.md#the-nvml-counter-vs-gpm). A GPU is saturated when
- GPM SM or tensor activity at the busy percentile, times the headroom, exceeds 100 %, or
- the served requests' latency or queue wait exceeds the pool's latency target.
With neither signal, a high counter is "unknown", and nothing is spent on it
(docs/rightsizing.md#saturation-signals).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from optimizers.rightsizing.measure import Needs
from optimizers.rightsizing.policies import SizingPolicy

GPM_NOTE = (
    "record GPM SM/tensor activity (`aeon collect nvml` on Hopper, or the DCGM exporter's "
    "DCGM_FI_PROF_SM_ACTIVE / DCGM_FI_PROF_PIPE_TENSOR_ACTIVE through Prometheus) or the "
    "requests' latency or queue wait (request_latency_ms, queue_wait_ms) to size it"
)


class Verdict(StrEnum):
    SATURATED = "saturated"
    NOT_SATURATED = "not-saturated"  # a real signal says there is room
    UNKNOWN = "unknown"  # only the NVML counter: it cannot tell


@dataclass(frozen=True)
class Saturation:
    verdict: Verdict
    why: str
    load: float = 0.0  # demand over what the GPU serves within its limits (> 1: saturated)

    @property
    def saturated(self) -> bool:
        return self.verdict is Verdict.SATURATED


def saturation(need: Needs, policy: SizingPolicy, latency_target_ms: float | None) -> Saturation:
    q = f"p{policy.busy_percentile:g}"
    h = policy.headroom()
    signals: list[tuple[float, str]] = []  # (load, what says so)
    if need.gpm_activity_pct:
        activity = max(need.gpm_activity_pct)
        text = f"GPM SM/tensor activity {q} {activity:.1f}% (x{h:g} headroom)"
        signals.append((activity * h / 100, text))
    if latency_target_ms is not None:
        for name, value in (("request latency", need.latency_ms), ("queue wait", need.queue_ms)):
            if value is not None:
                text = f"{name} {q} {value:.1f} ms vs the pool's target {latency_target_ms:g} ms"
                signals.append((value / latency_target_ms, text))
    if not signals:
        return Saturation(Verdict.UNKNOWN, "no GPM activity and no latency or queue signal")
    load = max(load for load, _ in signals)
    over = [text for value, text in signals if value > 1]
    if over:
        return Saturation(Verdict.SATURATED, "; ".join(over) + ": beyond what the GPU serves", load)
    return Saturation(Verdict.NOT_SATURATED, "; ".join(t for _, t in signals) + ": within", load)


def counter_only_note(need: Needs, policy: SizingPolicy, sat: Saturation) -> str:
    """Why a high busy-ness read on the NVML counter spends nothing."""
    busy = need.gpu_busy_max
    metric = need.busy_metric or "gpu_util_pct"
    head = (
        f"GPU busy-ness {metric} p{policy.busy_percentile:g} {busy:.1f}% looks saturated, but "
        "the NVML counter only says a kernel was resident, not that the GPU is out of compute "
        "(docs/gpu-measurements.md#the-nvml-counter-vs-gpm)"
    )
    if sat.verdict is Verdict.NOT_SATURATED:
        return f"{head}; {sat.why}: nothing is spent on the counter"
    return f"{head}: nothing is spent on the counter alone; {GPM_NOTE}"
