"""Right-sizing (`--mode ours`): each kind and each guard, on frames built in memory."""

from __future__ import annotations

import pytest

from optimizers.recommendation import Confidence, Kind
from tests.rightsizing.fleet import (
    DAY,
    Fleet,
    burst,
    by_target,
    catalog,
    noisy,
    pool,
    run,
    settings,
)

CPU_TYPES = ["m7i.large", "m7i.xlarge", "m7i.2xlarge"]
GPU_TYPES = ["g6e.xlarge", "g6e.2xlarge", "g6e.4xlarge", "g6.xlarge", "g6.2xlarge"]


def one(fleet, stack, rid, **kw):
    return by_target(run(fleet, stack, **kw))[rid]


def test_keep_when_nothing_cheaper_fits():
    fleet = Fleet().add("a", "sys", "m7i.xlarge", cpu=noisy(55, 3, 1), mem_gib=6)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.kind is Kind.KEEP
    assert rec.monthly_saving_usd == 0
    assert rec.proposed.instance_type == "m7i.xlarge"


def test_downsize_keeps_headroom_and_reports_evidence():
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", cpu=noisy(10, 2, 2), mem_gib=3)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.kind is Kind.DOWNSIZE
    assert rec.proposed.instance_type == "m7i.large"
    assert rec.evidence.projected["cpu_busy_pct"] * 1.2 <= 100
    assert rec.monthly_saving_usd > 0
    assert rec.monthly_saving_usd == pytest.approx(
        rec.monthly_cost_before_usd - rec.monthly_cost_after_usd
    )
    ev = rec.evidence
    assert ev.sample_count == 14 * 288 and ev.headroom_pct == 20
    assert ev.percentiles_used["busy"] == "p99.5"
    assert ev.window_end - ev.window_start == 14 * DAY
    assert ev.price_basis == "on-demand" and ev.prices[0].source
    assert rec.confidence is Confidence.HIGH


def test_downsize_is_bounded_by_max_step():
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", cpu=noisy(10, 2, 2), mem_gib=3)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu"), max_step_pct=50), "a")
    assert rec.kind is Kind.DOWNSIZE
    assert rec.proposed.instance_type == "m7i.xlarge"  # large would cut 75% in one step


def test_upsize_when_overloaded():
    fleet = Fleet().add("a", "sys", "m7i.large", cpu=noisy(92, 3, 3), mem_gib=3)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.kind is Kind.UPSIZE
    assert rec.proposed.instance_type == "m7i.xlarge"  # the cheapest that carries p99.5 x 1.2
    assert rec.evidence.projected["cpu_busy_pct"] * 1.2 <= 100
    assert rec.monthly_saving_usd < 0


def test_host_memory_never_below_peak():
    # CPU says "large", memory (14 GiB peak) forbids anything under 16.8 GiB.
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", cpu=3, mem_gib=14)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.kind is Kind.KEEP
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", cpu=3, mem_gib=11)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.proposed.instance_type == "m7i.xlarge"
    assert catalog().get("m7i.xlarge").memory_gib >= 11 * 1.2


def test_gpu_memory_never_below_peak_plus_headroom():
    # Busy-ness alone would allow an L4 (g6), but 20 GiB x 1.2 does not fit its 22.4 GiB GPU.
    gpus = [{"busy": 10, "sm": 5, "tensor": 4, "dram": 2, "mem_gib": 20}]
    fleet = Fleet().add("a", "inf", "g6e.2xlarge", cpu=5, mem_gib=8, gpus=gpus)
    rec = one(fleet, settings(pool("inf", GPU_TYPES)), "a")
    assert rec.proposed.instance_type == "g6e.xlarge"
    gpus = [{"busy": 10, "sm": 5, "tensor": 4, "dram": 2, "mem_gib": 15}]
    fleet = Fleet().add("a", "inf", "g6e.2xlarge", cpu=5, mem_gib=8, gpus=gpus)
    rec = one(fleet, settings(pool("inf", GPU_TYPES)), "a")
    assert rec.kind is Kind.CHANGE_FAMILY and rec.proposed.instance_type == "g6.xlarge"


