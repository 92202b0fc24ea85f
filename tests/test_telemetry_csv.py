"""The CSV source (inventory.csv + metrics.csv), the registry and duration parsing."""

from __future__ import annotations

import numpy as np
import pytest

from aeon.cli import exit_code_for
from optimizers.telemetry import (
    SOURCES,
    Metric,
    Purchase,
    SeriesKey,
    get_source,
    parse_duration,
)
from optimizers.telemetry.registry import TelemetryInputError
from optimizers.telemetry.window import align_window, cloudwatch_min_period, format_duration

INVENTORY = """resource_id,pool,region,instance_type,purchase
i-a,inference-h100,us-east-1,p5.48xlarge,on-demand
i-b,training,us-east-1,p5e.48xlarge,committed
i-c,edge-cache,eu-west-1,c7i.2xlarge,spot
"""
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def write(folder, metrics: str, inventory: str = INVENTORY):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inventory.csv").write_text(inventory)
    (folder / "metrics.csv").write_text("timestamp,resource_id,gpu_index,metric,value\n" + metrics)
    return folder


def minute_rows(resource, metric, values, gpu="", start=T0, step=60):
    return "".join(
        f"{start + i * step},{resource},{gpu},{metric},{v}\n" for i, v in enumerate(values)
    )


def test_reads_inventory_and_series_with_both_timestamp_forms(tmp_path):
    rows = minute_rows("i-a", "gpu_util_pct", [10, 20, 30], gpu="0")
    rows += (
        "2026-01-01T00:00:00Z,i-a,,cpu_util_pct,5\n2026-01-01T00:01:00+00:00,i-a,,cpu_util_pct,7\n"
    )
    rows += "2026-01-01 00:02:00,i-a,,cpu_util_pct,9\n"  # naive ISO 8601 means UTC
    frame = get_source("csv").load(input_dir=write(tmp_path, rows))

    assert frame.source == "csv" and set(frame.resources) == {"i-a", "i-b", "i-c"}
    assert frame.resources["i-b"].purchase is Purchase.COMMITTED
    assert frame.resources["i-c"].purchase is Purchase.SPOT
    cpu = frame.series[SeriesKey("i-a", Metric.CPU_UTIL_PCT)]
    assert list(cpu.timestamps) == [T0, T0 + 60, T0 + 120] and list(cpu.values) == [5, 7, 9]
    gpu = frame.series[SeriesKey("i-a", Metric.GPU_UTIL_PCT, 0)]
    assert gpu.timestamps.dtype == np.int64 and list(gpu.values) == [10, 20, 30]
    assert frame.warnings == []


def test_unparseable_rows_fail_with_their_line_numbers(tmp_path):
    rows = minute_rows("i-a", "cpu_util_pct", [1, 2])
    rows += "yesterday,i-a,,cpu_util_pct,3\n"  # line 4
    rows += f"{T0},i-a,,cpu_util_pct,lots\n"  # line 5
    rows += f"{T0},i-a,zero,gpu_util_pct,3\n"  # line 6
    rows += f"{T0},i-a,,gpu_util_pct,3\n"  # line 7: per-GPU metric without a GPU
    rows += f"{T0},i-a\n"  # line 8
    with pytest.raises(TelemetryInputError) as err:
        get_source("csv").load(input_dir=write(tmp_path, rows))
    text = str(err.value)
    assert "5 unparseable row(s)" in text
    for line in (4, 5, 6, 7, 8):
        assert f"line {line}:" in text
    assert "line 2:" not in text and "line 3:" not in text
    assert exit_code_for(err.value) == 2  # the CLI maps it to exit 2


