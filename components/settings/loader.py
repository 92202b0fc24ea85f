"""Config values as the Pulumi CLI hands them to a program -> validated `StackSettings`."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from components.facts.project import PROJECT
from components.settings.errors import InvalidSettings, describe
from components.settings.regions import check_region
from components.settings.stack import StackSettings

AWS_REGION_KEY = "aws:region"


def parse_settings(values: Mapping[str, str | None], stack: str) -> StackSettings:
    """Validate config values as the Pulumi CLI passes them (`project:key` -> string or JSON).

    Every `aeon-infra:` key must be a field of StackSettings (the nearest one is suggested);
    `aws:region`, the default region of the AWS provider, must be a real region.
    """
    prefix = PROJECT + ":"
    raw: dict[str, Any] = {}
    problems: list[str] = []
    region = values.get(AWS_REGION_KEY)
    if region:
        try:
            check_region(region)
        except ValueError as exc:
            problems.append(f"{AWS_REGION_KEY}: {exc}")
    for key, text in values.items():
        if not key.startswith(prefix):
            namespace = key.partition(":")[0]
            if namespace != PROJECT and _looks_like_ours(namespace):
                problems.append(
                    f"{key}: unknown namespace {namespace!r}; did you mean {prefix}"
                    f"{key.partition(':')[2]}? (this stack's keys live under {prefix})"
                )
            continue
        if text is None:
            continue
        field = key[len(prefix) :]
        if field not in StackSettings.model_fields:
            problems.append(f"{key}: {unknown_key(field)}")
            continue
        raw[field] = _decode(text)
    if problems:
        raise InvalidSettings(stack, problems)
    try:
        return StackSettings.model_validate(raw)
    except ValidationError as exc:
        raise InvalidSettings(stack, [describe(err, raw) for err in exc.errors()]) from None


def _looks_like_ours(namespace: str) -> bool:
    """A misspelt project namespace (`aeon_infra`, `aeon-infr`): its keys would be ignored."""
    return difflib.SequenceMatcher(None, namespace.lower(), PROJECT).ratio() >= 0.8


def unknown_key(field: str) -> str:
    allowed = list(StackSettings.model_fields)
    close = difflib.get_close_matches(field, allowed, n=1, cutoff=0.5)
    hint = f"did you mean {PROJECT}:{close[0]}? " if close else ""
    return f"unknown key; {hint}allowed keys: {', '.join(allowed)}"


def _decode(text: str) -> Any:
    """Objects and lists arrive as JSON; scalars stay strings for pydantic to coerce."""
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text
