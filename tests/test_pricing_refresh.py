"""`aeon catalog refresh`: the Price List API (botocore Stubber, responses of the real shape)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from aeon.cli import invoke
from optimizers import pricing


def item(instance_type: str, region: str, ondemand: str, reserved_1y: str | None = None) -> str:
    """One PriceList entry as the API returns it: a JSON string
    (docs/aws-rules.md#price-list-api)."""
    sku = f"SKU{abs(hash((instance_type, region))) % 10**8}"
    terms: dict = {
        "OnDemand": {
            f"{sku}.JRTCKXETXF": {
                "priceDimensions": {
                    f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                        "unit": "Hrs", "pricePerUnit": {"USD": ondemand},
                        "description": f"${ondemand} per On Demand Linux {instance_type} hour",
                    }
                },
                "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "termAttributes": {},
            }
        }
    }  # fmt: skip
    if reserved_1y is not None:
        terms["Reserved"] = {
            f"{sku}.4NA7Y494T4": {
                "priceDimensions": {
                    f"{sku}.4NA7Y494T4.6YS6EN2CT7": {
                        "unit": "Hrs", "pricePerUnit": {"USD": reserved_1y}
                    }
                },
                "termAttributes": {"LeaseContractLength": "1yr", "OfferingClass": "standard",
                                   "PurchaseOption": "No Upfront"},
            }
        }  # fmt: skip
    return json.dumps(
        {
            "product": {
                "productFamily": "Compute Instance",
                "attributes": {"instanceType": instance_type, "regionCode": region, "vcpu": "192",
                               "memory": "2048 GiB", "gpu": "8", "operatingSystem": "Linux"},
                "sku": sku,
            },
            "serviceCode": "AmazonEC2",
            "terms": terms,
            "publicationDate": "2026-11-20T00:00:00Z",
        }
    )  # fmt: skip


def stubbed(pages_by_type: dict[str, list[list[str]]]):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    stub = Stubber(client)
    for itype, pages in pages_by_type.items():
        for i, page in enumerate(pages):
            expected = {"ServiceCode": "AmazonEC2", "Filters": pricing.price_list_filters(itype),
                        "FormatVersion": "aws_v1"}  # fmt: skip
            if i:
                expected["NextToken"] = f"t{i}"
            response = {"PriceList": page, "FormatVersion": "aws_v1"}
            if i + 1 < len(pages):
                response["NextToken"] = f"t{i + 1}"
            stub.add_response("get_products", response, expected)
    stub.activate()
    return client, stub


def test_parse_one_item():
    listed = pricing.parse_price_list_item(
        item("p5.48xlarge", "us-east-1", "55.0400000000", "34.5")
    )
    assert listed.ondemand == 55.04 and listed.commit_1y_no_upfront == 34.5


def test_refresh_replaces_ondemand_and_commitments_keeps_spot():
    book = pricing.load_price_book()
    old_spot = book.figure("eu-west-1", "g4dn.xlarge", pricing.SPOT_AVG)
    client, stub = stubbed(
        {
            "g4dn.xlarge": [
                [item("g4dn.xlarge", "us-east-1", "0.5260000000")],
                [item("g4dn.xlarge", "eu-west-1", "0.5900000000", "0.3700000000")],
            ]
        }
    )
    pairs = {
        ("us-east-1", "g4dn.xlarge"),
        ("eu-west-1", "g4dn.xlarge"),
        ("sa-east-1", "g4dn.xlarge"),
    }
    summary = pricing.refresh_price_book(book, client, pairs, today="2026-11-28")
    stub.assert_no_pending_responses()
    assert summary.updated == 2 and summary.not_listed == [("sa-east-1", "g4dn.xlarge")]
    fig = book.figure("eu-west-1", "g4dn.xlarge", pricing.ONDEMAND)
    assert (fig.number, fig.source, fig.date) == (0.59, "aws-price-list", "2026-11-28")
    commit = book.figure("eu-west-1", "g4dn.xlarge", pricing.COMMIT_1Y)
    assert commit.number == pytest.approx((1 - 0.37 / 0.59) * 100, abs=0.01)
    assert book.figure("eu-west-1", "g4dn.xlarge", pricing.SPOT_AVG) == old_spot
    # Not listed: the old figure stays as it was.
    assert book.figure("sa-east-1", "g4dn.xlarge", pricing.ONDEMAND).source == "ec2instances.info"


def test_cli_refresh_writes_a_table_that_loads(tmp_path, monkeypatch, capsys):
    client, stub = stubbed({"p5.48xlarge": [[item("p5.48xlarge", "us-east-1", "60.0000000000")]]})
    monkeypatch.setattr(pricing, "pricing_client", lambda: client)
    out = tmp_path / "prices.csv"
    code = invoke(["catalog", "refresh", "--type", "p5.48xlarge", "--region", "us-east-1",
                   "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "refreshed 1 of 1" in capsys.readouterr().out
    book = pricing.load_price_book(out)
    assert book.number("us-east-1", "p5.48xlarge", pricing.ONDEMAND) == 60.0
    assert book.number("us-east-1", "g6e.xlarge", pricing.ONDEMAND) == 1.861  # the rest kept


def test_cli_refresh_api_error_is_a_user_error_and_changes_nothing(tmp_path, monkeypatch, capsys):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    stub = Stubber(client)
    stub.add_client_error("get_products", "AccessDeniedException", "not allowed")
    stub.activate()
    monkeypatch.setattr(pricing, "pricing_client", lambda: client)
    out = tmp_path / "prices.csv"
    code = invoke(["catalog", "refresh", "--type", "p5.48xlarge", "--region", "us-east-1",
                   "--out", str(out)])  # fmt: skip
    assert code == 2
    assert "Price List API failed" in capsys.readouterr().err
    assert not out.exists()