def test_gpu_memory_that_fits_today_is_kept_not_shrunk_nor_flagged():
    # 40 GiB of a 44.7 GiB L40S (40 x 1.2 would not fit): it runs today, so it is no overload;
    # the 22.4 GiB GPUs would need the headroom, and lack it.
    gpus = [{"busy": 50, "sm": 40, "mem_gib": 40}]
    fleet = Fleet().add("a", "inf", "g6e.xlarge", cpu=5, mem_gib=8, gpus=gpus)
    rec = one(fleet, settings(pool("inf", GPU_TYPES)), "a")
    assert rec.kind is Kind.KEEP and rec.risk.level == "low" and rec.monthly_saving_usd == 0
    assert not any("overloaded" in n for n in [*rec.evidence.notes, *rec.risk.notes])
    assert any(n.startswith("GPU memory peak 40.0 GiB of 44.7 GiB") for n in rec.evidence.notes)


def test_a_serving_engines_preallocated_gpu_memory_is_never_upsized():
    # vLLM preallocates 90% of the GPU by default: 20.1 of an A10G's 22.35 GiB, 30% busy. Peak x
    # 1.2 once "overloaded" it into a g6e.xlarge (L40S, -$624/month).
    gpus = [{"busy": noisy(30, 3, 7), "mem_gib": 0.9 * 22.3515625}]
    fleet = Fleet(days=2, step=60).add("a", "inf", "g5.xlarge", cpu=noisy(20, 3, 8), mem_gib=6,
                                       gpus=gpus)  # fmt: skip
    for types in (["g5.xlarge", "g5.2xlarge", "g6e.xlarge"], ["g5.xlarge", "g6e.xlarge"]):
        rec = one(fleet, settings(pool("inf", types)), "a", lookback_s=2 * DAY)
        assert rec.kind is Kind.KEEP and rec.monthly_saving_usd == 0
        assert rec.proposed.instance_type == "g5.xlarge"
    # the same GPU memory on an L4 of equal size needs no headroom: it may move there
    rec = one(fleet, settings(pool("inf", ["g5.xlarge", "g6.xlarge"])), "a", lookback_s=2 * DAY)
    assert rec.kind is Kind.CHANGE_FAMILY and rec.proposed.instance_type == "g6.xlarge"


def test_gpm_busy_is_preferred_to_the_nvml_counter():
    # The NVML counter reads 80% where the SMs are 30% busy: it overstates busy-ness
    # (docs/gpu-measurements.md#the-nvml-counter-vs-gpm).
    gpus = [{"busy": 80, "sm": 30, "tensor": 25, "dram": 10, "mem_gib": 10}]
    fleet = Fleet().add("a", "inf", "g6e.4xlarge", cpu=5, mem_gib=8, gpus=gpus)
    ours = one(fleet, settings(pool("inf", ["g6e.xlarge", "g6e.4xlarge"])), "a")
    assert ours.evidence.busy_metric == "gpu_sm_util_pct"
    assert ours.proposed.instance_type == "g6e.xlarge"
    co = one(
        fleet, settings(pool("inf", ["g6e.xlarge", "g6e.4xlarge"])), "a", mode="compute-optimizer"
    )
    assert co.evidence.busy_metric == "gpu_util_pct"


def test_remove_idle_gpu_notes_cold_start():
    gpus = [{"busy": burst(0, 0.8, 3), "sm": 0.2, "mem_gib": 30}]
    fleet = Fleet().add("a", "inf", "g6e.xlarge", cpu=2, mem_gib=8, gpus=gpus)
    rec = one(fleet, settings(pool("inf", GPU_TYPES)), "a")
    assert rec.kind is Kind.REMOVE
    assert rec.proposed.count == 0 and rec.proposed.instance_type is None
    assert rec.monthly_cost_after_usd == 0 and rec.monthly_saving_usd == rec.monthly_cost_before_usd
    assert any("cold start" in n for n in rec.risk.notes)


