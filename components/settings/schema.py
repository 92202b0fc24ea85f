"""The JSON Schema of a stack file's `config:` block, for editors (`aeon schema`)."""

from __future__ import annotations

from typing import Any

from components.facts.project import PROJECT
from components.settings.stack import StackSettings


def json_schema() -> dict[str, Any]:
    """JSON Schema of the `config:` block of Pulumi.<stack>.yaml, for editors."""
    inner = StackSettings.model_json_schema()
    props = {f"{PROJECT}:{k}": v for k, v in inner.pop("properties").items()}
    required = [f"{PROJECT}:{k}" for k in inner.pop("required", [])]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{PROJECT} stack config",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": True,
            }
        },
        "$defs": inner.get("$defs", {}),
    }
