"""The price table in the repo: coverage, sources, missing figures, the price actually paid."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from optimizers.catalog import from_moto_package
from optimizers.pricing import (
    ONDEMAND,
    PRICE_TABLE,
    SPOT_AVG,
    PriceTableError,
    load_price_book,
)

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1")


@pytest.fixture(scope="module")
def book():
    return load_price_book()


def test_every_nvidia_type_in_us_east_1_has_a_row(book):
    catalog = from_moto_package(("us-east-1",))
    for spec in catalog.in_region("us-east-1"):
        if spec.gpu_manufacturer == "NVIDIA":
            assert book.figure("us-east-1", spec.instance_type, ONDEMAND) is not None, spec


def test_every_stack_type_has_rows_in_all_four_regions(book):
    root = PRICE_TABLE.parent.parent
    config = YAML(typ="safe").load((root / "Pulumi.prod.yaml").read_text())["config"]
    types = {t for p in config["aeon-infra:pools"] for t in p["instance_types"]}
    for region in REGIONS:
        for itype in types:
            assert book.figure(region, itype, ONDEMAND) is not None, (region, itype)


def test_every_figure_has_a_source_and_a_date(book):
    for key, fig in book.figures.items():
        assert fig.source and len(fig.date) == 10, key
    for name in (
        "karpenter",
        "ec2instances.info",
        "spot-advisor",
        "ri-sample",
        "Apache-2.0",
        "MIT",
    ):
        assert name in book.header


def test_known_figures(book):
    assert book.number("us-east-1", "p5.48xlarge", ONDEMAND) == 55.04  # Karpenter 2026-07
    assert book.figure("us-east-1", "p5.48xlarge", ONDEMAND).source == "karpenter"
    assert book.number("ap-southeast-1", "g4dn.xlarge", ONDEMAND) == 0.736  # ec2instances.info
    assert book.number("ap-southeast-1", "g4dn.xlarge", SPOT_AVG) == 0.24288


def test_missing_figures_stay_missing(book):
    fig = book.figure("eu-west-1", "g6e.xlarge", ONDEMAND)
    assert fig is not None and fig.value is None  # stored, as missing
    paid = book.price_paid("g6e.xlarge", "eu-west-1", "on-demand")
    assert paid.usd_per_hour is None
    assert book.price_paid("no.such", "us-east-1", "on-demand").usd_per_hour is None


def test_price_paid_per_purchase_option(book):
    od = book.price_paid("g4dn.xlarge", "eu-west-1", "on-demand")
    spot = book.price_paid("g4dn.xlarge", "eu-west-1", "spot")
    committed = book.price_paid("g4dn.xlarge", "eu-west-1", "committed")
    assert od.usd_per_hour == 0.587
    assert spot.usd_per_hour == 0.25241 and spot.basis == "spot"
    assert committed.usd_per_hour == pytest.approx(0.587 * (1 - 0.3847))
    # No spot average: the typical Spot Advisor saving for that very type and region.
    fallback = book.price_paid("g6e.xlarge", "us-east-1", "spot")
    assert fallback.usd_per_hour == pytest.approx(1.861 * (1 - 0.58))
    assert "typical" in fallback.note


def test_a_broken_table_is_rejected(tmp_path):
    bad = tmp_path / "prices.csv"
    bad.write_text("region,instance_type,figure,value,source,date\nus-east-1,m5.large,x,1,s,d\n")
    with pytest.raises(PriceTableError, match="unknown figure"):
        load_price_book(bad)
    bad.write_text("region,instance_type,figure,value,source,date\n"
                   "us-east-1,m5.large,ondemand_usd_per_hour,abc,s,2024-01-01\n")  # fmt: skip
    with pytest.raises(PriceTableError, match="not a number"):
        load_price_book(bad)
