"""Stack config loaded by the Pulumi CLI's rules, without the CLI.

1. The `config:` block of Pulumi.yaml declares project keys: `{type, default, description}` (a
   default, or a required key when there is none) or `{value: ...}` / a bare value.
2. Pulumi.<stack>.yaml's `config:` block sets or overrides them.
3. Bare keys belong to the project's namespace (`environment` -> `aeon-infra:environment`).
4. Programs receive strings: objects and lists as JSON, scalars as their text; `secure:` values
   are not decrypted offline and arrive as a marked placeholder.
"""

from __future__ import annotations

import json
from typing import Any

from aeon.errors import UserError
from aeon.project import Project, load_yaml

SECRET_PLACEHOLDER = "[secret]"


def namespaced(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def encode_value(value: Any) -> str:
    """Render one config value the way the CLI hands it to a program."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def project_defaults(project: Project) -> tuple[dict[str, Any], set[str]]:
    """Defaults from Pulumi.yaml, and the keys it declares as required (typed, no default)."""
    block = project.definition.get("config") or {}
    if not isinstance(block, dict):
        raise UserError(f"{project.root / 'Pulumi.yaml'}: `config` must be a mapping")
    defaults: dict[str, Any] = {}
    required: set[str] = set()
    for key, spec in block.items():
        full = namespaced(str(key), project.name)
        if isinstance(spec, dict) and "value" in spec:
            defaults[full] = spec["value"]
        elif isinstance(spec, dict) and ({"type", "default", "description"} & set(spec)):
            if "default" in spec:
                defaults[full] = spec["default"]
            else:
                required.add(full)
        else:
            defaults[full] = spec
    return defaults, required


def load_stack_config(project: Project, stack: str, text: str | None = None) -> dict[str, str]:
    """`{"project:key": "string or JSON"}` for one stack, as `pulumi config --json` would give.

    `text` stands for the stack file's content (an edit not yet written) when given.
    """
    path = project.stack_file(stack)
    block = load_yaml(path, text).get("config") or {}
    if not isinstance(block, dict):
        raise UserError(f"{path}: `config` must be a mapping of keys to values")
    values, required = project_defaults(project)
    values.update({namespaced(str(k), project.name): v for k, v in block.items()})
    missing = sorted(k for k in required if k not in values)
    if missing:
        raise UserError(
            f"stack {stack!r} is missing configuration value(s) {', '.join(missing)}; "
            f"set them in {path.name}"
        )
    return {key: encode_value(value) for key, value in sorted(values.items())}


def secret_keys(project: Project, stack: str) -> list[str]:
    block = load_yaml(project.stack_file(stack)).get("config") or {}
    return sorted(
        namespaced(str(k), project.name)
        for k, v in block.items()
        if isinstance(v, dict) and set(v) == {"secure"}
    )
