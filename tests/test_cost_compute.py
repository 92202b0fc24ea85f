"""Hand-computed costs of EC2 capacity (groups, instances, node groups), EKS and EBS, from plan
fixtures in the real CLI's format (tests/costing/fixtures) and a fixed price book."""

from __future__ import annotations

from datetime import date

import pytest

from optimizers.costing.kinds.eks import support_on
from optimizers.costing.model import Unpriced
from optimizers.costing.usage import UsageFileError
from tests.costing.prices import by_name, lines, load, price_plan, sources, usage

H = 730


def total(report, name: str) -> float:
    return round(by_name(report, name).monthly_usd, 6)


# --- autoscaling groups ---------------------------------------------------------------------


def test_mixed_group_splits_base_percentage_and_spot_by_the_first_override():
    report = price_plan(load("autoscaling-group"))
    # 5 units; base 1 + ceil(4 x 50%) = 3 on-demand, 2 spot; launch template found through the
    # property dependency (its id is unknown in the plan).
    got = lines(report, "inference")
    assert got["Instance usage (linux, on-demand, g6e.12xlarge)"] == 3 * H * 10
    assert got["Instance usage (linux, spot, g6e.12xlarge)"] == 2 * H * 4
    assert got["Root volume storage (gp3)"] == pytest.approx(5 * 200 * 0.08)
    assert got["Root volume IOPS above 3,000 (gp3)"] == pytest.approx(5 * 1000 * 0.005)
    assert got["Root volume throughput above 125 MiB/s (gp3)"] == pytest.approx(5 * 125 * 0.04)
    assert got["EC2 detailed monitoring"] == pytest.approx(5 * 7 * 0.3)
    assert total(report, "inference") == pytest.approx(27880.5)


def test_committed_capacity_of_the_pool_is_priced_at_the_commitment_rate():
    report = price_plan(load("autoscaling-group"), commitments={"inference": 2})
    got = lines(report, "inference")
    assert got["Instance usage (linux, committed, g6e.12xlarge)"] == pytest.approx(2 * H * 7.0)
    assert got["Instance usage (linux, on-demand, g6e.12xlarge)"] == 1 * H * 10
    assert total(report, "inference") == pytest.approx(23500.5)


def test_a_commitment_larger_than_the_on_demand_capacity_is_said():
    report = price_plan(load("autoscaling-group"), commitments={"inference": 5})
    assert any("idle part is paid anyway" in w for w in by_name(report, "inference").warnings)


def test_usage_names_another_override_and_its_weight_sets_the_instances():
    plan = load("autoscaling-group")
    file = usage({"inference": {"instance_type": "g6e.24xlarge"}})
    report = price_plan(plan, usage_file=file)
    gap = by_name(report, "inference")  # no spot figure for g6e.24xlarge: unpriced, named
    assert isinstance(gap, Unpriced) and "spot_avg_usd_per_hour" in gap.why
    priced = price_plan(
        plan, usage_file=file, prices=sources(us_east_1__g6e_24xlarge__spot_saving_pct="50")
    )
    got = lines(priced, "inference")
    # 3 on-demand units / weight 2 -> 2 instances; 2 spot units -> 1 instance
    assert got["Instance usage (linux, on-demand, g6e.24xlarge)"] == 2 * H * 15
    spot = by_name(priced, "inference").lines[1]
    assert spot.estimate and spot.monthly_usd == pytest.approx(H * 7.5)
    assert total(priced, "inference") == pytest.approx(27459.3)


def test_usage_instances_overrides_the_desired_capacity():
    report = price_plan(
        load("autoscaling-group"), usage_file=usage({"inference": {"instances": 4}})
    )
    got = lines(report, "inference")  # 4 units: 1 + ceil(3 x 50%) = 3 on-demand, 1 spot
    assert got["Instance usage (linux, on-demand, g6e.12xlarge)"] == 3 * H * 10
    assert got["Instance usage (linux, spot, g6e.12xlarge)"] == 1 * H * 4


def test_an_override_the_group_does_not_list_is_a_usage_error():
    with pytest.raises(UsageFileError, match="not one of g6e.12xlarge, g6e.24xlarge"):
        price_plan(
            load("autoscaling-group"),
            usage_file=usage({"inference": {"instance_type": "p5.48xlarge"}}),
        )


def test_desired_above_max_is_priced_as_written_and_warned():
    report = price_plan(load("autoscaling-group"))
    cpu = by_name(report, "cpu")
    # no mixed-instances policy: 12 on-demand m7i.xlarge; the template leaves the root volume
    # unspecified: 8 GB gp2 each
    assert lines(report, "cpu") == {
        "Instance usage (linux, on-demand, m7i.xlarge)": pytest.approx(12 * H * 0.2),
        "Root volume storage (gp2)": pytest.approx(12 * 8 * 0.1),
    }
    assert any("above max 10: AWS would reject it" in w for w in cpu.warnings)


# --- instances ------------------------------------------------------------------------------


def test_burstable_instance_root_default_and_cpu_credits():
    report = price_plan(load("ec2-instance"))
    assert lines(report, "bastion") == {
        "Instance usage (linux, on-demand, t3.large)": pytest.approx(H * 0.08),
        "Root volume storage (gp2)": pytest.approx(8 * 0.1),  # unspecified root: 8 GB gp2
        "CPU credits": 0.0,  # t3 is unlimited by default; no usage, no credits
    }
    credit = usage({"bastion": {"monthly_cpu_credit_hrs": 100}})
    assert lines(price_plan(load("ec2-instance"), usage_file=credit), "bastion")[
        "CPU credits"
    ] == pytest.approx(100 * 2 * 0.05)  # t3.large: 2 vCPUs
    four = usage({"bastion": {"monthly_cpu_credit_hrs": 100, "vcpu_count": 4}})
    assert lines(price_plan(load("ec2-instance"), usage_file=four), "bastion")[
        "CPU credits"
    ] == pytest.approx(100 * 4 * 0.05)