def test_a_gpu_busy_above_one_percent_is_not_removed():
    gpus = [{"busy": burst(0, 5, 3, every_h=6), "sm": burst(0, 5, 3, every_h=6), "mem_gib": 30}]
    fleet = Fleet().add("a", "inf", "g6e.xlarge", cpu=2, mem_gib=8, gpus=gpus)
    assert one(fleet, settings(pool("inf", GPU_TYPES)), "a").kind is not Kind.REMOVE


def _pair(phase_b: float, peak: float = 55, latency: float | None = None, replicas: int = 4):
    fleet = Fleet()
    for rid, phase in (("a", 2.0), ("b", phase_b)):
        shape = burst(5, peak, phase)
        fleet.add(rid, "shared", "g6e.xlarge", cpu=5, mem_gib=6,
                  gpus=[{"busy": shape, "sm": shape, "mem_gib": 8}])  # fmt: skip
    extra = {"gpu_sharing": {"time_slicing_replicas": replicas}}
    if latency is not None:
        extra["latency_target_ms"] = latency
    return fleet, settings(pool("shared", ["g6e.xlarge"], **extra))


def test_share_when_bursts_never_coincide():
    fleet, stack = _pair(phase_b=12)
    recs = run(fleet, stack)
    assert len(recs) == 1
    rec = recs[0]
    assert rec.kind is Kind.SHARE and rec.targets == ["a", "b"] and rec.target == "shared"
    assert rec.proposed.count == 1 and rec.proposed.gpu_replicas == 2
    assert rec.current.count == 2
    assert rec.evidence.projected["summed_gpu_busy_pct"] == pytest.approx(60)
    assert rec.monthly_saving_usd == pytest.approx(rec.monthly_cost_before_usd / 2, abs=0.02)


def test_no_share_when_bursts_coincide():
    fleet, stack = _pair(phase_b=2)  # 55 + 55 at the same time: 110% > 100%
    recs = run(fleet, stack)
    assert {r.kind for r in recs} != {Kind.SHARE}
    assert all(len(r.targets) == 1 for r in recs)


def test_share_group_memory_must_fit_one_gpu():
    fleet = Fleet()
    for rid, phase in (("a", 2), ("b", 12)):
        shape = burst(5, 30, phase)
        fleet.add(rid, "shared", "g6e.xlarge", cpu=5, mem_gib=6,
                  gpus=[{"busy": shape, "sm": shape, "mem_gib": 20}])  # fmt: skip
    recs = run(fleet, settings(pool("shared", ["g6e.xlarge"])))
    assert all(r.kind is not Kind.SHARE for r in recs)  # 40 GiB x 1.2 > 44.7 GiB


def test_share_respects_the_latency_target():
    # Busy-ness fits (about 60% summed) but a long request makes the queue miss 100 ms.
    fleet, stack = _pair(phase_b=12, latency=100)
    assert run(fleet, stack, service_time_ms=5)[0].kind is Kind.SHARE
    recs = run(fleet, stack, service_time_ms=40)
    assert all(r.kind is not Kind.SHARE for r in recs)
    fleet, stack = _pair(phase_b=12, latency=None)
    assert run(fleet, stack, service_time_ms=40)[0].kind is Kind.SHARE


def test_share_groups_pack_members_of_one_pool_only():
    fleet = Fleet()
    for i in range(6):
        shape = burst(2, 20, phase_h=i * 4)
        fleet.add(f"n{i}", "shared" if i < 4 else "other", "g6e.xlarge", cpu=3, mem_gib=4,
                  gpus=[{"busy": shape, "sm": shape, "mem_gib": 5}])  # fmt: skip
    stack = settings(pool("shared", ["g6e.xlarge"]), pool("other", ["g6e.xlarge"]))
    recs = run(fleet, stack)
    shares = [r for r in recs if r.kind is Kind.SHARE]
    assert sorted(r.targets for r in shares) == [["n0", "n1", "n2", "n3"], ["n4", "n5"]]
    for r in shares:
        assert len({r.pool for t in r.targets}) == 1


