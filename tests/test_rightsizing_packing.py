"""The share packer: never more GPUs than first-fit decreasing, every group passes `check`, and the
exact method is optimal on pools small enough to check by brute force."""

from __future__ import annotations

import time

import numpy as np
import pytest

from optimizers.rightsizing import get_policy
from optimizers.rightsizing.measure import measure
from optimizers.rightsizing.packing import (
    exact,
    ffd_order,
    first_fit_decreasing,
    lower_bound,
    pack,
    pack_one_type,
)
from optimizers.rightsizing.packing_state import Fitter
from optimizers.rightsizing.sharing import Member, ShareRules, align, check
from tests.rightsizing.fleet import DAY, T0, Fleet, catalog

HOST = "g6e.xlarge"  # one L40S, 44.7 GiB


def _members(seed: int, n: int, days: float = 1.0, mem_unmeasured: float = 0.0) -> list[Member]:
    rng = np.random.default_rng(seed)
    unmeasured = np.random.default_rng(seed + 7_000).random(n) < mem_unmeasured
    fleet = Fleet(days=days, step=300)
    for i in range(n):
        base, peak = rng.uniform(2, 15), rng.uniform(15, 60)
        phase, width = rng.uniform(0, 24), int(rng.integers(30, 240))

        def busy(ts, base=base, peak=peak, phase=phase, width=width, seed=seed * 1000 + i):
            hours = ((ts - T0) / 3600.0 - phase) % 24
            noise = np.random.default_rng(seed).normal(0, 2, ts.shape)
            return np.clip(np.where(hours < width / 60, peak, base) + noise, 0, 100)

        cpu = None if rng.random() < 0.3 else float(rng.uniform(2, 20))
        mem = float(rng.uniform(4, 30))
        fleet.add(f"m{i:03d}", "p", HOST, cpu=cpu, mem_gib=None if unmeasured[i] else mem,
                  gpus=[{"busy": busy, "mem_gib": float(rng.uniform(3, 22))}])  # fmt: skip
    needs = measure(fleet.frame(), get_policy("ours"), fleet.end - int(days * DAY), fleet.end)
    spec = catalog().get(HOST)
    members = [Member(rid, spec, needs[rid]) for rid in sorted(needs)]
    align(members, fleet.end - int(days * DAY), fleet.end)
    return members


def _rules(latency: bool) -> ShareRules:
    policy = get_policy("ours")
    if latency:
        return ShareRules(policy, 4, latency_target_ms=60, service_ms=6)
    return ShareRules(policy, 4)


@pytest.mark.parametrize("seed", range(10))
def test_never_more_gpus_than_ffd_and_every_group_passes_check(seed):
    rng = np.random.default_rng(seed)
    members = _members(seed, int(rng.integers(8, 70)))
    rules = _rules(latency=bool(seed % 2))
    host = members[0].spec
    fitter = Fitter(members, host, rules)
    floor = first_fit_decreasing(fitter, ffd_order(fitter))
    result = pack_one_type(members, host, rules, time.monotonic() + 5)
    assert result.hosts <= len(floor) == result.ffd_groups
    assert result.hosts >= lower_bound(fitter).strict
    placed = sorted(m.resource_id for g in result.groups for m in g.members)
    assert placed == sorted(m.resource_id for m in members)
    for group in result.groups:
        if len(group.members) > 1:
            assert check(group.members, host, rules).ok


@pytest.mark.parametrize("seed", range(4))
def test_exact_is_optimal_on_small_pools(seed):
    members = _members(100 + seed, 7)
    rules = _rules(latency=False)
    host = members[0].spec
    fitter = Fitter(members, host, rules)
    found = exact(fitter, time.monotonic() + 10)
    assert found is not None and found[1]  # proven optimal
    assert len(found[0]) == _brute_force(members, host, rules)


