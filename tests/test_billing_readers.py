"""FOCUS and CUR readers over CSV, CSV.gz and Parquet: what counts as instance usage, how the type
is found, and bad input named by file, column and line."""

from __future__ import annotations

import string
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from optimizers.billing.errors import BillingInputError
from optimizers.billing.formats import BillingFormat, legacy_cur_name
from optimizers.billing.local import LocalBilling
from optimizers.billing.usage import read_hourly_usage
from optimizers.pricing import load_price_book
from tests.billing.exports import (
    FOCUS_COLUMNS,
    LEGACY_CUR,
    cur_row,
    focus_columns,
    focus_row,
    write_csv,
)

# ../shared beside the clone (CI), or the main checkout's when run from a worktree under /work/wt
SAMPLE = next(
    (
        p / "shared" / "data" / "focus"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared" / "data" / "focus").is_dir()
    ),
    Path("absent"),
)


def series_of(usage, itype, region="us-east-1"):
    found = [s for s in usage.series if (s.instance_type, s.region) == (itype, region)]
    assert len(found) == 1, [(s.instance_type, s.region) for s in usage.series]
    return found[0]


def test_focus_rows_are_summed_per_hour_and_purchase(tmp_path):
    rows = [
        focus_row(0, "p5.48xlarge", 3.0, 55.04),  # one row, three instance-hours
        focus_row(0, "p5.48xlarge", 0.5, 55.04),
        focus_row(0, "p5.48xlarge", 2.0, 55.04, purchase="Committed"),
        focus_row(2, "p5.48xlarge", 1.0, 55.04, purchase="Dynamic"),
        focus_row(2, "g5.xlarge", 1.0, 1.006, region="eu-west-1"),
        focus_row(1, None, 9.0, 0.045, description="$0.045 per NAT Gateway Hour", sku="NAT"),
        focus_row(3, None, 4.0, 0.1, service="Amazon Simple Storage Service", unit="GB-Months"),
    ]
    path = write_csv(tmp_path / "focus.csv", rows)
    usage = read_hourly_usage(LocalBilling(path))
    assert usage.hours == 4 and usage.unknown.rows == 0
    p5 = series_of(usage, "p5.48xlarge")
    assert p5.on_demand.tolist() == [3.5, 0, 0, 0]
    assert p5.committed.tolist() == [2.0, 0, 0, 0]
    assert p5.spot.tolist() == [0, 0, 1.0, 0]
    assert p5.demand.tolist() == [5.5, 0, 0, 0]  # an hour without rows is zero demand
    assert p5.on_demand_rate == pytest.approx(55.04) and p5.rate_source == "billing"
    assert series_of(usage, "g5.xlarge", "eu-west-1").on_demand.sum() == 1.0


def test_type_from_usage_type_then_description_then_sku_then_price_table(tmp_path):
    book = load_price_book()
    rate = book.number("us-east-1", "g6e.12xlarge", "ondemand_usd_per_hour")
    rows = [
        focus_row(0, "g5.xlarge", 1, 1.006, usage_type="USE1-BoxUsage:g6.xlarge", sku="A"),
        focus_row(0, "c5.large", 1, 0.085, sku="B"),  # description
        focus_row(1, None, 2, 0.085, sku="B", usage_type="BoxUsage"),  # same SKU as a typed row
        focus_row(1, None, 1, rate, sku="C", usage_type="BoxUsage"),  # one type at this price
        focus_row(1, None, 7, 0.123456, sku="D", usage_type="BoxUsage"),  # counted, not guessed
    ]
    path = write_csv(tmp_path / "focus.csv", rows, focus_columns(rows))
    usage = read_hourly_usage(LocalBilling(path), book=book)
    assert series_of(usage, "g6.xlarge").on_demand.tolist() == [1, 0]
    assert series_of(usage, "c5.large").on_demand.tolist() == [1, 2]
    assert series_of(usage, "g6e.12xlarge").on_demand.tolist() == [0, 1]
    assert usage.typed_by_sku_rows == 1 and usage.typed_by_price_rows == 1
    assert usage.unknown.rows == 1 and usage.unknown.instance_hours == 7
    assert usage.unknown.skus == ["D"]


def test_ebs_optimized_rows_beside_an_instance_are_not_a_second_instance(tmp_path):
    # EC2 bills an older type's EBS-optimized bandwidth every hour on the same instance
    ebs = dict(usage_type="USE1-EBSOptimized:c4.large", sku="EBS")
    rows = [
        focus_row(h, "c4.large", 2, 0.1, usage_type="USE1-BoxUsage:c4.large") for h in (0, 1)
    ] + [
        focus_row(h, None, 2, 0.0, description="$0.00 for 500 Mbps per c4.large instance-hour",
                  **ebs)
        for h in (0, 1)
    ]  # fmt: skip
    usage = read_hourly_usage(
        LocalBilling(write_csv(tmp_path / "f.csv", rows, focus_columns(rows)))
    )
    assert series_of(usage, "c4.large").demand.tolist() == [2, 2]
    assert usage.unknown.rows == 0  # not an untyped instance either
    cur = [cur_row(0, "c4.large", 1, 0.1)]
    cur.append(
        {
            **cur[0],
            "lineItem/UsageType": "EBSOptimized:c4.large",
            "lineItem/LineItemDescription": "$0.00 for 500 Mbps per c4.large instance-hour",
        }
    )
    usage = read_hourly_usage(LocalBilling(write_csv(tmp_path / "cur.csv", cur, LEGACY_CUR)))
    assert series_of(usage, "c4.large").demand.tolist() == [1]


