"""What the program renders for Kubernetes, as the API server and the validators would see it.

`manifests(run)` turns every registered Kubernetes resource into its manifest (numbers that are
whole become integers, as the provider sends them). `release_pods(run)` wraps the pod-level values
we give each Helm chart (placement, priority, security, resources) into a Pod, so the same strict
schema checks them: where each chart reads those values was checked against its values.yaml and
templates at the version in the stack config. `validate(...)` runs the third-party validators in
their own virtualenv (.venv-validators, made by `make setup`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
VALIDATORS = REPO / ".venv-validators" / "bin"
RELEASE = "kubernetes:helm.sh/v3:Release"

# chart -> pod field -> where the chart reads it in its values (None: the chart sets it itself).
# nvidia-device-plugin 0.17.0, dcgm-exporter 3.6.1, cluster-autoscaler 9.43.2,
# aws-node-termination-handler 0.21.0.
POD_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "nvidia-device-plugin": {
        "nodeSelector": ("nodeSelector",),
        "affinity": ("affinity",),
        "tolerations": ("tolerations",),
        "priorityClassName": ("priorityClassName",),
    },
    "dcgm-exporter": {
        "nodeSelector": ("nodeSelector",),
        "affinity": ("affinity",),
        "tolerations": ("tolerations",),
        "priorityClassName": ("priorityClassName",),
    },
    "cluster-autoscaler": {
        "nodeSelector": ("nodeSelector",),
        "tolerations": ("tolerations",),
        "priorityClassName": ("priorityClassName",),
        "securityContext": ("securityContext",),
    },
    "aws-node-termination-handler": {
        "nodeSelector": ("nodeSelector",),
        "tolerations": ("tolerations",),
        "priorityClassName": ("priorityClassName",),
        "securityContext": ("podSecurityContext",),
    },
}
CONTAINER_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "cluster-autoscaler": {
        "resources": ("resources",),
        "securityContext": ("containerSecurityContext",),
    },
    "aws-node-termination-handler": {
        "resources": ("resources",),
        "securityContext": ("securityContext",),
    },
    "dcgm-exporter": {"resources": ("resources",)},
    "nvidia-device-plugin": {"resources": ("resources",)},
}


def integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v) for v in value]
    return value


def key_of(resource) -> str:
    meta = resource.inputs.get("metadata") or {}
    kind = resource.inputs.get("kind", resource.type.rsplit(":", 1)[-1])
    return (
        f"{resource.region}/{kind}/{meta.get('namespace', '-')}/{meta.get('name', resource.name)}"
    )


def manifests(run) -> dict[str, dict[str, Any]]:
    found = {}
    for r in run.resources:
        if r.type.startswith("kubernetes:") and r.type != RELEASE and "apiVersion" in r.inputs:
            found[key_of(r)] = integral(r.inputs)
    return found


def _dig(values: dict[str, Any], path: tuple[str, ...]) -> Any:
    for step in path:
        if not isinstance(values, dict) or step not in values:
            return None
        values = values[step]
    return values


def release_pods(run) -> dict[str, dict[str, Any]]:
    """A Pod per release holding the pod-level values we pass to its chart."""
    pods = {}
    for r in run.resources:
        if r.type != RELEASE or r.inputs["chart"] not in POD_VALUES:
            continue
        chart, values = r.inputs["chart"], integral(r.inputs.get("values") or {})
        spec = {
            field: found
            for field, path in POD_VALUES[chart].items()
            if (found := _dig(values, path)) is not None
        }
        container = {
            field: found
            for field, path in CONTAINER_VALUES.get(chart, {}).items()
            if (found := _dig(values, path)) is not None
        }
        spec["containers"] = [{"name": chart, "image": "chart-default", **container}]
        pods[f"{r.region}/release/{chart}"] = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": chart, "namespace": r.inputs["namespace"]},
            "spec": spec,
        }
    return pods


def validators_python() -> Path:
    """The validators' interpreter; in CI a missing one is a broken setup, not a skip."""
    python = VALIDATORS / "python"
    if not python.exists():
        if os.environ.get("CI"):
            pytest.fail("no .venv-validators: `make setup` creates it (tests/validators)")
        pytest.skip("no .venv-validators: run `make setup`")
    return python


def validate(tmp: Path, manifests_: dict[str, Any], model_configs: dict[str, str]) -> dict:
    request = tmp / "request.json"
    request.write_text(
        json.dumps(
            {
                "kubernetes_version": "1.31.0",
                "manifests": manifests_,
                "model_configs": model_configs,
            }
        )
    )
    done = subprocess.run(
        [str(validators_python()), str(REPO / "tests" / "validators" / "check.py"), str(request)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def checkov(directory: Path, skips: list[str]) -> list[dict[str, Any]]:
    """Checkov's Kubernetes framework over YAML files; the failed checks it reports."""
    validators_python()
    args = [str(VALIDATORS / "checkov"), "-d", str(directory), "--framework", "kubernetes"]
    args += ["-o", "json", "--quiet", "--compact"]
    if skips:
        args += ["--skip-check", ",".join(skips)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if not done.stdout.strip():
        print(done.stderr[-3000:], file=sys.stderr)
        return []
    reports = json.loads(done.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    return [f for rep in reports for f in rep.get("results", {}).get("failed_checks", [])]
