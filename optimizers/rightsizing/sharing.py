"""Share groups: single-GPU members of one pool and region time-sliced onto one GPU.

A group fits when, on the host's GPU, the members' summed peak GPU memory plus headroom fits, the
percentile of their summed busy-ness series (aligned in time, so bursts that never coincide can
share while bursts that do cannot) plus headroom stays within 100%, their summed host CPU and memory
fit what the host leaves to pods (members without CPU or host memory data are left out of that sum
and counted, so the decision can say so and raise the risk), and for latency-sensitive pools the
M/G/1 model of the summed load keeps the pool's latency target. Time-slicing is the NVIDIA device
plugin's, so a shared host is a Kubernetes node: its pods get the node's allocatable CPU and
memory (`components.facts.allocatable`), not the instance's. `optimizers.rightsizing.packing`
finds the groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from components.facts.allocatable import allocatable
from optimizers.catalog import InstanceSpec
from optimizers.gpu_capability import busy_scale
from optimizers.rightsizing.latency import p95_latency_ms
from optimizers.rightsizing.measure import Needs
from optimizers.rightsizing.policies import SizingPolicy
from optimizers.rightsizing.stats import binned_max, percentile_rows

DEFAULT_MAX_MEMBERS = 4


def pod_room(host: InstanceSpec) -> tuple[float, float]:
    """vCPUs and GiB the pods of a shared (Kubernetes) host can use."""
    node = allocatable(host)
    return node.cpu_m / 1000, node.memory_mib / 1024


@dataclass
class Member:
    resource_id: str
    spec: InstanceSpec
    need: Needs
    busy_row: np.ndarray = field(default_factory=lambda: np.empty(0))
    occupancy_row: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def gpu_mem_gib(self) -> float:
        return self.need.gpu_mem_peak_gib[0]

    @property
    def cpu_vcpus(self) -> float | None:
        """vCPUs it keeps busy; None when its host CPU was not measured."""
        if self.need.cpu_busy_pct is None:
            return None
        return self.need.cpu_busy_pct / 100 * self.spec.vcpus

    @property
    def mem_gib(self) -> float | None:
        """Host memory it needs; None when its host memory was not measured."""
        return self.need.mem_need_gib


@dataclass
class Group:
    host: InstanceSpec
    members: list[Member]
    projected: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ShareRules:
    policy: SizingPolicy
    max_members: int = DEFAULT_MAX_MEMBERS
    latency_target_ms: float | None = None
    service_ms: float | None = None
    target_origin: str = ""  # where the latency target comes from, for the evidence


def _grid_row(series_by_gpu, start: int, bin_s: int, bins: int, fill: float) -> np.ndarray:
    series = series_by_gpu.get(0) or next(iter(series_by_gpu.values()), None)
    if series is None:
        return np.full(bins, fill)
    row = binned_max(series.timestamps, series.values, start, bin_s, bins)
    # A bin the member has no sample for counts at the member's own high percentile.
    return np.where(np.isnan(row), fill, row)


def align(members: list[Member], start: int, end: int) -> int:
    """Put every member's busy-ness on one time grid; returns the bin width in seconds."""
    steps = [
        float(np.median(np.diff(s.timestamps)))
        for m in members
        for s in m.need.busy_series.values()
        if len(s) > 1
    ]
    bin_s = int(max(60, max(steps) if steps else 300))
    # The grid covers where the members have data, not the whole lookback: a window longer than
    # the recording must not count empty time as busy.
    firsts = [int(s.timestamps[0]) for m in members for s in m.need.busy_series.values() if len(s)]
    lasts = [int(s.timestamps[-1]) for m in members for s in m.need.busy_series.values() if len(s)]
    if firsts:
        start, end = max(start, min(firsts)), min(end, max(lasts) + 1)
    bins = max(1, int(np.ceil((end - start) / bin_s)))
    for m in members:
        busy_fill = m.need.gpu_busy_max
        m.busy_row = _grid_row(m.need.busy_series, start, bin_s, bins, busy_fill)
        occ = m.need.occupancy_series or m.need.busy_series
        m.occupancy_row = _grid_row(occ, start, bin_s, bins, busy_fill)
    return bin_s


@dataclass(frozen=True)
class GroupCheck:
    """Whether members fit one host's GPU, their projected needs, and why not."""

    ok: bool
    projected: dict[str, float]
    reason: str = ""


def check(group: list[Member], host: InstanceSpec, rules: ShareRules) -> GroupCheck:
    policy = rules.policy
    h = policy.headroom()
    q = policy.busy_percentile
    proj: dict[str, float] = {"members": float(len(group))}
    if len(group) > rules.max_members:
        return GroupCheck(False, proj, f"more than {rules.max_members} replicas")
    hm = policy.memory_headroom()
    mem = sum(m.gpu_mem_gib for m in group)
    proj["gpu_mem_need_gib"] = round(mem * hm, 3)
    if mem * hm > host.gpu_memory_gib_each:
        return GroupCheck(False, proj, "summed GPU memory peak plus headroom does not fit one GPU")
    busy = np.zeros_like(group[0].busy_row)
    occ = np.zeros_like(group[0].busy_row)
    for m in group:
        factor, why = busy_scale(m.spec.capability, host.capability, m.need.gpu_bound)
        if (
            m.spec.gpu_name == host.gpu_name
            and m.spec.gpu_memory_mib_each == host.gpu_memory_mib_each
        ):
            factor = 1.0
        if factor is None:
            return GroupCheck(False, proj, why)
        busy = busy + m.busy_row * factor
        occ = occ + m.occupancy_row * factor
    summed = float(percentile_rows(busy, q)[0])
    proj["summed_gpu_busy_pct"] = round(summed, 3)
    if summed * h > 100:
        return GroupCheck(False, proj, f"summed busy-ness p{q:g} plus headroom exceeds 100%")
    # Unmeasured host CPU or memory is not counted (the decision says so, risk up).
    known = [c for m in group if (c := m.cpu_vcpus) is not None]
    known_mem = [g for m in group if (g := m.mem_gib) is not None]
    cpu = sum(known) * h
    host_mem = sum(known_mem)
    proj["host_vcpus_need"] = round(cpu, 3)
    proj["host_mem_need_gib"] = round(host_mem, 3)
    if len(known) < len(group):
        proj["host_cpu_unmeasured_members"] = float(len(group) - len(known))
    if len(known_mem) < len(group):
        proj["host_mem_unmeasured_members"] = float(len(group) - len(known_mem))
    room_cpu, room_mem = pod_room(host)
    if cpu > room_cpu or host_mem > room_mem:
        return GroupCheck(
            False, proj, "summed host CPU or memory does not fit what the host leaves to pods"
        )
    if rules.latency_target_ms is not None and rules.service_ms is not None:
        rho = float(percentile_rows(occ, q)[0]) / 100
        p95 = p95_latency_ms(rho, rules.service_ms, len(group))
        proj["summed_occupancy"] = round(rho, 4)
        proj["predicted_p95_latency_ms"] = round(p95, 3) if np.isfinite(p95) else 1e9
        if p95 > rules.latency_target_ms:
            return GroupCheck(
                False,
                proj,
                f"predicted p95 latency {p95:.1f} ms exceeds the pool's "
                f"{rules.latency_target_ms:g} ms",
            )
    return GroupCheck(True, proj)
