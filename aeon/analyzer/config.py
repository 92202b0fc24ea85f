"""The policy config merge the Pulumi CLI performs before it sends Configure to a pack.

Order (as the CLI does it): each policy's schema defaults, then the pack's `initialConfig`, then the
user's `--policy-pack-config` file, where the key `all` sets every policy's enforcement level. The
result is validated against each policy's config schema; aeon is stricter than the CLI about typos
(an unknown key inside a policy's config is an error, as is an unknown policy).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from aeon.errors import UserError
from components.facts.files import UnreadableFile, load_json

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
# Ordering used to tell whether a stack config lowers a level.
LEVEL_RANK = {"disabled": 0, "advisory": 1, "mandatory": 2, "remediate": 2}


@dataclass(frozen=True)
class PolicySpec:
    """What GetAnalyzerInfo says of one policy."""

    name: str
    description: str
    enforcement: str
    severity: str
    kind: str
    properties: dict[str, Any]
    required: tuple[str, ...] = ()

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": self.properties,
            "required": list(self.required),
            "additionalProperties": False,
        }


@dataclass(frozen=True)
class PolicyConfig:
    enforcement: str
    properties: dict[str, Any]


def load_config_file(path: Path) -> dict[str, Any]:
    try:
        data = load_json(path, "policy config")
    except UnreadableFile as exc:
        raise UserError(str(exc)) from None
    if not isinstance(data, dict):
        raise UserError(f"policy config {path}: expected a JSON object of policy names")
    return data


def _level(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in LEVELS:
        raise UserError(f"{where}: bad enforcement level {value!r}; allowed: {', '.join(LEVELS)}")
    return value


def _split(value: Any, where: str) -> tuple[str | None, dict[str, Any]]:
    """A policy's config entry is a level string or an object with optional enforcementLevel."""
    if isinstance(value, str):
        return _level(value, where), {}
    if not isinstance(value, dict):
        raise UserError(
            f"{where}: expected an enforcement level or an object, got {type(value).__name__}"
        )
    props = {k: v for k, v in value.items() if k != "enforcementLevel"}
    level = value.get("enforcementLevel")
    return (_level(level, f"{where}.enforcementLevel") if level is not None else None), props


def merge_config(
    specs: list[PolicySpec],
    initial: dict[str, Any] | None,
    user: dict[str, Any] | None,
    source: str = "policy config",
) -> dict[str, PolicyConfig]:
    """Merge defaults, initial config and the user's file; raise UserError naming policy and key."""
    known = {s.name: s for s in specs}
    levels = {s.name: s.enforcement for s in specs}
    props: dict[str, dict[str, Any]] = {
        s.name: {k: copy.deepcopy(v["default"]) for k, v in s.properties.items() if "default" in v}
        for s in specs
    }
    for layer_name, layer in (("the pack's initialConfig", initial or {}), (source, user or {})):
        if "all" in layer:
            level, extra = _split(layer["all"], f"{layer_name}: all")
            if extra:
                raise UserError(f"{layer_name}: `all` takes only an enforcement level")
            if level is not None:
                levels = {name: level for name in levels}
        for name, value in layer.items():
            if name == "all":
                continue
            if name not in known:
                raise UserError(
                    f"{layer_name}: unknown policy {name!r}; policies of the pack: "
                    f"{', '.join(sorted(known))}"
                )
            level, extra = _split(value, f"{layer_name}: {name}")
            if level is not None:
                levels[name] = level
            props[name].update(extra)
    merged: dict[str, PolicyConfig] = {}
    for name, spec in known.items():
        validator = jsonschema.Draft7Validator(spec.schema())
        errors = sorted(validator.iter_errors(props[name]), key=lambda e: list(e.path))
        if errors:
            err = errors[0]
            key = ".".join(str(p) for p in err.path) or (
                err.message.split("'")[1] if "'" in err.message else "<config>"
            )
            raise UserError(f"{source}: policy {name!r} key {key!r}: {err.message}")
        merged[name] = PolicyConfig(enforcement=levels[name], properties=props[name])
    return merged
