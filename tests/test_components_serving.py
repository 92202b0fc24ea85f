"""Serving: Triton with the framework's batching, the vector store, the caches."""

from __future__ import annotations

import re

import pytest

from tests.components import component_runs as runs

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def pbtxt_value(text: str, key: str) -> str:
    match = re.search(rf"\b{key}: *(\S+)", text)
    assert match, key
    return match.group(1)


def test_triton_model_config_carries_the_framework_batching(prod_run) -> None:
    (config,) = [
        c for c in runs.of_type(prod_run, runs.CONFIG_MAP)
        if c.region == "us-east-1" and c.inputs["metadata"]["name"] == "llm-7b-model-config"
    ]  # fmt: skip
    text = config.inputs["data"]["config.pbtxt"]
    assert pbtxt_value(text, "max_batch_size") == "32"
    assert pbtxt_value(text, "max_queue_delay_microseconds") == "50000"
    assert pbtxt_value(text, "priority_levels") == "3"
    assert pbtxt_value(text, "max_queue_size") == "1000"
    assert pbtxt_value(text, "default_timeout_microseconds") == "500000"  # 500 ms
    assert 'key: "tensor_parallel_size"' in text and 'string_value: "2"' in text
    assert text.count("{") == text.count("}")


def test_triton_pods_request_tp_gpus_on_the_unshared_pool(prod_run) -> None:
    (deployment,) = [d for d in runs.of_type(prod_run, DEPLOYMENT) if d.region == "us-east-1"]
    pod = deployment.inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert container["resources"]["requests"]["nvidia.com/gpu"] == "2"
    assert pod["nodeSelector"] == {"aeon.ai/pool": "inference"}  # not time-sliced
    assert pod["priorityClassName"] == "online-inference"
    assert deployment.inputs["metadata"]["namespace"] == "inference"
    mount = next(m for m in container["volumeMounts"] if m["name"] == "model-config")
    assert mount["mountPath"] == "/models/llm-7b/config.pbtxt"


def test_edge_regions_serve_single_gpu_pods_on_their_pool(prod_run) -> None:
    edges = [d for d in runs.of_type(prod_run, DEPLOYMENT) if d.region != "us-east-1"]
    assert sorted(d.region for d in edges) == ["ap-southeast-1", "eu-west-1", "sa-east-1"]
    for deployment in edges:
        pod = deployment.inputs["spec"]["template"]["spec"]
        assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
        assert pod["nodeSelector"]["aeon.ai/pool"].startswith("edge-inference-")


def test_hpa_scales_triton_between_replicas_and_max(prod_run) -> None:
    hpas = runs.of_type(prod_run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    (primary,) = [h for h in hpas if h.region == "us-east-1"]
    spec = primary.inputs["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 8)
    assert spec["scaleTargetRef"]["kind"] == "Deployment"
    assert spec["metrics"][0]["resource"]["target"]["averageUtilization"] == 70


def test_vector_store_partitions_replicas_volumes_and_caches(prod_run) -> None:
    (store,) = runs.of_type(prod_run, "kubernetes:apps/v1:StatefulSet")
    spec = store.inputs["spec"]
    assert spec["replicas"] == 16  # 8 partitions x replication factor 2
    claims = {c["metadata"]["name"]: c["spec"] for c in spec["volumeClaimTemplates"]}
    assert claims["data"]["resources"]["requests"]["storage"] == "15Gi"  # 10 GB + 50% headroom
    assert claims["l2-cache"]["resources"]["requests"]["storage"] == "20Gi"
    assert claims["data"]["storageClassName"] == "hot"
    volumes = {v["name"]: v for v in spec["template"]["spec"]["volumes"]}
    assert volumes["l1-cache"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "2Gi"}
    (job,) = runs.of_type(prod_run, "kubernetes:batch/v1:CronJob")
    assert job.inputs["spec"]["schedule"] == "0 3 * * *"
    assert job.inputs["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] <= 2 * 3600
    assert job.inputs["spec"]["concurrencyPolicy"] == "Forbid"


def test_caches_are_redis_with_their_eviction_policies(prod_run) -> None:
    groups = runs.of_type(prod_run, "aws:elasticache/parameterGroup:ParameterGroup")
    policies = {g.name.rsplit("caches-", 1)[1]: g.inputs["parameters"] for g in groups}
    assert policies == {
        "embedding-cache": [{"name": "maxmemory-policy", "value": "allkeys-lru"}],
        "result-cache": [{"name": "maxmemory-policy", "value": "volatile-ttl"}],
    }
    for group in runs.of_type(prod_run, "aws:elasticache/replicationGroup:ReplicationGroup"):
        assert group.inputs["atRestEncryptionEnabled"] is True
        assert group.inputs["transitEncryptionEnabled"] is True
    (endpoints,) = [
        c
        for c in runs.of_type(prod_run, runs.CONFIG_MAP)
        if c.inputs["metadata"]["name"] == "serving-caches"
    ]
    import json

    caches = json.loads(endpoints.inputs["data"]["caches.json"])
    assert caches["result-cache"]["ttl_s"] == 3600 and caches["embedding-cache"]["size_gb"] == 4
