"""One line per problem, key path first: `aeon-infra:pools[2] ('training').max_size: ...; got 3`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from components.facts.project import PROJECT
from components.settings.base import SettingsRuleError


class InvalidSettings(Exception):
    """A stack config that the schema rejects; `problems` are one line each, key path first."""

    def __init__(self, stack: str, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid stack config for stack {stack!r}:\n{listing}")


def describe(err: Mapping[str, Any], raw: Mapping[str, Any]) -> str:
    """One pydantic error (`ValidationError.errors()` item) over the config values `raw`."""
    loc = tuple(err["loc"])
    value = err.get("input")
    rule = (err.get("ctx") or {}).get("error")
    if isinstance(rule, SettingsRuleError) and rule.path:
        loc += rule.path
        value = _lookup(raw, loc)
    path = _key_path(loc)
    reason = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"{path}: required key is missing"
    label = _item_label(loc, raw)
    if isinstance(value, Mapping):  # a rule over a whole object: its message names the values
        return f"{path}{label}: {reason}"
    return f"{path}{label}: {reason}; got {_short(value)}"


def _lookup(raw: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _key_path(loc: tuple[Any, ...]) -> str:
    if not loc:
        return f"{PROJECT}:<stack config>"
    head, *rest = loc
    path = f"{PROJECT}:{head}"
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _item_label(loc: tuple[Any, ...], raw: Mapping[str, Any]) -> str:
    """Name the list item (`pools[2]` is pool 'training') so the user finds it in the file."""
    node: Any = raw
    label = ""
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if (
            isinstance(part, int)
            and isinstance(node, Mapping)
            and isinstance(node.get("name"), str)
        ):
            label = f" ({node['name']!r})"
    return label


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