def test_older_type_pays_the_ebs_optimized_surcharge_and_monitoring():
    report = price_plan(load("ec2-instance"))
    assert lines(report, "legacy") == {
        "Instance usage (linux, on-demand, r3.xlarge)": pytest.approx(H * 0.3),
        "Root volume storage (gp3)": pytest.approx(50 * 0.08),
        "Volume /dev/sdf storage (io1)": pytest.approx(100 * 0.125),
        "Volume /dev/sdf provisioned IOPS (io1)": pytest.approx(1000 * 0.065),
        "EC2 detailed monitoring": pytest.approx(7 * 0.3),
        "EBS-optimized usage": pytest.approx(H * 0.02),
    }
    assert total(report, "legacy") == pytest.approx(317.2)


@pytest.mark.parametrize(
    ("keys", "expected_hours_usd"),
    [
        ({"monthly_hrs": 100}, 100 * 0.08),
        ({"operating_system": "windows"}, H * 0.1108),
        (
            {
                "reserved_instance_type": "standard",
                "reserved_instance_term": "1_year",
                "reserved_instance_payment_option": "no_upfront",
            },
            H * 0.08 * 0.7,
        ),
        (
            {
                "reserved_instance_type": "standard",
                "reserved_instance_term": "3_year",
                "reserved_instance_payment_option": "no_upfront",
            },
            H * 0.08 * 0.5,
        ),
        (
            {
                "reserved_instance_type": "convertible",
                "reserved_instance_term": "3_year",
                "reserved_instance_payment_option": "all_upfront",
            },
            H * 0.03,
        ),
    ],
)
def test_instance_usage_keys(keys, expected_hours_usd):
    report = price_plan(load("ec2-instance"), usage_file=usage({"bastion": keys}))
    hours = by_name(report, "bastion").lines[0]
    assert hours.monthly_usd == pytest.approx(expected_hours_usd)


def test_a_reservation_without_a_price_makes_the_instance_unpriced_with_the_key():
    keys = {
        "reserved_instance_type": "standard",
        "reserved_instance_term": "1_year",
        "reserved_instance_payment_option": "partial_upfront",
    }
    gap = by_name(price_plan(load("ec2-instance"), usage_file=usage({"bastion": keys})), "bastion")
    assert gap.why == (
        "no price 'ec2.linux.reserved.standard.1_year.partial_upfront.t3.large' for us-east-1"
    )
    with pytest.raises(UsageFileError, match="reserved instances need all of"):
        price_plan(
            load("ec2-instance"),
            usage_file=usage({"bastion": {"reserved_instance_term": "1_year"}}),
        )


# --- EKS node groups and clusters -----------------------------------------------------------


def test_node_groups_from_a_launch_template_and_inline_spot():
    report = price_plan(load("eks-node-group"))
    assert lines(report, "with-template") == {
        "Instance usage (linux, on-demand, m7i.xlarge)": pytest.approx(2 * H * 0.2),
        "Root volume storage (gp3)": pytest.approx(2 * 100 * 0.08),
    }
    spot = by_name(report, "spot")
    assert spot.lines[0].estimate  # no average spot price: on-demand less the 60% saving
    assert lines(report, "spot") == {
        "Instance usage (linux, spot, m5.large)": pytest.approx(3 * H * 0.04),
        "Root volume storage (gp2)": pytest.approx(3 * 50 * 0.1),
    }


def test_eks_standard_extended_and_upgrade_policy():
    report = price_plan(load("eks-cluster"))
    assert total(report, "current") == pytest.approx(H * 0.1)  # 1.34: standard until 12-02
    old = by_name(report, "old")  # 1.30: past extended support on 2026-12-01
    assert old.monthly_usd == pytest.approx(H * 0.6)
    assert any("past its end of extended support" in w for w in old.warnings)
    assert total(report, "old-standard-policy") == pytest.approx(H * 0.1)


@pytest.mark.parametrize(
    ("version", "on", "support"),
    [
        ("1.31", date(2025, 11, 25), "standard"),
        ("1.31", date(2025, 11, 26), "extended"),  # billed from the start of that UTC day
        ("1.31", date(2026, 11, 27), "extended"),
        ("1.34", date(2026, 12, 1), "standard"),
        ("1.34", date(2026, 12, 2), "extended"),
        ("1.99", date(2026, 12, 1), "standard"),
        ("1.20", date(2026, 12, 1), "extended"),
        (None, date(2026, 12, 1), "standard"),
    ],
)
def test_eks_calendar(version, on, support):
    assert support_on(version, on)[0] == support


# --- EBS ------------------------------------------------------------------------------------


def test_ebs_volume_classes_iops_throughput_and_io_requests():
    report = price_plan(load("ebs-volumes"))
    assert total(report, "fast") == pytest.approx(1000 * 0.08 + 3000 * 0.005 + 375 * 0.04)
    assert total(report, "archive") == pytest.approx(2000 * 0.015)
    assert total(report, "magnetic") == pytest.approx(100 * 0.05)
    io = usage({"magnetic": {"monthly_standard_io_requests": 2_000_000}})
    assert total(price_plan(load("ebs-volumes"), usage_file=io), "magnetic") == pytest.approx(
        5 + 2 * 0.05
    )
    assert "io2 IOPS above 32,000" in by_name(report, "db").why
    attachment = by_name(report, "fast-on-db-host")
    assert attachment.free and attachment.monthly_usd == 0  # the volume itself is priced
