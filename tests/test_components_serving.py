"""Serving: Triton with the framework's batching, the vector store, the caches."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from aeon.engine import run_program
from tests.components import component_runs as runs

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def triton(run, region: str, model: str):
    (deployment,) = [
        d for d in runs.of_type(run, DEPLOYMENT)
        if d.region == region and d.inputs["metadata"]["name"] == f"triton-{model}"
    ]  # fmt: skip
    return deployment


def test_the_llm_runs_on_vllm_with_tp_gpus_on_the_unshared_pool(prod_run) -> None:
    deployment = triton(prod_run, "us-east-1", "llm-7b")
    pod = deployment.inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == "nvcr.io/nvidia/tritonserver:24.10-vllm-python-py3"
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert pod["nodeSelector"] == {"aeon.ai/node-group": "inference"}  # not time-sliced
    assert pod["priorityClassName"] == "online-inference"
    assert deployment.inputs["metadata"]["namespace"] == "inference"
    (config,) = [
        c for c in runs.of_type(prod_run, runs.CONFIG_MAP)
        if c.region == "us-east-1" and c.inputs["metadata"]["name"] == "llm-7b-model-config"
    ]  # fmt: skip
    engine = json.loads(config.inputs["data"]["1_model.json"])
    # The framework's batching figures as vLLM engine arguments.
    assert engine["max_num_seqs"] == 32 and engine["tensor_parallel_size"] == 2
    assert engine["model"] == "/models/llm-7b/1/weights"
    (copy,) = pod["initContainers"]
    assert copy["command"][:3] == ["aws", "s3", "sync"]
    assert copy["args"][0].endswith("/models/llm-7b/") and copy["args"][1] == engine["model"]


def test_the_embedder_batches_in_triton_in_the_standard_image(prod_run) -> None:
    deployment = triton(prod_run, "us-east-1", "embedder")
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == "nvcr.io/nvidia/tritonserver:24.10-py3"
    assert pod["nodeSelector"] == {"aeon.ai/node-group": "inference-shared"}  # time-sliced GPU
    (service,) = [
        s for s in runs.of_type(prod_run, "kubernetes:core/v1:Service")
        if s.inputs["metadata"]["name"] == "triton-embedder"
    ]  # fmt: skip
    assert service.inputs["spec"]["type"] == "ClusterIP"  # in-cluster only


def config_hashes(run) -> dict[tuple[str, str], str]:
    return {
        (d.region, d.inputs["metadata"]["name"]):
            d.inputs["spec"]["template"]["metadata"]["annotations"]["aeon.ai/model-config-sha256"]
        for d in runs.of_type(run, DEPLOYMENT)
    }  # fmt: skip


def test_a_model_config_change_rolls_that_models_pods_only(prod_run, tmp_path) -> None:
    # Triton reads config.pbtxt and model.json (subPath mounts) only at start: an applied
    # max_num_seqs must change the pod template, or the running pods never see it.
    before = config_hashes(prod_run)
    assert len(before) == 5 and all(len(h) == 64 for h in before.values())
    after = config_hashes(tuned_run(tmp_path, {"inference": {"max_num_seqs": 48}}))
    llm = ("us-east-1", "triton-llm-7b")
    assert after[llm] != before[llm]
    assert {k: v for k, v in after.items() if k != llm} == {
        k: v for k, v in before.items() if k != llm
    }  # same files, same hash: the other models' pods stay


def test_pulumi_waits_for_triton_longer_than_its_startup_probe(prod_run) -> None:
    for deployment in runs.of_type(prod_run, DEPLOYMENT):
        timeouts = deployment.custom_timeouts
        assert set(timeouts) == {"create", "update"}, deployment.name
        assert timeouts["create"] == timeouts["update"] and timeouts["create"].endswith("m")
        wait_s = int(timeouts["create"].removesuffix("m")) * 60
        (triton,) = deployment.inputs["spec"]["template"]["spec"]["containers"]
        probe = triton["startupProbe"]
        startup_s = probe["periodSeconds"] * probe["failureThreshold"]
        # Image pull and the S3 copy come before the probe's window; pulumi-kubernetes' own
        # default (10 minutes) is shorter than the window alone.
        assert wait_s >= startup_s + 600 > 10 * 60
        assert deployment.inputs["spec"]["progressDeadlineSeconds"] == wait_s


def test_digest_pinned_images_run_as_written(tmp_path) -> None:
    digest = "sha256:" + "ab" * 32
    llm = f"nvcr.io/nvidia/tritonserver:24.10-vllm-python-py3@{digest}"
    embedder = f"nvcr.io/nvidia/tritonserver:24.10-py3@sha256:{'cd' * 32}"
    run = tuned_run(tmp_path, {"inference": {"image": llm}, "embedder": {"image": embedder}})
    images = {
        (d.region, d.inputs["metadata"]["name"]): d.inputs["spec"]["template"]["spec"][
            "containers"
        ][0]["image"]
        for d in runs.of_type(run, DEPLOYMENT)
    }
    assert images.pop(("us-east-1", "triton-embedder")) == embedder  # never the LLM's digest
    assert set(images.values()) == {llm}  # the LLM and the edge models


def test_triton_pods_are_guaranteed_so_cpus_are_pinned(prod_run) -> None:
    deployments = [d for d in runs.of_type(prod_run, DEPLOYMENT)]
    assert len(deployments) == 5
    for deployment in deployments:
        pod = deployment.inputs["spec"]["template"]["spec"]
        for container in pod["containers"] + pod["initContainers"]:
            resources = container["resources"]
            assert resources["requests"] == resources["limits"], deployment.name
            cpu = resources["requests"]["cpu"]
            assert cpu.isdigit(), cpu  # whole CPUs: the static CPU manager pins only those


def test_workloads_are_hardened(prod_run) -> None:
    kinds = (DEPLOYMENT, "kubernetes:apps/v1:StatefulSet")
    jobs = ("kubernetes:batch/v1:Job",)
    for resource in [r for r in prod_run.resources if r.type in kinds + jobs]:
        pod = resource.inputs["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in pod["containers"] + pod.get("initContainers", []):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"] == {"drop": ["ALL"]}
            assert ":" in container["image"] and not container["image"].endswith(":latest")
            if resource.type in kinds and container in pod["containers"]:
                assert "livenessProbe" in container and "readinessProbe" in container


def test_disruption_budgets_and_network_policies_cover_the_servers(prod_run) -> None:
    budgets = runs.of_type(prod_run, "kubernetes:policy/v1:PodDisruptionBudget")
    policies = runs.of_type(prod_run, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    for resource in runs.of_type(prod_run, DEPLOYMENT) + runs.of_type(
        prod_run, "kubernetes:apps/v1:StatefulSet"
    ):
        labels = resource.inputs["spec"]["selector"]["matchLabels"]
        same = [b for b in budgets if b.region == resource.region]
        assert any(b.inputs["spec"]["selector"]["matchLabels"] == labels for b in same)
        assert any(
            p.region == resource.region and p.inputs["spec"]["podSelector"]["matchLabels"] == labels
            for p in policies
        )
    (store_budget,) = [b for b in budgets if b.inputs["metadata"]["name"] == "vector-store"]
    assert store_budget.inputs["spec"]["maxUnavailable"] == 1  # replication factor 2


def test_hpa_scales_triton_between_replicas_and_max(prod_run) -> None:
    hpas = runs.of_type(prod_run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    (primary,) = [
        h
        for h in hpas
        if h.region == "us-east-1" and h.inputs["metadata"]["name"] == "triton-llm-7b"
    ]
    spec = primary.inputs["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 8)
    assert spec["scaleTargetRef"]["kind"] == "Deployment"
    assert spec["metrics"][0]["resource"]["target"]["averageUtilization"] == 70


def test_vector_store_is_a_qdrant_cluster_with_its_collection(prod_run) -> None:
    (store,) = runs.of_type(prod_run, "kubernetes:apps/v1:StatefulSet")
    spec = store.inputs["spec"]
    assert spec["replicas"] == 16  # 8 partitions x replication factor 2
    claims = {c["metadata"]["name"]: c["spec"] for c in spec["volumeClaimTemplates"]}
    assert claims["data"]["resources"]["requests"]["storage"] == "15Gi"  # 10 GB + 50% headroom
    assert claims["l2-cache"]["resources"]["requests"]["storage"] == "20Gi"
    assert claims["data"]["storageClassName"] == "hot"
    (qdrant,) = spec["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in qdrant["env"]}
    assert env["QDRANT__CLUSTER__ENABLED"] == "true"
    script = qdrant["command"][2]
    assert "--bootstrap http://vector-store-0.vector-store:6335" in script  # peers join pod 0
    assert qdrant["resources"]["limits"]["memory"] == "10Gi"  # 8 GiB + the 2 GB L1 cache
    (job,) = runs.of_type(prod_run, "kubernetes:batch/v1:Job")
    (curl,) = job.inputs["spec"]["template"]["spec"]["containers"]
    assert curl["image"].startswith("curlimages/curl:")  # an image that has the tool it runs
    body = json.loads(curl["command"][2].split("-d '", 1)[1].split("'", 1)[0])
    assert (body["shard_number"], body["replication_factor"]) == (8, 2)
    (cron,) = runs.of_type(prod_run, "kubernetes:batch/v1:CronJob")
    assert cron.inputs["spec"]["schedule"] == "0 3 * * *"
    (optimize,) = cron.inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    opened, paused = [
        json.loads(line.split(" -d '", 1)[1].rsplit("'", 1)[0])["optimizers_config"]
        for line in optimize["command"][2].splitlines()
        if "-X PATCH" in line
    ]
    # Qdrant 1.12 skips a null in a collection update: the window opens with a thread count
    # (one per CPU of a peer) and closes with 0.
    assert opened == {"max_optimization_threads": 2} and paused == {"max_optimization_threads": 0}
    assert cron.inputs["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] <= 2 * 3600
    assert cron.inputs["spec"]["concurrencyPolicy"] == "Forbid"
    assert store.urn in job.dependencies and job.urn in cron.dependencies


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
    caches = json.loads(endpoints.inputs["data"]["caches.json"])
    assert caches["result-cache"]["ttl_s"] == 3600 and caches["embedding-cache"]["size_gb"] == 4


def tuned_run(tmp_path, serving: dict[str, dict]):
    """Prod with some `serving.<model>` keys changed."""
    config = yaml.safe_load((runs.REPO / "Pulumi.prod.yaml").read_text())
    for model, keys in serving.items():
        config["config"]["aeon-infra:serving"][model].update(keys)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(runs.REPO / name, tmp_path / name)
    (tmp_path / "Pulumi.tuned.yaml").write_text(yaml.safe_dump(config))
    return run_program(tmp_path, "tuned")


def test_each_model_scales_on_its_own_cpu_target_else_the_llms(tmp_path) -> None:
    run = tuned_run(tmp_path, {"embedder": {"hpa_target_cpu_pct": 55}})
    targets = {
        (h.region, h.inputs["metadata"]["name"]):
            h.inputs["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]
        for h in runs.of_type(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
        if h.inputs["metadata"]["name"].startswith("triton-")
    }  # fmt: skip
    assert targets[("us-east-1", "triton-embedder")] == 55
    assert targets[("us-east-1", "triton-llm-7b")] == 70
    assert {v for (region, _), v in targets.items() if region != "us-east-1"} == {70}