def test_impossible_values_are_dropped_and_counted(tmp_path):
    rows = minute_rows("i-a", "cpu_util_pct", [10, -1, "nan", 250, 100.2, 30])
    rows += minute_rows("i-a", "mem_used_bytes", ["inf", 1e9])
    frame = get_source("csv").load(input_dir=write(tmp_path, rows))
    cpu = frame.series[SeriesKey("i-a", Metric.CPU_UTIL_PCT)]
    assert list(cpu.values) == [10, 100.2, 30]  # 100.2 is rounding, 250 is impossible
    (warning,) = frame.warnings
    assert "dropped 4 impossible values" in warning
    assert "cpu_util_pct 3" in warning and "mem_used_bytes 1" in warning


def test_unknown_metrics_and_resources_are_reported_and_ignored(tmp_path):
    rows = minute_rows("i-a", "cpu_util_pct", [1])
    rows += minute_rows("i-a", "disk_io_bytes", [5, 6])
    rows += minute_rows("i-zzz", "cpu_util_pct", [1])
    frame = get_source("csv").load(input_dir=write(tmp_path, rows))
    assert len(frame.series) == 1
    assert any("unknown metric(s) disk_io_bytes (2)" in w for w in frame.warnings)
    assert any("missing from inventory.csv: i-zzz" in w for w in frame.warnings)


def test_unknown_purchase_is_a_user_error_with_its_line(tmp_path):
    inventory = INVENTORY + "i-d,training,us-east-1,p5.48xlarge,3yr-reserved\n"
    with pytest.raises(TelemetryInputError, match=r"inventory.csv.*line 5: unknown purchase"):
        get_source("csv").load(input_dir=write(tmp_path, "", inventory))


def test_an_optional_role_column_says_what_undeclared_pools_are_for(tmp_path):
    from optimizers.telemetry.csv_source import inventory_csv_text, read_inventory_csv

    inventory = (
        "resource_id,pool,region,instance_type,purchase,role\n"
        "i-a,genai,us-east-1,p5.4xlarge,on-demand,inference\n"
        "i-b,genai,us-east-1,p5.4xlarge,on-demand,\n"
        "i-c,batch,us-east-1,c7i.2xlarge,spot,Preprocessing\n"
    )
    frame = get_source("csv").load(input_dir=write(tmp_path / "a", "", inventory))
    roles = {k: r.role for k, r in frame.resources.items()}
    assert roles == {"i-a": "inference", "i-b": None, "i-c": "preprocessing"}
    # written back with the role column, and read back the same
    (tmp_path / "inv.csv").write_text(inventory_csv_text(frame.resources.values()))
    assert read_inventory_csv(tmp_path / "inv.csv") == frame.resources
    # without any role, the column is left out (the format stays as before)
    plain = get_source("csv").load(input_dir=write(tmp_path / "b", "")).resources.values()
    assert inventory_csv_text(plain).splitlines()[0] == INVENTORY.splitlines()[0]
    bad = inventory.replace(",inference", ",serving")
    with pytest.raises(TelemetryInputError, match="line 2: unknown role 'serving'"):
        get_source("csv").load(input_dir=write(tmp_path / "c", "", bad))


def test_inventory_header_and_duplicates_are_checked(tmp_path):
    with pytest.raises(TelemetryInputError, match="missing column.*purchase"):
        get_source("csv").load(input_dir=write(tmp_path / "a", "", "resource_id,pool,region\n"))
    twice = INVENTORY + "i-a,training,us-east-1,p5.48xlarge,spot\n"
    with pytest.raises(TelemetryInputError, match="line 5: resource 'i-a' listed twice"):
        get_source("csv").load(input_dir=write(tmp_path / "b", "", twice))


def test_lookback_ends_at_the_newest_sample_and_keeps_short_histories(tmp_path):
    day = 86_400
    rows = minute_rows("i-a", "cpu_util_pct", [1] * 30, step=day)  # 30 days, one a day
    rows += minute_rows(
        "i-b", "gpu_mem_used_bytes", [8e10] * 3, gpu="0", start=T0 + 27 * day, step=day
    )  # started late: 3 days only
    frame = get_source("csv").load(
        input_dir=write(tmp_path, rows), lookback_s=parse_duration("14d")
    )
    cpu = frame.series[SeriesKey("i-a", Metric.CPU_UTIL_PCT)]
    assert len(cpu) == 15 and cpu.timestamps[-1] == T0 + 29 * day
    assert len(frame.series[SeriesKey("i-b", Metric.GPU_MEM_USED_BYTES, 0)]) == 3
    assert any("15 samples outside the lookback" in w for w in frame.warnings)


