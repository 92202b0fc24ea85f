"""Would a candidate type carry what the current one carried, with the policy's headroom?

Never below observed peaks (host memory, GPU memory); GPU memory's headroom applies only on a
move to a GPU with less memory (memory that fits the current GPU runs today). CPU busy-ness is
rescaled by vCPU count and GPU busy-ness by GPU capability (optimizers.gpu_capability) when the
GPU model changes. GPU count follows the workload: one whose memory sits on k GPUs uses k GPUs,
and a candidate with more GPUs carries the same load per GPU (a process does not spread itself
over GPUs it never allocated), so more GPUs never relieve a busy one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizers.catalog import InstanceSpec
from optimizers.gpu_capability import busy_scale
from optimizers.rightsizing.measure import Needs
from optimizers.rightsizing.policies import SizingPolicy


@dataclass
class Projection:
    ok: bool
    reasons: list[str] = field(default_factory=list)  # why the candidate does not fit
    values: dict[str, float] = field(default_factory=dict)  # needs on the candidate
    gpu_busy_over: bool = False  # GPU busy-ness (with headroom) is among the reasons

    @property
    def only_gpu_busy(self) -> bool:
        """The GPU's busy-ness is the one reason it does not fit."""
        return self.gpu_busy_over and len(self.reasons) == 1


def gpu_mem_factor(policy: SizingPolicy) -> float:
    return (
        policy.memory_headroom()
        if policy.memory_percentile_with_headroom
        else policy.memory_peak_factor
    )


def gpus_in_use(need: Needs, cur: InstanceSpec) -> int:
    """GPUs holding the workload's memory (model shards): the GPUs it can use, at least one."""
    held = sum(1 for m in need.gpu_mem_peak_gib if m * 1024 > 0.01 * cur.gpu_memory_mib_each)
    return max(1, held)


def project(
    need: Needs,
    cur: InstanceSpec,
    cand: InstanceSpec,
    policy: SizingPolicy,
    *,
    busy_limit: bool = True,
) -> Projection:
    """Would `cand` carry what `cur` carried, with the policy's headroom? Never below peaks.

    busy_limit False: GPU busy-ness is not held to 100% (no real signal says the GPU is out of
    compute); the candidate's GPU must only be no slower than the current one."""
    hb = policy.headroom() if policy.busy_headroom else 1.0
    p = Projection(True)
    if need.cpu_busy_pct is not None:
        cpu = need.cpu_busy_pct * cur.vcpus / cand.vcpus
        p.values["cpu_busy_pct"] = round(cpu, 3)
        if cpu * hb > 100:
            p.reasons.append(
                f"CPU {cpu:.1f}% (x{hb:g} headroom) exceeds 100% of {cand.vcpus} vCPUs"
            )
    elif cand.vcpus < cur.vcpus:
        p.reasons.append("no CPU data: never fewer vCPUs than now")
    if need.mem_need_gib is not None:
        p.values["host_mem_need_gib"] = round(need.mem_need_gib, 3)
        if cand.memory_gib < need.mem_need_gib:
            p.reasons.append(
                f"host memory {cand.memory_gib:g} GiB is under the need of "
                f"{need.mem_need_gib:.1f} GiB"
            )
    elif cand.memory_mib < cur.memory_mib:
        p.reasons.append("no host memory data: never less memory than now")
    if cur.has_gpu:
        _project_gpu(need, cur, cand, policy, hb if busy_limit else None, p)
    p.ok = not p.reasons
    return p


def _project_gpu(
    need: Needs,
    cur: InstanceSpec,
    cand: InstanceSpec,
    policy: SizingPolicy,
    hb: float | None,
    p: Projection,
) -> None:
    if not cand.has_gpu:
        p.reasons.append("no GPU")
        return
    same_model = (
        cur.gpu_name == cand.gpu_name and cur.gpu_memory_mib_each == cand.gpu_memory_mib_each
    )
    if not need.has_gpu_data:
        if not same_model or cand.gpu_count < cur.gpu_count:
            p.reasons.append("no GPU data: keep the same GPUs")
        return
    factor, why = (
        (1.0, "same GPU model")
        if same_model
        else busy_scale(cur.capability, cand.capability, need.gpu_bound)
    )
    if factor is None:
        p.reasons.append(why)
        return
    busy = need.gpu_busy_max * factor  # per GPU, whatever the candidate's GPU count
    p.values["gpu_busy_pct"] = round(busy, 3)
    if factor != 1.0:
        p.values["gpu_busy_scale"] = round(factor, 4)
    if hb is None:
        if factor > 1:
            p.reasons.append(f"{cand.gpu_name} is slower than {cur.gpu_name} ({why})")
    elif busy * hb > 100:
        p.gpu_busy_over = True
        p.reasons.append(
            f"GPU busy-ness {busy:.1f}% on {cand.gpu_name} ({why}; x{hb:g} headroom) exceeds 100%"
        )
    in_use = gpus_in_use(need, cur)
    if cand.gpu_count < in_use:
        p.reasons.append(f"{in_use} GPUs hold memory (model shards): needs at least {in_use}")
    # Memory that fits the current GPU runs today (serving engines preallocate most of it): a
    # GPU with no less memory is held to the raw peak; only a smaller one needs the headroom.
    smaller = cand.gpu_memory_mib_each < cur.gpu_memory_mib_each
    f = gpu_mem_factor(policy) if smaller else 1.0
    each = max(need.gpu_mem_peak_gib) * f
    total = sum(need.gpu_mem_peak_gib) * f
    p.values["gpu_mem_need_gib_each"] = round(each, 3)
    if cand.gpu_memory_gib_each < each or cand.gpu_memory_gib_each * cand.gpu_count < total:
        p.reasons.append(
            f"GPU memory {cand.gpu_memory_gib_each:.1f} GiB per GPU is under the peak"
            f"{' plus headroom' if smaller else ''} ({each:.1f} GiB)"
        )


def preallocated_note(need: Needs, cur: InstanceSpec, policy: SizingPolicy) -> str | None:
    """Why GPU memory above the headroom is not overload (None when it is within it)."""
    if not cur.has_gpu or not need.gpu_mem_peak_gib:
        return None
    peak, size, f = max(need.gpu_mem_peak_gib), cur.gpu_memory_gib_each, gpu_mem_factor(policy)
    if peak * f <= size or peak > size:
        return None
    return (
        f"GPU memory peak {peak:.1f} GiB of {size:.1f} GiB ({peak / size:.0%}): it fits today, "
        "so it is no overload (serving engines preallocate most of a GPU: vLLM about 90% "
        "by default) and nothing is upsized for it; a GPU with less memory would need the "
        f"peak x{f:g}"
    )
