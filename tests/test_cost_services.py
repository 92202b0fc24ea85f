"""Hand-computed costs of the services beside EC2: NAT, load balancers, public IPs, endpoints,
ElastiCache, Route 53, CloudFront, alarms, KMS, SQS, SNS, S3 and Kubernetes volumes."""

from __future__ import annotations

import pytest

from optimizers.costing.model import ResourceCost, Unpriced
from tests.costing.prices import by_name, lines, load, price_plan, usage

H = 730


def cost(fixture: str, name: str, entries: dict | None = None) -> float:
    report = price_plan(load(fixture), usage_file=usage(entries))
    found = by_name(report, name)
    assert isinstance(found, ResourceCost), getattr(found, "why", found)
    return round(found.monthly_usd, 6)


def why(fixture: str, name: str, entries: dict | None = None) -> str:
    found = by_name(price_plan(load(fixture), usage_file=usage(entries)), name)
    assert isinstance(found, Unpriced), found
    return found.why


# --- network --------------------------------------------------------------------------------


def test_nat_gateway_hours_and_data_processed():
    assert cost("networking", "nat") == pytest.approx(H * 0.045)
    used = {"aws_nat_gateway.nat": {"monthly_data_processed_gb": 1000}}  # a Terraform address
    assert cost("networking", "nat", used) == pytest.approx(H * 0.045 + 1000 * 0.045)
    assert cost("networking", "edge-nat") == pytest.approx(H * 0.093)


def test_every_public_ipv4_address_is_billed():
    report = price_plan(load("networking"))
    eip = [r for r in report.resources if r.type == "aws:ec2/eip:Eip"]
    assert [round(r.monthly_usd, 6) for r in eip] == [pytest.approx(H * 0.005)]


def test_load_balancer_capacity_units_take_the_busiest_dimension():
    alb = {
        "web": {
            "new_connections": 50,
            "active_connections": 6000,
            "processed_bytes_gb": 3,
            "rule_evaluations": 500,
        }
    }
    # ALB LCUs: 50/25 = 2, 6000/3000 = 2, 3 GB/h = 3, 500/1000 = 0.5 -> 3
    assert cost("networking", "web", alb) == pytest.approx(H * 0.0225 + 3 * 5.84)
    nlb = {"tcp": {"new_connections": 1600, "active_connections": 50000, "processed_bytes_gb": 1}}
    # NLCUs: 1600/800 = 2, 50000/100000 = 0.5, 1 GB/h = 1 -> 2
    assert cost("networking", "tcp", nlb) == pytest.approx(H * 0.0225 + 2 * 4.38)
    assert cost("networking", "tcp") == pytest.approx(H * 0.0225)
    ignored = price_plan(load("networking"), usage_file=usage({"tcp": {"rule_evaluations": 9}}))
    assert by_name(ignored, "tcp").warnings == (
        "rule_evaluations does not apply to network load balancers",
    )


def test_classic_load_balancer_and_vpc_endpoints():
    assert cost("networking", "classic", {"classic": {"monthly_data_processed_gb": 100}}) == (
        pytest.approx(H * 0.025 + 100 * 0.008)
    )
    # an interface endpoint is billed per AZ (3 subnets)
    assert cost("networking", "ecr", {"ecr": {"monthly_data_processed_gb": 500}}) == (
        pytest.approx(3 * H * 0.01 + 500 * 0.01)
    )
    gateway = by_name(price_plan(load("networking")), "s3")
    assert gateway.free and gateway.monthly_usd == 0


def test_a_price_missing_in_a_region_is_not_borrowed():
    assert why("networking", "edge-tcp") == "no price 'elb.network.hour' for sa-east-1"


# --- caches ---------------------------------------------------------------------------------


