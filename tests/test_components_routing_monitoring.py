"""Global routing, the budget, and monitoring: alert rules and dashboards whose PromQL names
metrics the deployed exporters emit."""

from __future__ import annotations

import json
import re

import pytest

from tests.components import component_runs as runs

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1")

# Metrics the exporters emit, from their documentation: dcgm-exporter's default counters
# (etc/default-counters.csv), kube-state-metrics (docs/metrics/*), node-exporter (cpu, meminfo).
EXPORTED = {
    "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_PROF_SM_ACTIVE", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE",
    "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_GPU_TEMP",
    "kube_pod_container_resource_requests", "kube_node_status_allocatable", "kube_pod_status_phase",
    "kube_node_labels", "kube_node_info", "kube_pod_info",
    "node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes",
}  # fmt: skip
PROMQL_WORDS = {"sum", "avg", "max", "min", "count", "by", "without", "rate", "irate",
                "increase", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
                "bool"}  # fmt: skip


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def metric_names(expr: str) -> set[str]:
    """Identifiers outside label matchers, grouping clauses and range selectors."""
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    return {w for w in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr) if w not in PROMQL_WORDS}


def test_latency_records_with_health_checks_in_every_region(prod_run) -> None:
    records = [
        r
        for r in runs.of_type(prod_run, "aws:route53/record:Record")
        if "setIdentifier" in r.inputs
    ]
    assert sorted(r.inputs["setIdentifier"] for r in records) == sorted(REGIONS)
    checks = {c.urn: c for c in runs.of_type(prod_run, "aws:route53/healthCheck:HealthCheck")}
    for record in records:
        assert record.inputs["latencyRoutingPolicies"] == [
            {"region": record.inputs["setIdentifier"]}
        ]
        assert record.inputs["name"] == "api.aeon.example"
        assert record.inputs["aliases"][0]["evaluateTargetHealth"] is True
        (check_urn,) = record.property_dependencies["healthCheckId"]
        check = checks[check_urn].inputs
        assert check["resourcePath"] == "/v2/health/ready"
        assert (check["type"], check["port"]) == ("HTTPS", 443)
        assert check["fqdn"] == record.inputs["aliases"][0]["name"]  # the region's load balancer
    assert {r.region for r in records} == {"global"}


def test_cloudfront_caches_cacheable_content(prod_run) -> None:
    (distribution,) = runs.of_type(prod_run, "aws:cloudfront/distribution:Distribution")
    behavior = distribution.inputs["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["cachedMethods"] == ["GET", "HEAD"]
    assert distribution.inputs["origins"][0]["domainName"] == "api.aeon.example"
    (policy,) = runs.of_type(prod_run, "aws:cloudfront/cachePolicy:CachePolicy")
    assert policy.inputs["defaultTtl"] == 3600


def test_tls_end_to_end(prod_run) -> None:
    """Viewers -> CloudFront (own certificate, TLS 1.2+) -> regional NLBs (HTTPS only, each with an
    ACM certificate DNS-validated in the stack's zone); buckets refuse plain HTTP; the alert
    topics are encrypted with a key CloudWatch may use."""
    import json

    (distribution,) = runs.of_type(prod_run, "aws:cloudfront/distribution:Distribution")
    origin = distribution.inputs["origins"][0]["customOriginConfig"]
    assert origin["originProtocolPolicy"] == "https-only"
    assert origin["originSslProtocols"] == ["TLSv1.2"]
    viewer = distribution.inputs["viewerCertificate"]
    assert viewer["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert viewer["sslSupportMethod"] == "sni-only" and viewer["acmCertificateArn"].startswith(
        "arn:aws:acm:us-east-1:"
    )
    assert distribution.inputs["aliases"] == ["cdn.api.aeon.example"]
    listeners = runs.of_type(prod_run, "aws:lb/listener:Listener")
    assert len(listeners) == 4
    for listener in listeners:
        assert (listener.inputs["protocol"], listener.inputs["port"]) == ("TLS", 443)
        assert listener.inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        assert listener.inputs["certificateArn"].startswith(f"arn:aws:acm:{listener.region}:")
    certificates = runs.of_type(prod_run, "aws:acm/certificate:Certificate")
    assert sorted(c.region for c in certificates) == sorted([*REGIONS, "us-east-1"])
    assert {c.inputs["validationMethod"] for c in certificates} == {"DNS"}
    for bucket_policy in runs.of_type(prod_run, "aws:s3/bucketPolicy:BucketPolicy"):
        (statement,) = json.loads(bucket_policy.inputs["policy"])["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    topics = runs.of_type(prod_run, "aws:sns/topic:Topic")
    assert topics and all(t.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:") for t in topics)


def test_budget_forecast_alerts_at_80_and_100(prod_run) -> None:
    (budget,) = runs.of_type(prod_run, "aws:budgets/budget:Budget")
    assert budget.inputs["budgetType"] == "COST" and budget.inputs["limitAmount"] == "450000.00"
    notes = budget.inputs["notifications"]
    # Forecasts warn early; actual spend alerts even when there is no forecast yet.
    assert [(n["notificationType"], n["threshold"]) for n in notes] == [
        ("FORECASTED", 80),
        ("FORECASTED", 100),
        ("ACTUAL", 80),
        ("ACTUAL", 100),
    ]
    assert budget.region == "global"


def test_prometheus_alert_rules_carry_the_pressure_thresholds(prod_run) -> None:
    stacks = [
        r
        for r in runs.of_type(prod_run, runs.RELEASE)
        if r.inputs["chart"] == "kube-prometheus-stack"
    ]
    assert len(stacks) == 4
    rules = stacks[0].inputs["values"]["additionalPrometheusRulesMap"]["aeon-pressure"]["groups"][
        0
    ]["rules"]
    by_name = {r["alert"]: r for r in rules}
    assert by_name["NodeCpuPressure"]["for"] == "5m" and by_name["NodeCpuPressure"][
        "expr"
    ].endswith(">= 80")
    assert by_name["NodeMemoryPressure"]["for"] == "3m" and by_name["NodeMemoryPressure"][
        "expr"
    ].endswith(">= 85")
    for rule in rules:
        assert metric_names(rule["expr"]) <= EXPORTED


def test_dashboards_have_panels_on_exported_metrics(prod_run) -> None:
    maps = [
        c for c in runs.of_type(prod_run, runs.CONFIG_MAP)
        if c.region == "us-east-1"
        and c.inputs["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    ]  # fmt: skip
    titles = set()
    for config_map in maps:
        (text,) = config_map.inputs["data"].values()
        board = json.loads(text)
        titles.add(board["uid"])
        assert len(board["panels"]) >= 4
        for panel in board["panels"]:
            for target in panel["targets"]:
                names = metric_names(target["expr"])
                assert names, target["expr"]
                assert names <= EXPORTED, (panel["title"], names - EXPORTED)
        assert any(
            n.startswith("DCGM_FI_")
            for p in board["panels"]
            for n in metric_names(p["targets"][0]["expr"])
        )
    assert titles == {
        "aeon-optimization-overview",
        "aeon-resource-efficiency",
        "aeon-cost-analysis",
    }


def test_metric_name_parser_ignores_labels_and_grouping() -> None:
    expr = 'sum by (namespace) (rate(node_cpu_seconds_total{mode="idle"}[5m]))'
    assert metric_names(expr) == {"node_cpu_seconds_total"}