def _brute_force(members, host, rules) -> int:
    """Fewest groups over every set partition (Bell(7) = 877 partitions)."""
    best = len(members)

    def place(i: int, groups: list[list[Member]]) -> None:
        nonlocal best
        if len(groups) >= best:
            return
        if i == len(members):
            best = len(groups)
            return
        for g in groups:
            if check([*g, members[i]], host, rules).ok:
                g.append(members[i])
                place(i + 1, groups)
                g.pop()
        groups.append([members[i]])
        place(i + 1, groups)
        groups.pop()

    place(0, [])
    return best


@pytest.mark.parametrize("seed", range(3))
def test_the_fast_fit_agrees_with_check(seed):
    members = _members(200 + seed, 30, mem_unmeasured=0.3)
    for latency in (False, True):
        rules = _rules(latency)
        fitter = Fitter(members, members[0].spec, rules)
        rng = np.random.default_rng(seed)
        for _ in range(150):
            size = int(rng.integers(1, 5))
            chosen = [int(i) for i in rng.choice(len(members), size, replace=False)]
            expect = check([members[i] for i in chosen], members[0].spec, rules).ok
            assert fitter.fits_list(chosen) == expect
            fitter.load([chosen[:-1]])
            if chosen[:-1]:
                got = fitter.first_fit(chosen[-1])
                assert (got is not None) == expect


def test_pack_keeps_instance_types_apart_and_reports_bounds():
    members = _members(7, 12)
    other = catalog().get("g6e.2xlarge")
    mixed = [Member(m.resource_id, other if i % 2 else m.spec, m.need) for i, m in
             enumerate(members)]  # fmt: skip
    found = pack(mixed, _rules(False), T0, T0 + DAY)
    assert set(found) == {"g6e.xlarge", "g6e.2xlarge"}
    for itype, result in found.items():
        assert {m.spec.instance_type for g in result.groups for m in g.members} == {itype}
        assert result.bound.hosts <= result.hosts
        assert "memory" in result.bound.describe()


def test_unmeasured_host_memory_does_not_block_packing():
    # 40 members, none with host memory data: the host-memory check counts none of them (it once
    # counted each as the whole host's 32 GiB, so no two ever fit) and the packer still packs.
    members = _members(300, 40, mem_unmeasured=1.0)
    assert all(m.mem_gib is None for m in members)
    rules = _rules(latency=False)
    host = members[0].spec
    result = pack_one_type(members, host, rules, time.monotonic() + 5)
    assert result.hosts < len(members) / 2
    for group in result.groups:
        verdict = check(group.members, host, rules)
        assert verdict.ok
        if len(group.members) > 1:
            assert verdict.projected["host_mem_unmeasured_members"] == len(group.members)
    fitter = Fitter(members, host, rules)
    assert fitter.fits_list([0, 1]) == check(members[:2], host, rules).ok


def test_members_share_only_what_the_node_leaves_to_pods():
    # Two g6e.xlarge members at 40% of 4 vCPUs: 3.2 vCPUs, 3.84 with the headroom. The instance
    # has 4; the Kubernetes node leaves pods 3.74 after the kubelet's and EKS's DaemonSets.
    fleet = Fleet(days=1, step=300)
    for rid, cpu_pct in (("a", 40), ("b", 40)):
        fleet.add(rid, "p", HOST, cpu=cpu_pct, mem_gib=4,
                  gpus=[{"busy": 10, "mem_gib": 5}])  # fmt: skip
    needs = measure(fleet.frame(), get_policy("ours"), fleet.end - DAY, fleet.end)
    spec = catalog().get(HOST)
    members = [Member(rid, spec, needs[rid]) for rid in ("a", "b")]
    align(members, fleet.end - DAY, fleet.end)
    verdict = check(members, spec, _rules(latency=False))
    need = verdict.projected["host_vcpus_need"]
    assert 3.74 < need <= spec.vcpus  # fits the instance, not the node
    assert not verdict.ok and "leaves to pods" in verdict.reason
