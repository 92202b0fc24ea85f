"""The prod stack priced with the repository's price tables: every resource accounted for, no
kind the model does not know, pool commitments from the stack settings, regions not borrowed."""

from __future__ import annotations

from datetime import date

import pytest

from aeon.cost import estimates
from aeon.cost.inputs import commitments
from aeon.project import find_project
from optimizers.costing import EMPTY_USAGE, default_sources
from tests.helpers import REPO

ON = date(2026, 12, 1)


@pytest.fixture(scope="module")
def prod():
    inputs, _ = estimates.run_stack(find_project(REPO), "prod")
    return inputs, estimates.price(inputs, default_sources(ON), EMPTY_USAGE)


def test_every_resource_is_priced_free_or_unpriced_once(prod):
    inputs, report = prod
    custom = {r.urn for r in inputs.graph.resources
              if r.custom and not r.type.startswith("pulumi:")}  # fmt: skip
    listed = [r.urn for r in (*report.resources, *report.unpriced)]
    assert sorted(listed) == sorted(custom)
    assert report.total_monthly_usd > 10_000
    assert set(report.totals_by("region")) == {
        "us-east-1",
        "eu-west-1",
        "ap-southeast-1",
        "sa-east-1",
        "global",
    }


def test_the_model_knows_every_kind_prod_declares(prod):
    _, report = prod
    unknown = {u.type for u in report.unpriced if u.why == "no cost model for this resource type"}
    assert not unknown, f"add a pricer or a free reason for: {sorted(unknown)}"
    for gap in report.unpriced:  # what stays unpriced is a figure a region lacks, named
        assert gap.why.startswith("no price '") and gap.region == "sa-east-1", gap


def test_commitments_come_from_the_pools_and_price_the_on_demand_base(prod):
    inputs, report = prod
    committed = commitments(inputs.config, "prod")
    assert committed["training-p5"] == 1 and committed["system"] == 3
    training = next(r for r in report.resources if r.name == "training-p5" and r.lines)
    assert any("committed" in line.component for line in training.lines)


def test_eks_clusters_past_standard_support_pay_the_extended_rate(prod):
    _, report = prod
    clusters = [r for r in report.resources if r.type == "aws:eks/cluster:Cluster"]
    assert len(clusters) == 4
    assert all(round(c.monthly_usd, 2) == 438.0 for c in clusters)  # 730 h x $0.60


def test_peering_is_free_by_the_hour_and_says_its_traffic_is_not_estimated(prod):
    _, report = prod
    kinds = ("aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
             "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")  # fmt: skip
    peering = [r for r in report.resources if r.type in kinds]
    assert len(peering) == 6  # a connection and its accepter per edge region
    assert all(r.free and r.monthly_usd == 0 for r in peering)
    assert all("per GB" in r.note for r in peering if r.type == kinds[0])
