"""Run third-party validators over what the tests hand in; runs in .venv-validators, not .venv.

    .venv-validators/bin/python tests/validators/check.py REQUEST.json

REQUEST is `{"kubernetes_version": "1.31.0", "manifests": {id: manifest}, "model_configs":
{id: config.pbtxt text}}`. Prints `{"kubernetes": {id: error}, "triton": {id: error | parsed}}`:
a manifest or model config with no entry under its validator passed. Parsed model configs come
back as protobuf's JSON form, so the tests can check backend and batching rules on what Triton
itself reads.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def kubernetes(manifests: dict[str, Any], version: str) -> dict[str, str]:
    import kubernetes_validate

    errors = {}
    for key, manifest in manifests.items():
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path)
            errors[key] = f"{where or '<root>'}: {exc.message}"
        except kubernetes_validate.utils.SchemaNotFoundError as exc:
            errors[key] = f"no schema: {exc}"
    return errors


def triton(configs: dict[str, str]) -> dict[str, Any]:
    from google.protobuf import json_format, text_format
    from tritonclient.grpc import model_config_pb2

    results: dict[str, Any] = {}
    for key, text in configs.items():
        try:
            parsed = text_format.Parse(text, model_config_pb2.ModelConfig())
        except text_format.ParseError as exc:
            results[key] = {"error": str(exc)}
            continue
        results[key] = {
            "parsed": json_format.MessageToDict(parsed, preserving_proto_field_name=True)
        }
    return results


def main(path: str) -> None:
    with open(path) as handle:
        request = json.load(handle)
    out = {
        "kubernetes": kubernetes(request.get("manifests", {}), request["kubernetes_version"]),
        "triton": triton(request.get("model_configs", {})),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
