"""The service price table: well formed, sourced, and missing figures stay missing."""

from __future__ import annotations

import pytest

from optimizers.service_prices import (
    MissingPrice,
    ServicePriceTableError,
    load_service_prices,
)


def test_table_loads_with_a_source_and_date_on_every_figure():
    prices = load_service_prices()
    assert prices.figures
    for figure in prices.figures.values():
        assert figure.source and figure.date and figure.unit


def test_s3_figures_the_storage_planner_needs_are_present_in_us_east_1():
    prices = load_service_prices()
    assert prices.usd("us-east-1", "s3.standard.storage") == 0.023
    assert prices.usd("us-east-1", "s3.standard_ia.storage") == 0.0125
    assert prices.usd("us-east-1", "s3.glacier_instant_retrieval.storage") == 0.004
    assert prices.usd("us-east-1", "s3.glacier_deep_archive.storage") == 0.00099
    assert prices.usd("us-east-1", "s3.intelligent_tiering.monitoring_and_automation") == 0.0025


def test_a_region_without_figures_is_missing_not_borrowed():
    missing = load_service_prices().usd("sa-east-1", "s3.standard.storage")
    assert missing == MissingPrice("sa-east-1", "s3.standard.storage")
    assert "s3.standard.storage" in str(missing)


@pytest.mark.parametrize(
    "row",
    ["us-east-1,k,GB,abc,src,2024-01-01", "us-east-1,k,GB,-1,src,2024-01-01", "us-east-1,k,GB"],
)
def test_malformed_rows_are_rejected(tmp_path, row):
    path = tmp_path / "t.csv"
    path.write_text("# c\nregion,price_key,unit,usd,source,date\n" + row + "\n")
    with pytest.raises(ServicePriceTableError):
        load_service_prices(path)
