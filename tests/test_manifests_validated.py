"""Every manifest the stacks render, checked by validators we did not write.

kubernetes-validate (strict, Kubernetes 1.31) over every Kubernetes resource and over the pod-level
values we hand Helm charts; Checkov's Kubernetes framework over the same manifests with the skip
list in tests/validators/checkov-skips.yaml; Triton's own `model_config.proto` (from tritonclient)
over every config.pbtxt, plus the rules that make a model loadable by the image it names.
"""

from __future__ import annotations

import json

import pytest
import yaml

from components.facts.triton_images import VLLM, image_serves
from tests import rendered
from tests.components import component_runs as runs

SKIPS = yaml.safe_load((rendered.REPO / "tests/validators/checkov-skips.yaml").read_text())
STACKS = ("prod", "dev")


@pytest.fixture(scope="module")
def everything():
    found = {}
    for stack in STACKS:
        run = runs.stack_run(stack)
        for key, manifest in {**rendered.manifests(run), **rendered.release_pods(run)}.items():
            found[f"{stack}:{key}"] = manifest
    return found


@pytest.fixture(scope="module")
def model_configs(everything):
    return {
        key: manifest["data"]["config.pbtxt"]
        for key, manifest in everything.items()
        if manifest["kind"] == "ConfigMap" and "config.pbtxt" in manifest.get("data", {})
    }


@pytest.fixture(scope="module")
def verdicts(everything, model_configs, tmp_path_factory):
    return rendered.validate(tmp_path_factory.mktemp("validate"), everything, model_configs)


def test_every_manifest_passes_kubernetes_validate_strict(everything, verdicts) -> None:
    assert len(everything) > 100  # both stacks, every kind
    kinds = {m["kind"] for m in everything.values()}
    assert {"Deployment", "StatefulSet", "Job", "CronJob", "ConfigMap", "PodDisruptionBudget",
            "NetworkPolicy", "Pod"} <= kinds  # fmt: skip
    assert verdicts["kubernetes"] == {}


def test_the_validator_rejects_what_kubernetes_rejects(tmp_path) -> None:
    bad = {
        "unknown-field": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
                          "spec": {}},
        "string-replicas": {"apiVersion": "apps/v1", "kind": "Deployment",
                            "metadata": {"name": "x"}, "spec": {"replicas": "2"}},
    }  # fmt: skip
    errors = rendered.validate(tmp_path, bad, {"broken": "max_batch_size: oops"})
    assert set(errors["kubernetes"]) == {"unknown-field", "string-replicas"}
    assert "error" in errors["triton"]["broken"]


def test_checkov_finds_nothing_beyond_the_reasoned_skips(everything, tmp_path) -> None:
    assert all(s["reason"].strip() and s["id"].startswith("CKV") for s in SKIPS)
    for index, (_, manifest) in enumerate(sorted(everything.items())):
        if manifest["kind"] != "Pod":  # the wrapped chart values are not workloads of ours
            (tmp_path / f"{index:04d}.yaml").write_text(yaml.safe_dump(manifest))
    failed = rendered.checkov(tmp_path, [])
    unexpected = sorted(
        {(f["check_id"], f["resource"]) for f in failed}
        - {
            (f["check_id"], f["resource"])
            for f in failed
            if f["check_id"] in {s["id"] for s in SKIPS}
        }
    )
    assert unexpected == []
    unused = {s["id"] for s in SKIPS} - {f["check_id"] for f in failed}
    assert unused == set(), "a skip that matches nothing: remove it from checkov-skips.yaml"


def test_every_model_config_parses_with_tritons_proto(model_configs, verdicts) -> None:
    assert len(model_configs) >= 5  # primary LLM + embedder, three edge LLMs
    assert all("parsed" in verdicts["triton"][key] for key in model_configs)


def test_every_model_is_loadable_by_the_image_and_backend_it_names(everything, verdicts) -> None:
    deployments = {
        key: m for key, m in everything.items()
        if m["kind"] == "Deployment" and m["metadata"]["name"].startswith("triton-")
    }  # fmt: skip
    assert deployments
    for where, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (triton,) = pod["containers"]
        volume = next(v for v in pod["volumes"] if v["name"] == "model-config")
        stack_region, _, namespace, _ = where.split("/")
        key = f"{stack_region}/ConfigMap/{namespace}/{volume['configMap']['name']}"
        config = verdicts["triton"][key]["parsed"]
        backend, model = config["backend"], config["name"]
        assert image_serves(triton["image"], backend), (triton["image"], backend)
        mounts = {m["mountPath"]: m for m in triton["volumeMounts"]}
        assert f"/models/{model}/config.pbtxt" in mounts
        if backend == VLLM:
            assert config.get("max_batch_size", 0) == 0
            assert "dynamic_batching" not in config
            assert config["model_transaction_policy"]["decoupled"] is True
            assert f"/models/{model}/1/model.json" in mounts  # the version folder
            args = json.loads(everything[key]["data"]["1_model.json"])
            gpus = int(triton["resources"]["limits"]["nvidia.com/gpu"])
            assert args["tensor_parallel_size"] == gpus
            assert args["max_num_seqs"] == 32 and args["gpu_memory_utilization"] == 0.8
        else:
            batching = config["dynamic_batching"]
            assert config["max_batch_size"] == 32
            assert int(batching["max_queue_delay_microseconds"]) == 50_000
            assert int(batching["priority_levels"]) == 3
            assert int(batching["default_queue_policy"]["max_queue_size"]) == 1000