@pytest.mark.parametrize(
    ("days", "samples_ok", "confidence"),
    [(0.2, False, None), (0.35, True, Confidence.LOW), (2, True, Confidence.MEDIUM),
     (14, True, Confidence.HIGH)],
)  # fmt: skip
def test_data_sufficiency_and_confidence(days, samples_ok, confidence):
    # 5-minute samples: 0.2 d = 57 samples (< 100); 0.35 d = 100 samples over 8.3 h.
    fleet = Fleet(days=days).add("a", "sys", "m7i.2xlarge", cpu=noisy(10, 2, 2), mem_gib=3)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    if not samples_ok:
        assert rec.kind is Kind.NOT_ENOUGH_DATA and rec.confidence is None
        assert rec.monthly_saving_usd == 0
        return
    assert rec.kind is Kind.DOWNSIZE  # low confidence labels it, never withholds it
    assert rec.confidence is confidence
    if confidence is Confidence.LOW:
        assert rec.risk.level == "medium"


def test_three_hours_are_needed_even_with_many_samples():
    fleet = Fleet(days=2 / 24, step=30).add("a", "sys", "m7i.2xlarge", cpu=10, mem_gib=3)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.kind is Kind.NOT_ENOUGH_DATA  # 240 samples over 2 h


def test_committed_capacity_saves_nothing_until_its_term_ends():
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", purchase="committed", cpu=noisy(10, 2, 2),
                        mem_gib=3)  # fmt: skip
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.kind is Kind.DOWNSIZE
    assert rec.monthly_saving_usd == 0
    assert rec.monthly_cost_after_usd == rec.monthly_cost_before_usd > 0
    assert rec.evidence.price_basis == "committed"
    assert any("term ends" in n for n in rec.evidence.notes)


def test_spot_saving_uses_the_spot_price():
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", purchase="spot", cpu=noisy(10, 2, 2), mem_gib=3)
    spot = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu", interruptible=True)), "a")
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", cpu=noisy(10, 2, 2), mem_gib=3)
    od = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert spot.evidence.price_basis == "spot"
    assert 0 < spot.monthly_cost_before_usd < od.monthly_cost_before_usd


def test_missing_price_marks_unpriced_never_interpolated():
    # g6e is not in ec2instances.info's 2024-04 data for eu-west-1: the figure is missing.
    gpus = [{"busy": 30, "sm": 20, "mem_gib": 10}]
    fleet = Fleet().add("a", "inf", "g6e.xlarge", region="eu-west-1", cpu=5, mem_gib=6, gpus=gpus)
    rec = one(fleet, settings(pool("inf", ["g6e.xlarge", "g6e.2xlarge"], region="eu-west-1")), "a")
    assert rec.priced is False
    assert rec.monthly_cost_before_usd is None and rec.monthly_saving_usd is None
    assert any("unpriced" in n for n in rec.evidence.notes)


def test_h100_to_l40s_scales_busy_by_tensor_throughput():
    # 40% busy on an H100 is ~110% of an L40S for compute-bound work
    # (docs/gpu-measurements.md#moving-work-between-gpu-models).
    types = ["p5.4xlarge", "g6e.xlarge", "g6e.2xlarge", "g6e.4xlarge", "g6e.8xlarge"]
    gpus = [{"busy": 60, "sm": 40, "tensor": 38, "dram": 10, "mem_gib": 20}]
    fleet = Fleet().add("a", "inf", "p5.4xlarge", cpu=5, mem_gib=20, gpus=gpus)
    rec = one(fleet, settings(pool("inf", types)), "a")
    assert rec.proposed.instance_type == "p5.4xlarge"  # no L40S can carry it
    gpus = [{"busy": 20, "sm": 10, "tensor": 9, "dram": 3, "mem_gib": 20}]
    fleet = Fleet().add("a", "inf", "p5.4xlarge", cpu=5, mem_gib=20, gpus=gpus)
    rec = one(fleet, settings(pool("inf", types)), "a")
    assert rec.kind is Kind.CHANGE_FAMILY and rec.proposed.instance_type.startswith("g6e.")
    assert rec.evidence.projected["gpu_busy_scale"] == pytest.approx(989 / 362, rel=1e-3)
    assert rec.evidence.projected["gpu_busy_pct"] == pytest.approx(10 * 989 / 362, rel=1e-3)