def test_unused_commitment_rows_are_not_demand(tmp_path):
    rows = [
        focus_row(0, "m5.large", 1, 0.096, purchase="Committed"),
        focus_row(0, "m5.large", 1, 0.096, purchase="Committed", status="Unused"),
    ]
    usage = read_hourly_usage(LocalBilling(write_csv(tmp_path / "f.csv", rows)))
    assert series_of(usage, "m5.large").committed.tolist() == [1.0]


def test_lookback_keeps_the_last_hours(tmp_path):
    rows = [focus_row(h, "m5.large", h + 1, 0.096) for h in range(48)]
    usage = read_hourly_usage(
        LocalBilling(write_csv(tmp_path / "f.csv", rows)), lookback_s=6 * 3600
    )
    assert usage.hours == 6
    assert series_of(usage, "m5.large").on_demand.tolist() == [43, 44, 45, 46, 47, 48]


def test_csv_gz_and_parquet_read_alike(tmp_path):
    rows = [focus_row(h, "m5.large", 2, 0.096) for h in range(5)]
    gz = write_csv(tmp_path / "part-0.csv.gz", rows)
    parquet = tmp_path / "part-0.parquet"
    duckdb.execute(
        f"COPY (SELECT * FROM read_csv('{gz}', all_varchar = true, nullstr = 'NULL')) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    for path in (gz, parquet):
        usage = read_hourly_usage(LocalBilling(path))
        assert series_of(usage, "m5.large").on_demand.sum() == 10


def test_a_folder_of_export_parts(tmp_path):
    folder = tmp_path / "export" / "BILLING_PERIOD=2024-09"
    folder.mkdir(parents=True)
    write_csv(folder / "a.csv.gz", [focus_row(0, "m5.large", 1, 0.096)])
    write_csv(folder / "b.csv.gz", [focus_row(1, "m5.large", 3, 0.096)])
    usage = read_hourly_usage(LocalBilling(tmp_path / "export"))
    assert series_of(usage, "m5.large").on_demand.tolist() == [1, 3]


def test_legacy_cur_csv_gz(tmp_path):
    rows = [
        cur_row(0, "p5.48xlarge", 2, 98.32),
        cur_row(0, "p5.48xlarge", 1, 98.32, kind="SavingsPlanCoveredUsage"),
        cur_row(1, "p5.48xlarge", 1, 98.32, kind="DiscountedUsage"),
        cur_row(1, "p5.48xlarge", 4, 98.32, kind="Spot"),
        cur_row(1, "c5.large", 1, 0.107, region="eu-west-1", prefix="EUW1-"),
        cur_row(1, "x", 5, 1.0, product="AmazonS3"),
    ]
    source = LocalBilling(write_csv(tmp_path / "cur.csv.gz", rows, LEGACY_CUR))
    assert source.layout.format == BillingFormat.CUR_LEGACY
    usage = read_hourly_usage(source)
    p5 = series_of(usage, "p5.48xlarge")
    assert p5.on_demand.tolist() == [2, 0] and p5.committed.tolist() == [1, 1]
    assert p5.spot.tolist() == [0, 4] and p5.on_demand_rate == pytest.approx(98.32)
    assert series_of(usage, "c5.large", "eu-west-1").on_demand.tolist() == [0, 1]


def test_cur2_parquet(tmp_path):
    rows = [cur_row(h, "g5.xlarge", 1 + h, 1.006) for h in range(3)]
    legacy = write_csv(tmp_path / "legacy.csv", rows, LEGACY_CUR)
    renamed = ", ".join(f'"{c}" AS {legacy_cur_name(c)}' for c in LEGACY_CUR if "Tags" not in c)
    parquet = tmp_path / "cur2.parquet"
    duckdb.execute(
        f"COPY (SELECT {renamed}, product_region AS product_region_code "
        f"FROM read_csv('{legacy}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)"
    )
    source = LocalBilling(parquet)
    assert source.layout.format == BillingFormat.CUR_2
    assert series_of(read_hourly_usage(source), "g5.xlarge").on_demand.tolist() == [1, 2, 3]


def test_focus_1_1_is_recognised(tmp_path):
    rows = [{**focus_row(0, "m5.large", 1, 0.096), "ServiceSubcategory": "Virtual Machines"}]
    source = LocalBilling(write_csv(tmp_path / "f.csv", rows, focus_columns(rows)))
    assert source.layout.format == BillingFormat.FOCUS_1_1


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/data/focus is not beside the clone")
def test_the_real_focus_sample():
    usage = read_hourly_usage(LocalBilling(SAMPLE / "focus_1.0_sample_1000.csv"))
    assert usage.format == "focus-1.0" and usage.hours == 720  # September 2024, hourly
    assert series_of(usage, "g5.4xlarge").on_demand.sum() == pytest.approx(6.283056)
    assert series_of(usage, "t2.medium", "us-west-2").committed.sum() == 1.0  # a Savings Plan row
    assert usage.unknown.rows == 0


# --- bad input: exit 2 material, naming file, column or line -----------------------------------


def test_not_a_billing_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(BillingInputError, match=r"x\.csv: neither FOCUS .* its columns are a, b"):
        LocalBilling(path)


def test_missing_required_column(tmp_path):
    rows = [focus_row(0, "m5.large", 1, 0.096)]
    cols = [c for c in FOCUS_COLUMNS if c != "ConsumedQuantity"]
    path = write_csv(tmp_path / "f.csv", rows, cols)
    with pytest.raises(BillingInputError, match="column ConsumedQuantity.*ConsumedQuantity"):
        LocalBilling(path)


def test_unparseable_value_names_file_line_and_column(tmp_path):
    rows = [focus_row(h, "m5.large", 1, 0.096) for h in range(5)]
    rows[3]["ConsumedQuantity"] = "1,5"
    path = write_csv(tmp_path / "f.csv", rows)
    with pytest.raises(BillingInputError) as err:
        read_hourly_usage(LocalBilling(path))
    assert err.value.line == 5 and err.value.column == "ConsumedQuantity"
    assert str(path) in str(err.value) and "'1,5' is not a double" in str(err.value)


def test_daily_rows_are_refused_for_hourly_planning(tmp_path):
    row = focus_row(0, "m5.large", 24, 0.096)
    row["ChargePeriodEnd"] = "2024-09-02 00:00:00"
    with pytest.raises(BillingInputError, match="span up to 24 hours.*hourly granularity"):
        read_hourly_usage(LocalBilling(write_csv(tmp_path / "f.csv", [row])))


def test_missing_paths(tmp_path):
    with pytest.raises(BillingInputError, match="no such file"):
        LocalBilling(tmp_path / "nope.csv")
    with pytest.raises(BillingInputError, match="holds no .csv"):
        LocalBilling(tmp_path)


CELLS = st.text(alphabet=string.printable + "éß\u00a0", max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    column=st.sampled_from(["ConsumedQuantity", "ListUnitPrice", "ChargePeriodStart", "Tags",
                            "ChargeDescription", "RegionId", "ConsumedUnit"]),
    value=CELLS,
)  # fmt: skip
@example(column="ChargePeriodStart", value="-INFINITY")  # DuckDB casts it to a timestamp
@example(column="ChargePeriodStart", value="9999-01-01")
def test_fuzzed_cells_never_escape_as_anything_but_input_errors(tmp_path, column, value):
    rows = [focus_row(h, "m5.large", 1, 0.096) for h in range(3)]
    rows[1][column] = value
    path = write_csv(tmp_path / "fuzz.csv", rows)
    try:
        usage = read_hourly_usage(LocalBilling(path))
    except BillingInputError as exc:
        assert str(path) in str(exc)
        return
    assert usage.hours >= 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_fuzzed_files_never_escape_as_anything_but_input_errors(tmp_path, data):
    path = tmp_path / "junk.csv"
    path.write_bytes(data)
    with pytest.raises(BillingInputError):
        read_hourly_usage(LocalBilling(path))


def test_each_group_s_hours_and_quantities_stay_aligned_on_many_threads(tmp_path):
    """hourly_usage.sql hands a group's hours and quantities over as two arrays: DuckDB must keep
    them in one row order (docs/billing.md). A shuffled export in 4 files read on 4 threads,
    every hour's quantity its own."""
    hours = 24 * 40
    rows = [focus_row(h, "m5.large", 1 + h / 2, 0.096) for h in range(hours)]
    rows += [focus_row(h, "m5.large", 1000 + h, 0.096, purchase="Dynamic") for h in range(hours)]
    order = np.random.default_rng(7).permutation(len(rows))
    folder = tmp_path / "parts"
    folder.mkdir()
    for part in range(4):
        write_csv(folder / f"part-{part}.csv", [rows[i] for i in order[part::4]])
    source = LocalBilling(folder)
    source.con.execute("SET threads = 4")
    usage = read_hourly_usage(source)
    m5 = series_of(usage, "m5.large")
    assert m5.on_demand.tolist() == [1 + h / 2 for h in range(hours)]
    assert m5.spot.tolist() == [1000 + h for h in range(hours)]
