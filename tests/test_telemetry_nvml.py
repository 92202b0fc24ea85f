"""NVML/GPM collection against a fake NVML replaying real H200 figures, and `aeon collect nvml`."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from aeon.cli import invoke
from optimizers.telemetry import Metric, SeriesKey, get_source
from optimizers.telemetry.nvml import CollectPlan, NvmlSampler, local_resource, record_to_csv
from optimizers.telemetry.registry import TelemetryInputError, TelemetryUnavailable
from tests.telemetry.fakes import SHARED_H200, FakeNvml, StepClock, h200_phases


def _record(tmp_path, fake, **plan):
    clock = StepClock()
    resource = local_resource(
        "gpu-node-1", pool="inference", region="us-east-1", instance_type="p5e.48xlarge"
    )
    result, metrics, inventory = record_to_csv(
        NvmlSampler(fake),
        CollectPlan(**plan),
        tmp_path / "rec",
        resource,
        clock=clock,
        sleep=clock.sleep,
    )
    return result, metrics, inventory, clock


def test_recording_reads_back_through_the_csv_source_with_gpm_metrics(tmp_path):
    phases = h200_phases()
    fake = FakeNvml(
        [phases, list(reversed(phases))], gpm=[True, False], names=["NVIDIA H200", "NVIDIA A10G"]
    )
    result, metrics, inventory, clock = _record(tmp_path, fake, samples=len(phases))

    assert result.samples == len(phases) and not result.interrupted
    assert fake.shutdowns == 1 and fake.freed == 2  # NVML closed, GPM samples freed
    assert clock.slept and all(s == pytest.approx(1.0) for s in clock.slept)
    frame = get_source("csv").load(input_dir=metrics.parent)
    assert list(frame.resources) == ["gpu-node-1"]
    assert frame.resources["gpu-node-1"].instance_type == "p5e.48xlarge"

    tensor = frame.series[SeriesKey("gpu-node-1", Metric.GPU_TENSOR_UTIL_PCT, 0)]
    np.testing.assert_allclose(tensor.values, [p["tensor_util_pct"] for p in phases])
    assert np.all(np.diff(tensor.timestamps) == 1)
    power = frame.series[SeriesKey("gpu-node-1", Metric.GPU_POWER_W, 0)]
    assert power.values.max() == pytest.approx(652.1)
    occupancy = frame.series[SeriesKey("gpu-node-1", Metric.GPU_SM_OCCUPANCY_PCT, 0)]
    assert occupancy.values[3] == pytest.approx(78.3)  # memory copy keeps warps resident
    # The second GPU has no GPM: only the NVML counter, memory and power.
    gpu1 = {k.metric for k in frame.series if k.gpu_index == 1}
    assert gpu1 == {Metric.GPU_UTIL_PCT, Metric.GPU_MEM_USED_BYTES, Metric.GPU_POWER_W}
    assert any("GPU 1" in note and "GPM" in note for note in result.notes)
    # An idle GPU still holding a loaded model's memory keeps that memory in the series.
    memory = frame.series[SeriesKey("gpu-node-1", Metric.GPU_MEM_USED_BYTES, 0)]
    assert memory.values[-1] == 109_199_605_350


def test_ctrl_c_leaves_complete_files(tmp_path):
    fake = FakeNvml([h200_phases()], interrupt_after=4)
    result, metrics, inventory, _ = _record(tmp_path, fake, interval_s=1.0)

    assert result.interrupted and result.samples == 4
    assert fake.shutdowns == 1
    rows = list(csv.reader(metrics.read_text().splitlines()))
    assert rows[0] == ["timestamp", "resource_id", "gpu_index", "metric", "value"]
    assert all(len(r) == 5 for r in rows) and len(rows) == 1 + 4 * 7
    assert get_source("csv").load(input_dir=inventory.parent).series


def test_duration_stops_by_itself_and_a_missing_power_reading_is_noted(tmp_path):
    fake = FakeNvml([h200_phases()], power=False)
    result, metrics, _, _ = _record(tmp_path, fake, interval_s=2.0, duration_s=10.0)
    assert result.samples == 5
    assert any("gpu_power_w unavailable" in n for n in result.notes)
    frame = get_source("csv").load(input_dir=metrics.parent)
    assert not any(k.metric is Metric.GPU_POWER_W for k in frame.series)


def test_metrics_path_may_be_a_csv_file_with_inventory_beside_it(tmp_path):
    clock = StepClock()
    _, metrics, inventory = record_to_csv(
        NvmlSampler(FakeNvml([h200_phases()])),
        CollectPlan(samples=2),
        tmp_path / "metrics.csv",
        local_resource("n1"),
        clock=clock,
        sleep=clock.sleep,
    )
    assert metrics == tmp_path / "metrics.csv" and inventory == tmp_path / "inventory.csv"


def test_no_driver_is_unavailable_and_writes_nothing(tmp_path):
    with pytest.raises(TelemetryUnavailable, match="no NVIDIA GPU driver"):
        _record(tmp_path, FakeNvml([h200_phases()], driver=False), samples=1)
    assert not (tmp_path / "rec").exists()


def test_sub_second_interval_is_refused():
    with pytest.raises(TelemetryInputError, match="1s or more"):
        CollectPlan(interval_s=0.1)


def test_live_load_through_the_registry():
    clock = StepClock()
    frame = get_source("nvml").load(
        nvml=FakeNvml([h200_phases()]), samples=3, resource_id="me", clock=clock, sleep=clock.sleep
    )
    assert frame.source == "nvml"
    util = frame.series[SeriesKey("me", Metric.GPU_UTIL_PCT, 0)]
    assert list(util.values) == [0, 20, 95]


def test_cli_without_a_gpu_exits_2_with_a_clear_message(tmp_path, capsys, monkeypatch):
    import optimizers.telemetry.nvml as nvml

    monkeypatch.setattr(nvml, "load_nvml_module", lambda: FakeNvml([], driver=False))
    code = invoke(["collect", "nvml", "--out", str(tmp_path / "out"), "--samples", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no NVIDIA GPU driver" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_cli_records_with_json_summary(tmp_path, capsys, monkeypatch):
    import optimizers.telemetry.nvml as nvml

    monkeypatch.setattr(nvml, "load_nvml_module", lambda: FakeNvml([h200_phases()]))
    monkeypatch.setattr(nvml.time, "sleep", lambda s: None)
    code = invoke(
        [
            "collect",
            "nvml",
            "--out",
            str(tmp_path),
            "--samples",
            "2",
            "--format",
            "json",
            "--pool",
            "inference",
            "--purchase",
            "spot",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out)
    assert summary["samples"] == 2 and summary["rows"] == 14
    frame = get_source("csv").load(input_dir=tmp_path)
    (resource,) = frame.resources.values()
    assert resource.pool == "inference" and resource.purchase.value == "spot"


def test_cli_rejects_bad_interval(tmp_path, capsys):
    assert invoke(["collect", "nvml", "--out", str(tmp_path), "--interval", "fast"]) == 2
    assert "bad duration 'fast'" in capsys.readouterr().err


@pytest.mark.skipif(
    not (SHARED_H200 / "gpm_workloads.csv").exists(),
    reason="the real H200 traces (../shared/data/gpu-h200) are not present",
)
def test_replaying_the_full_real_gpm_trace_keeps_every_sample(tmp_path):
    with (SHARED_H200 / "gpm_workloads.csv").open() as handle:
        trace = [
            {
                "gpu_util_pct": float(r["nvml_gpu_util_pct"]),
                "mem_used_bytes": float(r["mem_used_bytes"]),
                "power_w": float(r["power_mw"]) / 1000,
                "sm_util_pct": float(r["gpm_sm_util_pct"]),
                "sm_occupancy_pct": float(r["gpm_sm_occupancy_pct"]),
                "tensor_util_pct": float(r["gpm_tensor_util_pct"]),
                "dram_bw_util_pct": float(r["gpm_dram_bw_util_pct"]),
            }
            for r in csv.DictReader(handle)
        ]
    result, metrics, _, _ = _record(tmp_path, FakeNvml([trace]), samples=len(trace))
    frame = get_source("csv").load(input_dir=metrics.parent)
    sm = frame.series[SeriesKey("gpu-node-1", Metric.GPU_SM_UTIL_PCT, 0)]
    assert len(sm) == len(trace) and not frame.warnings
    np.testing.assert_allclose(sm.values, [t["sm_util_pct"] for t in trace], rtol=1e-6)
