"""A bad stack config stops before any resource is registered, with the key path and a reason."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from aeon.engine import monitor as engine_monitor
from aeon.engine import run_program
from aeon.errors import UserError

REPO = Path(__file__).resolve().parents[1]
PROD = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
KEY = "aeon-infra:"


def pool(config: dict, name: str) -> dict:
    return next(p for p in config[KEY + "pools"] if p["name"] == name)


def tier_before_30_days(c):
    c[KEY + "storage"]["lifecycle"]["tiers"][1] = {"storage_class": "STANDARD_IA", "after_days": 7}


def min_above_desired(c):
    pool(c, "inference")["min_size"] = 5


def commitment_above_max(c):
    pool(c, "system")["capacity"]["committed"] = 11


def unknown_family(c):
    pool(c, "training-p5")["instance_types"] = ["p9.48xlarge", "p5.48xlarge"]


def not_offered_in_region(c):
    pool(c, "edge-inference-apse1-g4dn-8c")["instance_types"][0] = "g6e.xlarge"


def unequal_training_gpus(c):
    pool(c, "training-p5")["instance_types"] = ["p5.48xlarge", "p4d.24xlarge"]


def mixed_shapes_in_an_autoscaler_pool(c):
    pool(c, "inference")["instance_types"] = ["g5.12xlarge", "g6e.12xlarge", "g5.24xlarge"]


def tensor_parallel_on_shared_pool(c):
    c[KEY + "serving"]["inference"]["pool"] = "inference-shared"


def serving_namespace_missing(c):
    c[KEY + "serving"]["inference"]["namespace"] = "serving"


def vector_store_on_an_edge_pool(c):
    c[KEY + "serving"]["vector_store"]["pool"] = "system-euw1"


def embedder_as_wide_as_its_node(c):
    # 4 vCPU on 4-vCPU nodes: the kubelet and EKS's DaemonSets keep 260m of them
    c[KEY + "serving"]["embedder"]["cpu_per_replica"] = 4


def edge_model_memory_past_allocatable(c):
    # 31 GiB on 32 GiB nodes: allocatable is 30.9 GiB on g5.2xlarge (and 31.2 on g4dn.2xlarge)
    c[KEY + "serving"]["edge_inference"]["memory_gib_per_replica"] = 31


def scaling_policy_on_node_pool(c):
    pool(c, "system")["scaling"] = {
        "policy": "target-tracking",
        "metric": "cpu",
        "target_value": 60,
    }


CASES = [
    (
        tier_before_30_days,
        "aeon-infra:storage.lifecycle",
        "S3 rejects a transition to STANDARD_IA after 7 days; the minimum is 30 days",
    ),
    (min_above_desired, "aeon-infra:pools[2]", "min_size <= desired_size <= max_size"),
    (commitment_above_max, "aeon-infra:pools[10]", "capacity.committed 11 exceeds max_size 10"),
    (
        unknown_family,
        "aeon-infra:pools[0].instance_types[0] ('training-p5')",
        "unknown instance type 'p9.48xlarge' (no such family p9",
    ),
    (
        not_offered_in_region,
        "aeon-infra:pools[24].instance_types[0]",
        "g6e.xlarge is not offered in ap-southeast-1",
    ),
    (
        unequal_training_gpus,
        "aeon-infra:pools[0].instance_types ('training-p5')",
        "p4d.24xlarge (96 vCPU, 1152 GiB, 8x40 GiB GPU)",
    ),
    (
        mixed_shapes_in_an_autoscaler_pool,
        "aeon-infra:pools[2].instance_types ('inference')",
        "must be interchangeable (same vCPUs, memory within 10%, same GPU count and GPU memory); "
        "got g5.12xlarge (48 vCPU, 192 GiB, 4x22.4 GiB GPU); g6e.12xlarge (48 vCPU, 384 GiB, "
        "4x44.7 GiB GPU); g5.24xlarge (96 vCPU, 384 GiB, 4x22.4 GiB GPU)",
    ),
    (
        tensor_parallel_on_shared_pool,
        "aeon-infra:serving.inference.pool",
        "time-slicing rejects pods asking for more than one GPU",
    ),
    (
        embedder_as_wide_as_its_node,
        "aeon-infra:serving.embedder: a replica requests 4 vCPU, 4 GiB and 1 GPU(s)",
        "a g5.xlarge node of pool 'inference-shared' (node group 'inference-shared') leaves pods "
        "3.74 vCPU, 14.9 GiB",
    ),
    (
        edge_model_memory_past_allocatable,
        "aeon-infra:serving.edge_inference: a replica requests 3 vCPU, 31 GiB",
        "a g5.2xlarge node of pool 'edge-inference-euw1-g5-8c' (node group "
        "'edge-inference-euw1') leaves pods 7.73 vCPU, 30.9 GiB",
    ),
    (scaling_policy_on_node_pool, "aeon-infra:pools[10]", "which the Cluster Autoscaler scales"),
    (
        serving_namespace_missing,
        "aeon-infra:serving.inference.namespace",
        "namespace 'serving' is not in kubernetes.namespaces for primary clusters",
    ),
    (
        vector_store_on_an_edge_pool,
        "aeon-infra:serving.vector_store.pool",
        "'system-euw1' is not a pool or node group of the primary region us-east-1",
    ),
]


@pytest.fixture
def bad_project(tmp_path: Path):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)

    def write(change) -> Path:
        config = copy.deepcopy(PROD)
        change(config)
        (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": config}))
        return tmp_path

    return write


@pytest.mark.parametrize(("change", "path", "reason"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_config_fails_with_key_path_before_any_resource(
    bad_project, monkeypatch, change, path, reason
) -> None:
    registered: list[str] = []
    original = engine_monitor.RecordingMonitor.RegisterResource

    def counting(self, request):
        if request.type != "pulumi:pulumi:Stack":
            registered.append(request.type)
        return original(self, request)

    monkeypatch.setattr(engine_monitor.RecordingMonitor, "RegisterResource", counting)
    with pytest.raises(UserError) as caught:
        run_program(bad_project(change), "bad")
    message = str(caught.value)
    assert path in message and reason in message, message
    assert registered == []


def test_the_committed_prod_config_passes_the_same_checks(bad_project) -> None:
    run = run_program(bad_project(lambda c: None), "bad")
    assert len(run.resources) > 400
