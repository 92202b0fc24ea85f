"""Route 53 and CloudFront (global services: prices under the region `global`).

Route 53: a hosted zone per month (the first-25 rate); record queries from usage (first billion
and above, per routing type); alias records to AWS resources answer queries free; health checks
per month (AWS or non-AWS endpoint from `endpoint_type`, default aws) plus each optional feature
(HTTPS, 10-second interval, latency measurement, string matching), as infracost prices them.
CloudFront: data out to the internet per edge location group and volume tier, data out to the
origin, HTTP and HTTPS requests, invalidations past the free 1,000 paths, dedicated-IP SSL.
Free tiers (CloudFront's 1 TB, the first 50 AWS-endpoint health checks) are not applied.
"""

from __future__ import annotations

from optimizers.costing.graph import GLOBAL_REGION
from optimizers.costing.quote import Quote
from optimizers.costing.registry import priced
from optimizers.costing.usage import NUMBER, WHOLE

BILLION = 1e9


def _tiered(q: Quote, label: str, key: str, quantity: float, unit: str, per: float, tiers) -> None:
    """Split `quantity` over tiers of (size in units, key suffix, name); the last takes the rest.
    The first tier's line is kept at zero usage, to show the cost depends on it."""
    left = quantity / per
    for i, (size, suffix, name) in enumerate(tiers):
        part = left if i == len(tiers) - 1 else min(left, size)
        q.service(f"{label} ({name})", f"{key}{suffix}", part, unit, usage_based=i == 0,
                  region=GLOBAL_REGION)  # fmt: skip
        left -= part
        if left <= 0:
            break


@priced("aws:route53/zone:Zone")
def hosted_zone(q: Quote) -> None:
    q.service("Hosted zone", "route53.hosted_zone", 1.0, "months", region=GLOBAL_REGION)


ROUTE53_QUERIES = {
    "monthly_standard_queries": ("Standard queries", "standard"),
    "monthly_latency_based_queries": ("Latency based routing queries", "latency"),
    "monthly_geo_queries": ("Geo DNS queries", "geo"),
}


@priced("aws:route53/record:Record", usage={key: WHOLE for key in ROUTE53_QUERIES})
def dns_record(q: Quote) -> None:
    if q.resource.get("aliases"):
        q.note = "alias records to AWS resources answer queries free"
        if any(q.usage.has(k) for k in ROUTE53_QUERIES):
            q.warn("query usage ignored: alias queries to AWS resources are free")
        return
    for key, (label, kind) in ROUTE53_QUERIES.items():
        tiers = ((BILLION / 1e6, "", "first 1B"), (0.0, "_over_1b", "over 1B"))
        _tiered(q, label, f"route53.queries.{kind}", q.usage.number(key), "1M queries", 1e6, tiers)


@priced("aws:route53/healthCheck:HealthCheck", usage={"endpoint_type": ("aws", "non_aws")})
def health_check(q: Quote) -> None:
    r, endpoint = q.resource, q.usage.word("endpoint_type", "aws")
    kind = r.get("type", default="HTTP")
    features = [
        kind.startswith("HTTPS"),
        r.get("requestInterval") == 10,
        r.get("measureLatency") is True,
        kind.endswith("STR_MATCH"),
    ]
    q.service(f"Health check ({endpoint} endpoint)", f"route53.health_check.{endpoint}", 1.0,
              "months", region=GLOBAL_REGION)  # fmt: skip
    q.service("Optional features", f"route53.health_check.optional_feature.{endpoint}",
              float(sum(features)), "months", region=GLOBAL_REGION)  # fmt: skip


GROUPS = ("us", "europe", "south_africa", "south_america", "japan", "australia",
          "asia_pacific", "india")  # fmt: skip
TB = 1024.0
OUT_TIERS = tuple(
    (size, tier, tier.replace("_", " "))
    for size, tier in ((10 * TB, "first_10tb"), (40 * TB, "next_40tb"), (100 * TB, "next_100tb"),
                       (350 * TB, "next_350tb"), (524 * TB, "next_524tb"),
                       (4096 * TB, "next_4pb"), (0.0, "over_5pb"))
)  # fmt: skip
FREE_INVALIDATIONS = 1000.0
CLOUDFRONT_USAGE = {
    "monthly_data_transfer_to_internet_gb": {g: NUMBER for g in GROUPS},
    "monthly_data_transfer_to_origin_gb": {g: NUMBER for g in GROUPS},
    "monthly_http_requests": {g: WHOLE for g in GROUPS},
    "monthly_https_requests": {g: WHOLE for g in GROUPS},
    "monthly_invalidation_requests": WHOLE,
    "custom_ssl_certificates": WHOLE,
}


@priced("aws:cloudfront/distribution:Distribution", usage=CLOUDFRONT_USAGE)
def distribution(q: Quote) -> None:
    out = q.usage.block("monthly_data_transfer_to_internet_gb")
    for group in GROUPS:
        if out.has(group) or group == "us":
            _tiered(q, f"Data transfer out to internet, {group}",
                    f"cloudfront.data_transfer_out.{group}.", out.number(group), "GB", 1.0,
                    OUT_TIERS)  # fmt: skip
    for block, label, key, unit, per in (
        ("monthly_data_transfer_to_origin_gb", "Data transfer out to origin",
         "data_transfer_to_origin", "GB", 1.0),
        ("monthly_http_requests", "HTTP requests", "requests_http", "10k requests", 1e4),
        ("monthly_https_requests", "HTTPS requests", "requests_https", "10k requests", 1e4),
    ):  # fmt: skip
        usage = q.usage.block(block)
        for group in GROUPS:
            if usage.has(group) or group == "us":
                q.service(f"{label} ({group})", f"cloudfront.{key}.{group}", usage.number(group),
                          unit, per=per, usage_based=True, region=GLOBAL_REGION)  # fmt: skip
    paths = max(0.0, q.usage.number("monthly_invalidation_requests") - FREE_INVALIDATIONS)
    q.service("Invalidation paths (over 1,000)", "cloudfront.invalidation.path", paths, "paths",
              region=GLOBAL_REGION)  # fmt: skip
    certificates = q.usage.number("custom_ssl_certificates")
    q.service("Dedicated IP custom SSL certificates", "cloudfront.dedicated_ip_ssl.certificate",
              certificates, "months", region=GLOBAL_REGION)  # fmt: skip
