"""The Prometheus/DCGM source against a local HTTP server that answers like Prometheus."""

from __future__ import annotations

import math
import socket

import pytest

from optimizers.telemetry import Metric, SeriesKey, get_source
from optimizers.telemetry.frame import Purchase, ResourceInfo
from optimizers.telemetry.prometheus import (
    MAX_POINTS_PER_SERIES,
    MAX_WINDOW_POINTS,
    QUERIES,
    split_range,
)
from optimizers.telemetry.registry import TelemetryInputError, TelemetryUnavailable
from tests.telemetry.fake_prometheus import FakePrometheus

END = 1_793_491_200  # 2026-11-01T00:00:00Z, a multiple of 60
NODE = {
    "Hostname": "node-a",
    "modelName": "NVIDIA H100 80GB HBM3",
    "pool": "inference-h100",
    "pool_role": "inference",  # relabelled from __meta_ec2_tag_aeon_pool_role
    "instance_type": "p5.48xlarge",
}
DATA = {
    "DCGM_FI_DEV_GPU_UTIL": [
        ({**NODE, "gpu": "0"}, lambda t: 95.0),
        ({**NODE, "gpu": "1"}, lambda t: math.nan if t % 3_600 == 0 else 0.0),  # stale points
        ({"gpu": "0"}, lambda t: 1.0),  # no machine label
    ],
    "DCGM_FI_PROF_SM_ACTIVE": [({**NODE, "gpu": "0"}, lambda t: 0.448)],  # a ratio
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE": [({**NODE, "gpu": "0"}, lambda t: 0.435)],
    "DCGM_FI_PROF_DRAM_ACTIVE": [({**NODE, "gpu": "0"}, lambda t: 0.10)],
    "DCGM_FI_DEV_FB_USED": [({**NODE, "gpu": "1"}, lambda t: 97_000.0)],  # MiB: a model loaded
    "DCGM_FI_DEV_POWER_USAGE": [({**NODE, "gpu": "0"}, lambda t: 505.0)],
    "100 * (1 - avg by (instance)": [({"instance": "node-a:9100"}, lambda t: 12.5)],
    "node_memory_MemTotal_bytes": [({"instance": "node-a:9100"}, lambda t: 3.2e10)],
    # Triton's queue time per request, by node; a node no other series names is left out
    "sum by (node) (rate(nv_inference_queue_duration_us": [
        ({"node": "node-a"}, lambda t: 4.5),
        ({"node": "node-z"}, lambda t: 1.0),
    ],
    'max by (node) (nv_inference_request_summary_us{quantile="0.95"})': [
        ({"node": "node-a"}, lambda t: 38.25),
    ],
}


def test_fourteen_days_at_one_minute_is_split_to_fit_11000_points():
    with FakePrometheus(DATA) as prom:
        frame = get_source("prometheus").load(url=prom.url, lookback_s=14 * 86_400, end=END)
    ranges = [(int(r["start"]), int(r["end"]), int(r["step"])) for r in prom.requests]
    util = [r for r in prom.requests if r["query"] == "DCGM_FI_DEV_GPU_UTIL"]
    assert len(util) == 2  # 20,161 points in two ranges
    for start, end, step in ranges:
        assert step == 60 and (end - start) // step + 1 <= MAX_POINTS_PER_SERIES
    first, second = sorted((int(r["start"]), int(r["end"])) for r in util)
    assert second[0] == first[1] + 60 and first[0] == END - 14 * 86_400 and second[1] == END

    tensor = frame.series[SeriesKey("node-a", Metric.GPU_TENSOR_UTIL_PCT, 0)]
    assert len(tensor) == 20_161 and tensor.values[0] == pytest.approx(43.5)
    assert frame.series[SeriesKey("node-a", Metric.GPU_SM_UTIL_PCT, 0)].values[0] == pytest.approx(
        44.8
    )
    idle = frame.series[SeriesKey("node-a", Metric.GPU_UTIL_PCT, 1)]
    assert len(idle) == 20_161 - 337 and idle.values.max() == 0  # NaN (stale) points dropped
    assert (
        frame.series[SeriesKey("node-a", Metric.GPU_MEM_USED_BYTES, 1)].values[0] == 97_000 * 2**20
    )
    assert frame.series[SeriesKey("node-a", Metric.CPU_UTIL_PCT)].values[0] == 12.5
    assert frame.series[SeriesKey("node-a", Metric.MEM_USED_BYTES)].values[0] == 3.2e10
    node = frame.resources["node-a"]
    assert (node.pool, node.instance_type, node.purchase, node.role) == (
        "inference-h100",
        "p5.48xlarge",
        Purchase.ON_DEMAND,
        "inference",
    )
    assert any("dropped 337 impossible values" in w for w in frame.warnings)
    assert any("without a machine label" in w for w in frame.warnings)
    assert frame.series[SeriesKey("node-a", Metric.QUEUE_WAIT_MS)].values[0] == 4.5
    assert frame.series[SeriesKey("node-a", Metric.REQUEST_LATENCY_MS)].values[0] == 38.25
    assert "node-z" not in frame.resources


def test_inventory_passed_in_names_the_machines(monkeypatch):
    inventory = {
        "node-a": ResourceInfo("node-a", "training", "us-east-1", "p5.48xlarge", Purchase.COMMITTED)
    }
    with FakePrometheus(DATA) as prom:
        frame = get_source("prometheus").load(
            url=prom.url, lookback_s=3_600, end=END, inventory=inventory, step_s=300
        )
    assert frame.resources == inventory
    assert len(frame.series[SeriesKey("node-a", Metric.GPU_POWER_W, 0)]) == 13
    assert len(prom.requests) == len(QUERIES)  # one range per query


def test_split_range_covers_each_step_once():
    ranges = split_range(0, 60 * 25_000, 60)
    assert [r[0] for r in ranges] == [0, 660_000, 1_320_000]
    points = sum((e - s) // 60 + 1 for s, e in ranges)
    assert points == 25_001 and all((e - s) // 60 + 1 <= 11_000 for s, e in ranges)


def test_errors_are_reported_clearly(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_URL", raising=False)
    with pytest.raises(TelemetryInputError, match="needs a URL"):
        get_source("prometheus").load()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TelemetryUnavailable, match="cannot reach Prometheus"):
        get_source("prometheus").load(url=f"http://127.0.0.1:{port}", lookback_s=600, end=END)
    with FakePrometheus(DATA) as prom, pytest.raises(TelemetryInputError, match="exceeded maximum"):
        from optimizers.telemetry.prometheus import PrometheusClient

        PrometheusClient(prom.url).query_range("DCGM_FI_DEV_GPU_UTIL", 0, 60 * 11_001, 60)


def test_a_window_too_long_to_hold_is_refused_before_any_query():
    assert len(split_range(0, 60 * (MAX_WINDOW_POINTS - 1), 60)) == 91
    with pytest.raises(TelemetryInputError, match="shorten --lookback"):
        split_range(-86_400 * 99_999_999_999, 0, 60)