def test_elasticache_nodes_by_type_and_shape():
    assert cost("elasticache", "embeddings") == pytest.approx(2 * H * 0.158)
    assert cost("elasticache", "sharded") == pytest.approx(3 * 2 * H * 0.219)  # 3 x (1 + 1)
    assert cost("elasticache", "sessions") == pytest.approx(3 * H * 0.158)
    backups = {"embeddings": {"snapshot_storage_size_gb": 100}}
    assert cost("elasticache", "embeddings", backups) == pytest.approx(2 * H * 0.158 + 8.5)
    assert why("elasticache", "valkey") == (
        "no price 'elasticache.valkey.on_demand.cache.m7g.large' for us-east-1"
    )
    reserved = {
        "embeddings": {
            "reserved_instance_term": "1_year",
            "reserved_instance_payment_option": "all_upfront",
        }
    }
    assert "elasticache.reserved.1_year.all_upfront.cache.m7g.large" in why(
        "elasticache", "embeddings", reserved
    )


# --- Route 53 and CloudFront ----------------------------------------------------------------


def test_route53_zone_health_check_features_and_alias_records():
    assert cost("dns-and-cdn", "api") == 0.5
    report = price_plan(load("dns-and-cdn"))
    check = [r for r in report.resources if r.type == "aws:route53/healthCheck:HealthCheck"][0]
    # HTTPS, a 10-second interval and latency measurement: three optional features
    assert round(check.monthly_usd, 6) == pytest.approx(0.5 + 3 * 1.0)
    non_aws = price_plan(
        load("dns-and-cdn"),
        usage_file=usage({"aws_route53_health_check.origin": {"endpoint_type": "non_aws"}}),
    )
    check = [r for r in non_aws.resources if r.type == "aws:route53/healthCheck:HealthCheck"][0]
    assert round(check.monthly_usd, 6) == pytest.approx(0.75 + 3 * 2.0)
    alias = by_name(report, "alias")
    assert alias.free and "alias" in alias.note


def test_route53_queries_tiered_at_a_billion():
    queries = {
        "www": {
            "monthly_latency_based_queries": 1_500_000_000,
            "monthly_standard_queries": 1_000_000,
            "monthly_geo_queries": 2_000_000,
        }
    }
    assert lines(price_plan(load("dns-and-cdn"), usage_file=usage(queries)), "www") == {
        "Standard queries (first 1B)": pytest.approx(0.4),
        "Latency based routing queries (first 1B)": pytest.approx(1000 * 0.6),
        "Latency based routing queries (over 1B)": pytest.approx(500 * 0.3),
        "Geo DNS queries (first 1B)": pytest.approx(2 * 0.7),
    }


def test_cloudfront_usage_by_group_and_tier():
    assert cost("dns-and-cdn", "cdn") == 0  # usage-based lines only, no usage
    used = {
        "cdn": {
            "monthly_data_transfer_to_internet_gb": {"us": 15360, "europe": 100},
            "monthly_data_transfer_to_origin_gb": {"us": 1000},
            "monthly_http_requests": {"us": 1_000_000},
            "monthly_https_requests": {"europe": 2_000_000},
            "monthly_invalidation_requests": 3000,
            "custom_ssl_certificates": 1,
        }
    }
    expected = (
        10240 * 0.085
        + 5120 * 0.08
        + 100 * 0.085
        + 1000 * 0.02
        + 100 * 0.0075
        + 200 * 0.012
        + 2000 * 0.005
        + 600
    )
    assert cost("dns-and-cdn", "cdn", used) == pytest.approx(expected)
    japan = {"cdn": {"monthly_data_transfer_to_internet_gb": {"japan": 10}}}
    assert "cloudfront.data_transfer_out.japan.first_10tb" in why("dns-and-cdn", "cdn", japan)


# --- alarms, keys, queues, topics -----------------------------------------------------------


def test_cloudwatch_alarms_by_resolution_metrics_and_anomaly_detection():
    assert cost("monitoring-and-messaging", "cpu") == 0.1
    assert cost("monitoring-and-messaging", "fast") == 0.3  # period 10 s: high resolution
    assert cost("monitoring-and-messaging", "math") == pytest.approx(0.2)  # two metrics
    assert cost("monitoring-and-messaging", "anomaly") == pytest.approx(0.3)  # counted thrice