def test_resources_that_stop_and_restart_keep_their_gap_and_duplicates_keep_the_max(tmp_path):
    rows = minute_rows("i-c", "cpu_util_pct", [10, 20])
    rows += minute_rows("i-c", "cpu_util_pct", [30, 40], start=T0 + 3_600)
    rows += f"{T0},i-c,,cpu_util_pct,50\n"
    frame = get_source("csv").load(input_dir=write(tmp_path, rows))
    cpu = frame.series[SeriesKey("i-c", Metric.CPU_UTIL_PCT)]
    assert list(cpu.timestamps) == [T0, T0 + 60, T0 + 3_600, T0 + 3_660]
    assert list(cpu.values) == [50, 20, 30, 40]
    assert any("repeated a timestamp" in w for w in frame.warnings)


def test_region_filter_and_inventory_passed_in(tmp_path):
    rows = minute_rows("i-a", "cpu_util_pct", [1]) + minute_rows("i-c", "cpu_util_pct", [2])
    folder = write(tmp_path, rows)
    frame = get_source("csv").load(input_dir=folder, region="eu-west-1")
    assert set(frame.resources) == {"i-c"} and {k.resource_id for k in frame.series} == {"i-c"}
    other = tmp_path / "other.csv"
    other.write_text(
        "resource_id,pool,region,instance_type,purchase\ni-a,x,us-east-1,m7i.large,spot\n"
    )
    frame = get_source("csv").load(input_dir=folder, inventory=other)
    assert set(frame.resources) == {"i-a"} and frame.resources["i-a"].pool == "x"


def test_missing_files_and_options(tmp_path):
    with pytest.raises(TelemetryInputError, match="needs --input"):
        get_source("csv").load()
    with pytest.raises(TelemetryInputError, match="not a folder"):
        get_source("csv").load(input_dir=tmp_path / "nope")
    (tmp_path / "inventory.csv").write_text(INVENTORY)
    with pytest.raises(TelemetryInputError, match="metrics.csv: file not found"):
        get_source("csv").load(input_dir=tmp_path)
    with pytest.raises(TelemetryInputError, match="does not take url"):
        get_source("csv").load(input_dir=tmp_path, url="http://x")


def test_registry_lists_every_kind_and_rejects_unknown_names():
    assert set(SOURCES) == {"cloudwatch", "nvml", "prometheus", "csv"}
    assert get_source("cloudwatch").name == "cloudwatch"
    with pytest.raises(TelemetryInputError, match="unknown telemetry source 'datadog'.*csv"):
        get_source("datadog")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("14d", 1_209_600),
        ("6h", 21_600),
        ("1s", 1),
        ("90m", 5_400),
        ("2w", 1_209_600),
        ("1d12h", 129_600),
        ("300", 300),
        (60, 60),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "abc", "14x", "0s", "-5m", "d14", "5m garbage", True])
def test_parse_duration_rejects_bad_text(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_cloudwatch_retention_and_alignment():
    day = 86_400
    assert cloudwatch_min_period(14 * day) == 60
    assert cloudwatch_min_period(15 * day + 1) == 300
    assert cloudwatch_min_period(63 * day) == 300
    assert cloudwatch_min_period(100 * day) == 3_600
    with pytest.raises(TelemetryInputError, match="455-day"):
        cloudwatch_min_period(456 * day)
    start, end = align_window(T0 + 59, 3_600, 300)
    assert end == T0 + 300 and start == end - 3_600 and start % 300 == 0
