"""Config values as the Pulumi CLI hands them to a program -> validated `StackSettings`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from components.facts.project import PROJECT
from components.settings.errors import InvalidSettings, describe
from components.settings.stack import StackSettings


def parse_settings(values: Mapping[str, str | None], stack: str) -> StackSettings:
    """Validate config values as the Pulumi CLI passes them (`project:key` -> string or JSON)."""
    prefix = PROJECT + ":"
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for key, text in values.items():
        if not key.startswith(prefix) or text is None:
            continue
        field = key[len(prefix) :]
        if field not in StackSettings.model_fields:
            allowed = ", ".join(StackSettings.model_fields)
            problems.append(f"{key}: unknown key; allowed keys: {allowed}")
            continue
        raw[field] = _decode(text)
    if problems:
        raise InvalidSettings(stack, problems)
    try:
        return StackSettings.model_validate(raw)
    except ValidationError as exc:
        raise InvalidSettings(stack, [describe(err, raw) for err in exc.errors()]) from None


def _decode(text: str) -> Any:
    """Objects and lists arrive as JSON; scalars stay strings for pydantic to coerce."""
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text