def test_kms_sqs_and_sns_usage():
    assert cost("monitoring-and-messaging", "secrets") == 1.0
    assert cost(
        "monitoring-and-messaging", "secrets", {"secrets": {"monthly_requests": 100000}}
    ) == pytest.approx(1 + 10 * 0.03)
    # 100 KB requests are billed as two 64 KB chunks
    assert cost(
        "monitoring-and-messaging",
        "events",
        {"events": {"monthly_requests": 10_000_000, "request_size_kb": 100}},
    ) == pytest.approx(20 * 0.4)
    assert cost(
        "monitoring-and-messaging",
        "ordered.fifo",
        {"ordered.fifo": {"monthly_requests": 1_000_000}},
    ) == pytest.approx(0.5)
    topic = {
        "alerts": {"monthly_requests": 2_000_000, "email_subscriptions": 3, "http_subscriptions": 1}
    }
    assert cost("monitoring-and-messaging", "alerts", topic) == pytest.approx(
        2 * 0.5 + 60 * 2.0 + 20 * 0.06
    )


# --- S3 -------------------------------------------------------------------------------------


def test_s3_bucket_storage_classes_and_requests():
    assert cost("s3-bucket", "datasets") == 0
    used = {
        "datasets": {
            "object_tags": 1_000_000,
            "standard": {
                "storage_gb": 1000,
                "monthly_tier_1_requests": 100_000,
                "monthly_tier_2_requests": 1_000_000,
                "monthly_select_data_scanned_gb": 100,
                "monthly_select_data_returned_gb": 10,
            },
            "intelligent_tiering": {
                "frequent_access_storage_gb": 100,
                "infrequent_access_storage_gb": 200,
                "archive_access_storage_gb": 1000,
                "deep_archive_access_storage_gb": 1000,
                "monitored_objects": 10_000,
                "monthly_lifecycle_transition_requests": 5000,
                "early_delete_gb": 10,
            },
            "standard_infrequent_access": {"storage_gb": 500, "monthly_data_retrieval_gb": 100},
            "glacier_flexible_retrieval": {
                "storage_gb": 10_000,
                "monthly_standard_data_retrieval_requests": 2000,
                "monthly_standard_data_retrieval_gb": 100,
                "monthly_expedited_data_retrieval_requests": 100,
                "monthly_expedited_data_retrieval_gb": 10,
            },
            "glacier_deep_archive": {
                "storage_gb": 100_000,
                "monthly_bulk_data_retrieval_requests": 1000,
                "monthly_bulk_data_retrieval_gb": 1000,
            },
        }
    }
    expected = (
        0.65  # 100 x 10k tags
        + 23
        + 0.5
        + 0.4
        + 0.2
        + 0.007  # standard
        + 2.3
        + 2.5
        + 3.6
        + 0.99
        + 0.025
        + 0.05
        + 0.23  # intelligent tiering
        + 6.25
        + 1.0  # standard-IA
        + 36
        + 0.06
        + 1.0
        + 1.0
        + 0.3  # Glacier Flexible Retrieval
        + 99
        + 0.025
        + 2.5  # Deep Archive
    )
    assert cost("s3-bucket", "datasets", used) == pytest.approx(expected)
    one_zone = {"datasets": {"one_zone_infrequent_access": {"storage_gb": 10}}}
    assert (
        why("s3-bucket", "datasets", one_zone) == "no price 's3.one_zone_ia.storage' for us-east-1"
    )


# --- Kubernetes -----------------------------------------------------------------------------


def test_volume_claims_are_ebs_volumes_of_their_storage_class():
    # 3 replicas x 50 GiB gp3 at 4,000 IOPS (1,000 above the free 3,000 each)
    assert cost("kubernetes-volumes", "store") == pytest.approx(3 * 50 * 0.08 + 3 * 1000 * 0.005)
    # 500G is 465.66 GiB: the CSI driver provisions 466 GiB
    assert cost("kubernetes-volumes", "scratch") == pytest.approx(466 * 0.08 + 1000 * 0.005)
    assert "LoadBalancer Service" in why("kubernetes-volumes", "public")
    assert by_name(price_plan(load("kubernetes-volumes")), "internal").free
