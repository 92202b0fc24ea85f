"""Rebuild optimizers/service_prices.csv: unit prices of the AWS services other than EC2 capacity.

Offline, from the recorded us-east-1 unit prices in the shared data folder (infracost's price keys,
newest date per key), plus the few figures that file lacks, each taken from the AWS pricing page
named in its source column. Regions the sources do not cover have no rows: a resource that needs
one of their prices is unpriced, never priced at us-east-1 rates.

    .venv/bin/python scripts/build_service_prices.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "optimizers" / "service_prices.csv"
RECORDED = "prices/unit_prices_us-east-1_infracost.csv"

HEADER = """\
# Unit prices (USD, list, Linux/shared where it matters) of AWS services other than EC2 capacity,
# one figure per row with its source and date. Keys follow infracost's price keys
# (<service>.<class>.<dimension>). A key missing for a region stays missing: whatever needs it is
# reported unpriced. Rebuild with scripts/build_service_prices.py.
# unit: hours = per hour; GB = per GB-month for storage, per GB for retrieval, transfer and
#       processing; 1k requests = per 1,000 requests; 1k objects = per 1,000 objects per month.
# source:
#   infracost            infracost test outputs (Apache-2.0), us-east-1, the date in the row
#   aws-s3-pricing       https://aws.amazon.com/s3/pricing/ (Glacier Instant Retrieval and
#                        Intelligent-Tiering Archive Instant Access), read
#                        2026-11 for this project
#   aws-<service>-pricing  the AWS pricing page of that service, read 2026-12 for the cost model:
#                        https://aws.amazon.com/<ebs|vpc|elasticloadbalancing|eks|elasticache|
#                        route53|cloudfront|cloudwatch|kms|sqs|sns>/pricing/ ; docs/costing.md
#                        says which figures were cross-checked and against what
# region `global`: services priced the same wherever the resource is declared (Route 53,
# CloudFront). CloudFront keys name the edge location group, not an AWS region.
"""

# Figures the recorded file lacks (us-east-1 list, from the AWS S3 pricing page).
EXTRA = [
    ("us-east-1", "s3.glacier_instant_retrieval.storage", "GB", "0.004"),
    ("us-east-1", "s3.glacier_instant_retrieval.retrievals", "GB", "0.03"),
    ("us-east-1", "s3.glacier_instant_retrieval.get_select_and_all_other_requests", "1k requests",
     "0.01"),
    ("us-east-1", "s3.glacier_instant_retrieval.put_copy_post_list_requests", "1k requests",
     "0.02"),
    ("us-east-1", "s3.glacier_instant_retrieval.lifecycle_transition", "1k requests", "0.02"),
    ("us-east-1", "s3.glacier_instant_retrieval.early_delete_within_90_days", "GB", "0.004"),
    # Intelligent-Tiering's Archive Instant Access tier (objects unread for 90 days).
    ("us-east-1", "s3.intelligent_tiering.storage_archive_instant_access", "GB", "0.004"),
]  # fmt: skip
EXTRA_SOURCE, EXTRA_DATE = "aws-s3-pricing", "2026-11-01"

EDGE_REGIONS = ("eu-west-1", "ap-southeast-1", "sa-east-1")
STACK_REGIONS = ("us-east-1", *EDGE_REGIONS)
CLOUDFRONT_GROUPS = (
    "us", "europe", "south_africa", "south_america", "japan", "australia", "asia_pacific", "india",
)  # fmt: skip
CLOUDFRONT_TIERS = ("first_10tb", "next_40tb", "next_100tb", "next_350tb", "next_524tb",
                    "next_4pb", "over_5pb")  # fmt: skip
# Regional Data Transfer Out to Internet, per GB, one column per CLOUDFRONT_GROUPS entry.
CLOUDFRONT_OUT = {
    "first_10tb": (0.085, 0.085, 0.110, 0.110, 0.114, 0.114, 0.120, 0.109),
    "next_40tb": (0.080, 0.080, 0.105, 0.105, 0.089, 0.098, 0.100, 0.085),
    "next_100tb": (0.060, 0.060, 0.090, 0.090, 0.086, 0.094, 0.095, 0.082),
    "next_350tb": (0.040, 0.040, 0.080, 0.080, 0.084, 0.092, 0.090, 0.080),
    "next_524tb": (0.030, 0.030, 0.060, 0.060, 0.080, 0.090, 0.080, 0.078),
    "next_4pb": (0.025, 0.025, 0.050, 0.050, 0.070, 0.085, 0.070, 0.075),
    "over_5pb": (0.020, 0.020, 0.040, 0.040, 0.060, 0.080, 0.060, 0.072),
}
CLOUDFRONT_TO_ORIGIN = (0.020, 0.020, 0.060, 0.125, 0.060, 0.080, 0.060, 0.160)
CLOUDFRONT_HTTP = (0.0075, 0.0090, 0.0090, 0.0160, 0.0090, 0.0090, 0.0090, 0.0090)
CLOUDFRONT_HTTPS = (0.0100, 0.0120, 0.0120, 0.0220, 0.0120, 0.0125, 0.0120, 0.0120)


def _cloudfront() -> list[tuple[str, str, str, str, str]]:
    src = "aws-cloudfront-pricing"
    rows = [
        ("global", f"cloudfront.data_transfer_out.{group}.{tier}", "GB", f"{usd:g}", src)
        for tier, prices in CLOUDFRONT_OUT.items()
        for group, usd in zip(CLOUDFRONT_GROUPS, prices, strict=True)
    ]
    for key, unit, prices in (
        ("data_transfer_to_origin", "GB", CLOUDFRONT_TO_ORIGIN),
        ("requests_http", "10k requests", CLOUDFRONT_HTTP),
        ("requests_https", "10k requests", CLOUDFRONT_HTTPS),
    ):
        rows += [
            ("global", f"cloudfront.{key}.{group}", unit, f"{usd:g}", src)
            for group, usd in zip(CLOUDFRONT_GROUPS, prices, strict=True)
        ]
    rows += [
        ("global", "cloudfront.invalidation.path", "paths", "0.005", src),
        ("global", "cloudfront.dedicated_ip_ssl.certificate", "months", "600", src),
    ]
    return rows


# Figures of the services the cost model prices that the recorded file lacks, each from the AWS
# pricing page its source names (list prices; docs/costing.md has the cross-checks).
PRICING_PAGES: list[tuple[str, str, str, str, str]] = [
    # Route 53: hosted zones (first 25), queries (first billion / above), health checks.
    ("global", "route53.hosted_zone", "months", "0.5", "aws-route53-pricing"),
    ("global", "route53.queries.standard", "1M queries", "0.4", "aws-route53-pricing"),
    ("global", "route53.queries.standard_over_1b", "1M queries", "0.2", "aws-route53-pricing"),
    ("global", "route53.queries.latency", "1M queries", "0.6", "aws-route53-pricing"),
    ("global", "route53.queries.latency_over_1b", "1M queries", "0.3", "aws-route53-pricing"),
    ("global", "route53.queries.geo", "1M queries", "0.7", "aws-route53-pricing"),
    ("global", "route53.queries.geo_over_1b", "1M queries", "0.35", "aws-route53-pricing"),
    ("global", "route53.health_check.aws", "months", "0.5", "aws-route53-pricing"),
    ("global", "route53.health_check.non_aws", "months", "0.75", "aws-route53-pricing"),
    ("global", "route53.health_check.optional_feature.aws", "months", "1", "aws-route53-pricing"),
    ("global", "route53.health_check.optional_feature.non_aws", "months", "2",
     "aws-route53-pricing"),
    *_cloudfront(),
    # ElastiCache node-hours (Redis OSS and Memcached; Valkey nodes have their own keys).
    ("us-east-1", "elasticache.on_demand.cache.m7g.large", "hours", "0.158",
     "aws-elasticache-pricing"),
    ("us-east-1", "elasticache.on_demand.cache.r7g.large", "hours", "0.219",
     "aws-elasticache-pricing"),
    ("us-east-1", "elasticache.on_demand.cache.m4.large", "hours", "0.156",
     "aws-elasticache-pricing"),
    ("us-east-1", "elasticache.on_demand.cache.r5.4xlarge", "hours", "1.724",
     "aws-elasticache-pricing"),
    ("us-east-1", "elasticache.on_demand.cache.m6g.12xlarge", "hours", "3.557",
     "aws-elasticache-pricing"),
    ("us-east-1", "elasticache.backup.storage", "GB", "0.085", "aws-elasticache-pricing"),
    # Classic load balancer, VPC endpoints, alarms, KMS, SQS, SNS.
    ("us-east-1", "elb.classic.hour", "hours", "0.025", "aws-elasticloadbalancing-pricing"),
    ("us-east-1", "elb.classic.data_processed", "GB", "0.008", "aws-elasticloadbalancing-pricing"),
    ("us-east-1", "vpc.endpoint.interface.hour", "hours", "0.01", "aws-vpc-pricing"),
    ("us-east-1", "vpc.endpoint.interface.data_processed", "GB", "0.01", "aws-vpc-pricing"),
    ("us-east-1", "vpc.endpoint.gateway_load_balancer.hour", "hours", "0.01", "aws-vpc-pricing"),
    ("us-east-1", "vpc.endpoint.gateway_load_balancer.data_processed", "GB", "0.0035",
     "aws-vpc-pricing"),
    ("us-east-1", "cloudwatch.alarm.standard", "alarm metrics", "0.1", "aws-cloudwatch-pricing"),
    ("us-east-1", "cloudwatch.alarm.high_resolution", "alarm metrics", "0.3",
     "aws-cloudwatch-pricing"),
    ("eu-west-1", "cloudwatch.alarm.standard", "alarm metrics", "0.1", "aws-cloudwatch-pricing"),
    ("ap-southeast-1", "cloudwatch.alarm.standard", "alarm metrics", "0.1",
     "aws-cloudwatch-pricing"),
    ("us-east-1", "kms.requests.symmetric", "10k requests", "0.03", "aws-kms-pricing"),
    ("us-east-1", "sqs.standard.requests", "1M requests", "0.4", "aws-sqs-pricing"),
    ("us-east-1", "sqs.fifo.requests", "1M requests", "0.5", "aws-sqs-pricing"),
    ("us-east-1", "sns.requests", "1M requests", "0.5", "aws-sns-pricing"),
    ("us-east-1", "sns.notifications.http", "100k notifications", "0.06", "aws-sns-pricing"),
    ("us-east-1", "sns.notifications.email", "100k notifications", "2", "aws-sns-pricing"),
    # One price in every region the stacks use (the pages state no regional difference).
    *[(r, "kms.key", "months", "1", "aws-kms-pricing") for r in STACK_REGIONS],
    *[(r, "vpc.public_ipv4.hour", "hours", "0.005", "aws-vpc-pricing") for r in STACK_REGIONS],
    *[(r, "eks.cluster.standard_support.hour", "hours", "0.1", "aws-eks-pricing")
      for r in EDGE_REGIONS],
    *[(r, "eks.cluster.extended_support.hour", "hours", "0.6", "aws-eks-pricing")
      for r in EDGE_REGIONS],
    # Edge regions: the figures the prod stack's resources need there.
    ("eu-west-1", "ebs.gp3.storage", "GB", "0.088", "aws-ebs-pricing"),
    ("eu-west-1", "ebs.gp3.iops", "IOPS", "0.0055", "aws-ebs-pricing"),
    ("eu-west-1", "ebs.gp3.throughput", "Mbps", "0.044", "aws-ebs-pricing"),
    ("eu-west-1", "ebs.gp2.storage", "GB", "0.11", "aws-ebs-pricing"),
    ("ap-southeast-1", "ebs.gp3.storage", "GB", "0.096", "aws-ebs-pricing"),
    ("ap-southeast-1", "ebs.gp3.iops", "IOPS", "0.006", "aws-ebs-pricing"),
    ("ap-southeast-1", "ebs.gp3.throughput", "Mbps", "0.048", "aws-ebs-pricing"),
    ("ap-southeast-1", "ebs.gp2.storage", "GB", "0.12", "aws-ebs-pricing"),
    ("sa-east-1", "ebs.gp3.storage", "GB", "0.152", "aws-ebs-pricing"),
    ("sa-east-1", "ebs.gp3.iops", "IOPS", "0.0095", "aws-ebs-pricing"),
    ("sa-east-1", "ebs.gp2.storage", "GB", "0.19", "aws-ebs-pricing"),
    ("eu-west-1", "vpc.nat_gateway.hour", "hours", "0.048", "aws-vpc-pricing"),
    ("eu-west-1", "vpc.nat_gateway.data_processed", "GB", "0.048", "aws-vpc-pricing"),
    ("ap-southeast-1", "vpc.nat_gateway.hour", "hours", "0.059", "aws-vpc-pricing"),
    ("ap-southeast-1", "vpc.nat_gateway.data_processed", "GB", "0.059", "aws-vpc-pricing"),
    ("sa-east-1", "vpc.nat_gateway.hour", "hours", "0.093", "aws-vpc-pricing"),
    ("sa-east-1", "vpc.nat_gateway.data_processed", "GB", "0.093", "aws-vpc-pricing"),
    ("eu-west-1", "elb.network.hour", "hours", "0.0252", "aws-elasticloadbalancing-pricing"),
    ("ap-southeast-1", "elb.network.hour", "hours", "0.0252", "aws-elasticloadbalancing-pricing"),
]  # fmt: skip
PRICING_PAGES_DATE = "2026-12-01"


def build(data: Path) -> list[tuple[str, ...]]:
    newest: dict[str, dict[str, str]] = {}
    with (data / RECORDED).open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            seen = newest.get(row["price_key"])
            if seen is None or row["price_date"] > seen["price_date"]:
                newest[row["price_key"]] = row
    out = [
        ("us-east-1", key, row["unit"], row["usd"], "infracost", row["price_date"])
        for key, row in newest.items()
    ]
    out += [(*extra, EXTRA_SOURCE, EXTRA_DATE) for extra in EXTRA]
    out += [(*row, PRICING_PAGES_DATE) for row in PRICING_PAGES]
    seen = [(row[0], row[1]) for row in out]
    if len(seen) != len(set(seen)):
        raise SystemExit("a price key is listed twice for one region")
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "aws")
    args = parser.parse_args()
    rows = build(args.data)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        handle.write(HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["region", "price_key", "unit", "usd", "source", "date"])
        writer.writerows(rows)
    print(f"wrote {OUT.relative_to(REPO)}: {len(rows)} figures")


if __name__ == "__main__":
    main()
