"""A small, fixed price book for hand-computed cost checks (figures shaped like the real ones;
the tests' arithmetic does not move when the repository's tables are refreshed)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from aeon.analyzer.plan import resources_from_plan
from aeon.cost.inputs import stack_inputs
from optimizers.costing import (
    EMPTY_USAGE,
    PriceSources,
    UsageFile,
    parse_usage,
    price_stack,
)
from optimizers.pricing import Figure, PriceBook
from optimizers.service_prices import ServicePrice, ServicePrices

ON = date(2026, 12, 1)
FIXTURES = Path(__file__).parent / "fixtures"

EC2 = {  # (region, type, figure) -> value
    ("us-east-1", "g6e.12xlarge", "ondemand_usd_per_hour"): "10",
    ("us-east-1", "g6e.12xlarge", "spot_avg_usd_per_hour"): "4",
    ("us-east-1", "g6e.24xlarge", "ondemand_usd_per_hour"): "15",
    ("us-east-1", "m7i.xlarge", "ondemand_usd_per_hour"): "0.2",
    ("us-east-1", "m5.large", "ondemand_usd_per_hour"): "0.1",
    ("us-east-1", "m5.large", "spot_saving_pct"): "60",
    ("us-east-1", "t3.large", "ondemand_usd_per_hour"): "0.08",
    ("us-east-1", "r3.xlarge", "ondemand_usd_per_hour"): "0.3",
    ("us-east-1", "*", "commit_1y_discount_pct"): "30",
    ("us-east-1", "*", "commit_3y_discount_pct"): "50",
}
SERVICES = (
    [  # (region, key, unit, usd)
        ("us-east-1", "ebs.gp2.storage", "GB", 0.1),
        ("us-east-1", "ebs.gp3.storage", "GB", 0.08),
        ("us-east-1", "ebs.gp3.iops", "IOPS", 0.005),
        ("us-east-1", "ebs.gp3.throughput", "Mbps", 0.04),
        ("us-east-1", "ebs.io1.storage", "GB", 0.125),
        ("us-east-1", "ebs.io1.iops", "IOPS", 0.065),
        ("us-east-1", "ebs.io2.storage", "GB", 0.125),
        ("us-east-1", "ebs.io2.iops", "IOPS", 0.065),
        ("us-east-1", "ebs.sc1.storage", "GB", 0.015),
        ("us-east-1", "ebs.standard.storage", "GB", 0.05),
        ("us-east-1", "ebs.standard.io_requests", "1M request", 0.05),
        ("us-east-1", "ec2.cpu_credits.t3", "vCPU-hours", 0.05),
        ("us-east-1", "ec2.ebs_optimized.r3.xlarge", "hours", 0.02),
        ("us-east-1", "cloudwatch.ec2_detailed_monitoring.metric", "metrics", 0.3),
        ("us-east-1", "ec2.windows.on_demand.shared.t3.large", "hours", 0.1108),
        ("us-east-1", "ec2.linux.reserved.convertible.3_year.all_upfront.t3.large", "hours", 0.03),
        ("us-east-1", "eks.cluster.standard_support.hour", "hours", 0.1),
        ("us-east-1", "eks.cluster.extended_support.hour", "hours", 0.6),
        ("us-east-1", "vpc.nat_gateway.hour", "hours", 0.045),
        ("us-east-1", "vpc.nat_gateway.data_processed", "GB", 0.045),
        ("us-east-1", "vpc.public_ipv4.hour", "hours", 0.005),
        ("us-east-1", "vpc.endpoint.interface.hour", "hours", 0.01),
        ("us-east-1", "vpc.endpoint.interface.data_processed", "GB", 0.01),
        ("us-east-1", "elb.application.hour", "hours", 0.0225),
        ("us-east-1", "elb.application.lcu", "LCU", 5.84),
        ("us-east-1", "elb.network.hour", "hours", 0.0225),
        ("us-east-1", "elb.network.lcu", "LCU", 4.38),
        ("us-east-1", "elb.classic.hour", "hours", 0.025),
        ("us-east-1", "elb.classic.data_processed", "GB", 0.008),
        ("us-east-1", "elasticache.on_demand.cache.m7g.large", "hours", 0.158),
        ("us-east-1", "elasticache.on_demand.cache.r7g.large", "hours", 0.219),
        ("us-east-1", "elasticache.backup.storage", "GB", 0.085),
        ("us-east-1", "cloudwatch.alarm.standard", "alarm metrics", 0.1),
        ("us-east-1", "cloudwatch.alarm.high_resolution", "alarm metrics", 0.3),
        ("us-east-1", "kms.key", "months", 1.0),
        ("us-east-1", "kms.requests.symmetric", "10k requests", 0.03),
        ("us-east-1", "sqs.standard.requests", "1M requests", 0.4),
        ("us-east-1", "sqs.fifo.requests", "1M requests", 0.5),
        ("us-east-1", "sns.requests", "1M requests", 0.5),
        ("us-east-1", "sns.notifications.http", "100k notifications", 0.06),
        ("us-east-1", "sns.notifications.email", "100k notifications", 2.0),
        ("sa-east-1", "vpc.nat_gateway.hour", "hours", 0.093),
        ("sa-east-1", "vpc.nat_gateway.data_processed", "GB", 0.093),
        ("global", "route53.hosted_zone", "months", 0.5),
        ("global", "route53.queries.standard", "1M queries", 0.4),
        ("global", "route53.queries.standard_over_1b", "1M queries", 0.2),
        ("global", "route53.queries.latency", "1M queries", 0.6),
        ("global", "route53.queries.latency_over_1b", "1M queries", 0.3),
        ("global", "route53.queries.geo", "1M queries", 0.7),
        ("global", "route53.queries.geo_over_1b", "1M queries", 0.35),
        ("global", "route53.health_check.aws", "months", 0.5),
        ("global", "route53.health_check.non_aws", "months", 0.75),
        ("global", "route53.health_check.optional_feature.aws", "months", 1.0),
        ("global", "route53.health_check.optional_feature.non_aws", "months", 2.0),
        ("global", "cloudfront.data_transfer_out.us.first_10tb", "GB", 0.085),
        ("global", "cloudfront.data_transfer_out.us.next_40tb", "GB", 0.08),
        ("global", "cloudfront.data_transfer_out.europe.first_10tb", "GB", 0.085),
        ("global", "cloudfront.data_transfer_to_origin.us", "GB", 0.02),
        ("global", "cloudfront.requests_http.us", "10k requests", 0.0075),
        ("global", "cloudfront.requests_https.us", "10k requests", 0.01),
        ("global", "cloudfront.requests_https.europe", "10k requests", 0.012),
        ("global", "cloudfront.invalidation.path", "paths", 0.005),
        ("global", "cloudfront.dedicated_ip_ssl.certificate", "months", 600.0),
    ]
    + [
        ("us-east-1", f"s3.{cls}.{dim}", unit, usd)
        for cls, dims in {
            "standard": {
                "storage": 0.023,
                "put_copy_post_list_requests": 0.005,
                "get_select_and_all_other_requests": 0.0004,
                "select_data_scanned": 0.002,
                "select_data_returned": 0.0007,
            },
            "standard_ia": {
                "storage": 0.0125,
                "put_copy_post_list_requests": 0.01,
                "get_select_and_all_other_requests": 0.001,
                "lifecycle_transition": 0.01,
                "retrievals": 0.01,
                "select_data_scanned": 0.002,
                "select_data_returned": 0.01,
            },
            "intelligent_tiering": {
                "storage_frequent_access": 0.023,
                "storage_infrequent_access": 0.0125,
                "storage_archive_access": 0.0036,
                "storage_deep_archive_access": 0.00099,
                "monitoring_and_automation": 0.0025,
                "put_copy_post_list_requests": 0.005,
                "get_select_and_all_other_requests": 0.0004,
                "lifecycle_transition": 0.01,
                "early_delete_within_30_days": 0.023,
            },
            "glacier_flexible_retrieval": {
                "storage": 0.0036,
                "retrieval_requests_standard": 0.03,
                "retrievals_standard": 0.01,
                "retrieval_requests_expedited": 10.0,
                "retrievals_expedited": 0.03,
                "early_delete_within_90_days": 0.0036,
            },
            "glacier_deep_archive": {
                "storage": 0.00099,
                "retrieval_requests_bulk": 0.025,
                "retrievals_bulk": 0.0025,
                "lifecycle_transition": 0.05,
            },
        }.items()
        for dim, usd in dims.items()
        for unit in [
            (
                "1k requests"
                if "request" in dim or dim == "lifecycle_transition"
                else "1k objects"
                if dim == "monitoring_and_automation"
                else "GB"
            )
        ]
    ]
    + [("us-east-1", "s3.object_tagging", "10k tags", 0.0065)]
)


def sources(on: date = ON, **overrides: str) -> PriceSources:
    """The fixed book; `overrides` replace EC2 figures: `us_east_1__g6e_12xlarge__...`."""
    figures = {key: Figure(value, "test", "2026-12-01") for key, value in EC2.items()}
    for name, value in overrides.items():
        region, itype, figure = name.split("__")
        figures[(region.replace("_", "-"), itype.replace("_", "."), figure)] = Figure(
            value, "test", "2026-12-01"
        )
    services = {
        (region, key): ServicePrice(region, key, unit, usd, "test", "2026-12-01")
        for region, key, unit, usd in SERVICES
    }
    return PriceSources(PriceBook(figures), ServicePrices(services), on)


def load(fixture: str) -> dict:
    return json.loads((FIXTURES / f"{fixture}.json").read_text())


def usage(entries: dict | None) -> UsageFile:
    """A usage file whose `resource_usage` is `entries` (a whole file when it has `version`)."""
    if entries is None:
        return EMPTY_USAGE
    data = entries if "version" in entries else {"version": "0.1", "resource_usage": entries}
    return parse_usage(data, "usage.yml")


def price_plan(
    plan: dict,
    *,
    usage_file: UsageFile = EMPTY_USAGE,
    commitments=None,
    prices: PriceSources | None = None,
):
    loaded = resources_from_plan(plan, "plan.json")
    inputs = stack_inputs(loaded.project, loaded.stack, loaded.resources, loaded.config)
    return price_stack(
        inputs.graph,
        prices or sources(),
        project=loaded.project,
        stack=loaded.stack,
        usage=usage_file,
        commitments=commitments or {},
    )


def by_name(report, name: str):
    found = [r for r in (*report.resources, *report.unpriced) if r.name == name]
    if len(found) > 1:  # a launch template named like its group: the priced one
        found = [r for r in found if not getattr(r, "free", False)]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def lines(report, name: str) -> dict[str, float]:
    """component -> monthly USD of one resource's lines."""
    return {line.component: round(line.monthly_usd, 6) for line in by_name(report, name).lines}
