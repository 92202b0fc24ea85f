"""Is a GPU workload out of compute? Only a real signal says so, never the NVML counter alone.

NVML's utilization counter is the share of time a kernel was resident: 67-71 % while the SMs were
38-45 % busy on an H200, and not even monotonic in load
(docs/gpu-measurements.md#the-nvml-counter-vs-gpm). A GPU is saturated when
- GPM SM or tensor activity at the busy percentile, times the headroom, exceeds 100 %, or
- the served requests' p95 latency or queue wait exceeds a p95 latency target the user set (a
  declared pool's latency_target_ms, --latency-target-ms, or the stack's
  recommendations.default_latency_target_ms written by the user). The built-in default target
  never spends money: a latency it would call too slow is only reported.
With neither signal, a high counter is "unknown", and nothing is spent on it
(docs/rightsizing.md#saturation-signals).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from optimizers.rightsizing.context import LatencyTarget
from optimizers.rightsizing.measure import LATENCY_PERCENTILE, Needs
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
    # GPM activity x headroom over 100%: a load ratio (> 1: more work than the GPU serves within
    # its headroom); 0 without GPM.
    load: float = 0.0
    # p95 latency (or queue wait) over the user's p95 target; 0 without one. Not a load ratio:
    # latency grows without bound as load nears capacity (latency.py), so it sizes nothing.
    latency_over: float = 0.0

    @property
    def saturated(self) -> bool:
        return self.verdict is Verdict.SATURATED

    @property
    def speedup_needed(self) -> float:
        """How many times faster a GPU model must do the work to relieve it: the GPM load, or
        the latency overshoot (a GPU x times faster does each request's GPU work in 1/x of the
        time, and queues shorten more; assumes the latency is the GPU's)."""
        return max(self.load, self.latency_over)


def saturation(need: Needs, policy: SizingPolicy, latency_target_ms: float | None) -> Saturation:
    """latency_target_ms: the user's p95 target (None: latency and queue wait are not judged)."""
    h = policy.headroom()
    load = over = 0.0
    said: list[str] = []
    beyond: list[str] = []
    if need.gpm_activity_pct:
        activity = max(need.gpm_activity_pct)
        load = activity * h / 100
        said.append(
            f"GPM SM/tensor activity p{policy.busy_percentile:g} {activity:.1f}% (x{h:g} headroom)"
        )
        if load > 1:
            beyond.append(said[-1])
    if latency_target_ms is not None:
        q = f"p{LATENCY_PERCENTILE:g}"
        for name, value in (("request latency", need.latency_p95_ms),
                            ("queue wait", need.queue_p95_ms)):  # fmt: skip
            if value is not None:
                said.append(f"{name} {q} {value:.1f} ms vs your target {latency_target_ms:g} ms")
                over = max(over, value / latency_target_ms)
                if value > latency_target_ms:
                    beyond.append(said[-1])
    if not said:
        return Saturation(Verdict.UNKNOWN, "no GPM activity and no latency or queue signal")
    if beyond:
        why = "; ".join(beyond) + ": beyond what the GPU serves"
        return Saturation(Verdict.SATURATED, why, load, over)
    return Saturation(Verdict.NOT_SATURATED, "; ".join(said) + ": within", load, over)


def unjudged_latency_note(need: Needs, target: LatencyTarget, pool: str) -> str | None:
    """Latency measured but no target of the user's to judge it by: say so, and how to set one."""
    measured = [
        f"{name} p{LATENCY_PERCENTILE:g} {value:.1f} ms"
        for name, value in (("request latency", need.latency_p95_ms),
                            ("queue wait", need.queue_p95_ms))
        if value is not None
    ]  # fmt: skip
    if target.set_by_user or not measured:
        return None
    how = (
        f"set pool {pool}'s latency_target_ms"
        if target.declared
        else "pass --latency-target-ms or set recommendations.default_latency_target_ms"
    )
    return (
        f"{' and '.join(measured)} not judged: no p95 latency target of yours for pool {pool} "
        f"({how} to size on it); the built-in default never spends money"
    )


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