def test_memory_bound_work_scales_by_bandwidth():
    types = ["p5.4xlarge", "g6e.xlarge", "g6e.2xlarge", "g6e.4xlarge", "g6e.8xlarge"]
    # 25% busy, memory-bound: x3.9 on an L40S (3.35 vs 0.86 TB/s) = 97% (x 1.2 > 100%).
    gpus = [{"busy": 30, "sm": 25, "tensor": 1, "dram": 40, "mem_gib": 20}]
    fleet = Fleet().add("a", "inf", "p5.4xlarge", cpu=5, mem_gib=20, gpus=gpus)
    rec = one(fleet, settings(pool("inf", types)), "a")
    assert rec.proposed.instance_type == "p5.4xlarge"
    # The same busy-ness compute-bound scales by tensor throughput (x2.7 = 68%): it moves.
    gpus = [{"busy": 30, "sm": 25, "tensor": 24, "dram": 5, "mem_gib": 20}]
    fleet = Fleet().add("a", "inf", "p5.4xlarge", cpu=5, mem_gib=20, gpus=gpus)
    rec = one(fleet, settings(pool("inf", types)), "a")
    assert rec.proposed.instance_type.startswith("g6e.")


def test_only_the_pools_families_are_candidates():
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", cpu=noisy(10, 2, 2), mem_gib=3)
    rec = one(fleet, settings(pool("sys", ["m7i.2xlarge", "m6i.xlarge"], role="cpu")), "a")
    assert rec.proposed.instance_type in {"m7i.large", "m7i.xlarge", "m6i.xlarge", "m6i.large"}


def test_every_resource_once_and_ids_stable():
    fleet, stack = _pair(phase_b=12)
    fleet.add("c", "sys", "m7i.2xlarge", cpu=10, mem_gib=3)
    fleet.add("d", "sys", "m7i.2xlarge", cpu=10, mem_gib=3, days=0.1)
    stack = settings(*stack.pools, pool("sys", CPU_TYPES, role="cpu"))
    first, second = run(fleet, stack), run(fleet, stack)
    targets = [t for r in first for t in r.targets]
    assert sorted(targets) == ["a", "b", "c", "d"]
    assert [r.id for r in first] == [r.id for r in second]
    assert len({r.id for r in first}) == len(first)


def test_spot_in_a_pool_not_marked_interruptible_is_flagged():
    fleet = Fleet().add("a", "sys", "m7i.2xlarge", purchase="spot", cpu=noisy(55, 3, 1), mem_gib=3)
    rec = one(fleet, settings(pool("sys", CPU_TYPES, role="cpu")), "a")
    assert rec.risk.level == "high"
    assert any("not marked interruptible" in n for n in rec.risk.notes)


def test_prod_stack_config_fleet_in_four_regions():
    from pathlib import Path

    from aeon.engine.config import load_stack_config
    from aeon.project import find_project
    from components.settings import parse_settings

    project = find_project(Path(__file__).resolve().parents[1])
    prod = parse_settings(load_stack_config(project, "prod"), "prod")
    fleet = Fleet(days=7)
    for i, p in enumerate(prod.pools):
        itype = p.instance_types[0]
        spec = catalog().get(itype)
        gpus = [{"busy": 20, "sm": 12, "mem_gib": 6}] * spec.gpu_count if spec.has_gpu else None
        purchase = "spot" if p.interruptible else "committed" if i % 3 == 0 else "on-demand"
        fleet.add(f"r{i}", p.name, itype, region=p.region, purchase=purchase,
                  cpu=noisy(25, 4, i), mem_gib=1, gpus=gpus)  # fmt: skip
    recs = run(fleet, prod)
    assert sorted(t for r in recs for t in r.targets) == sorted(fleet.resources)
    assert all(r.region == prod.pools[int(r.targets[0][1:])].region for r in recs)
    assert all(r.monthly_saving_usd is None or r.monthly_saving_usd >= 0 for r in recs)
