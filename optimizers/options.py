"""Options models: what a planner, an input or a telemetry source can be told, and its CLI flags.

Each field of an options model is a flag of `aeon recommend`: `--field-name` (or the name its
`flag` extra gives), of the field's type, helped by its description. Fields for callers in code
(a client, a clock) are `internal()` and never flags. One flag means one thing everywhere: models
that declare the same flag must agree on its field, type, choices and description (`flag_table`
refuses them otherwise); only the default may differ, and the help shows each owner's.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from optimizers.errors import InputError

FLAG_TYPES = (str, int, float, bool, Path)


class Options(BaseModel):
    """Base of every options model: an unknown option is an error; values never change after."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def internal(default: Any = None) -> Any:
    """A field for callers in code (a client, a clock, a fake): never a flag, never saved."""
    return Field(default, exclude=True, json_schema_extra={"flag": False})


@dataclass(frozen=True, eq=False)
class ChoicesFrom:
    """Field metadata: the flag's choices are the names in a registry, read when the CLI is built
    (so a planner or source registered later is a choice too)."""

    registry: Mapping[str, Any]


class FlagConflict(Exception):
    """Two options models declare one flag differently: a bug in one of them (exit 3)."""


@dataclass(frozen=True)
class FlagSpec:
    flag: str  # "--lookback"
    param: str  # the field name, also the CLI parameter's name
    value_type: type  # one of FLAG_TYPES
    multiple: bool  # list[...]: the flag may repeat
    choices: tuple[str, ...] | None
    description: str
    owners: tuple[str, ...]  # "rightsizing planner", "csv source", "telemetry input"
    defaults: tuple[Any, ...]  # one per owner

    def meaning(self) -> tuple[Any, ...]:
        return (self.flag, self.value_type, self.multiple, self.choices, self.description)

    @property
    def help(self) -> str:
        shown = [(o, d) for o, d in zip(self.owners, self.defaults, strict=True) if d is not None]
        text = f"{self.description} [{', '.join(self.owners)}]"
        if not shown:
            return text
        if len({repr(d) for _, d in shown}) == 1 and len(shown) == len(self.owners):
            return f"{text} (default: {_show(shown[0][1])})"
        return f"{text} (default: " + "; ".join(f"{o} {_show(d)}" for o, d in shown) + ")"


def _show(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value) or "none"
    return str(value)


def is_flag(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return not (isinstance(extra, dict) and extra.get("flag") is False)


def flag_name(name: str, info: FieldInfo) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("flag") or "--" + name.replace("_", "-"))


def flag_fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {name: info for name, info in model.model_fields.items() if is_flag(info)}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The value type without None, and whether it is a list."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"a flag takes one type, not {annotation}")
        annotation = rest[0]
    if get_origin(annotation) is list:
        return get_args(annotation)[0], True
    return annotation, False


def flags_of(owner: str, model: type[BaseModel]) -> list[FlagSpec]:
    specs = []
    for name, info in flag_fields(model).items():
        if not info.description:
            raise TypeError(f"{owner}: option {name} has no description (it is the flag's help)")
        value_type, multiple = _unwrap(info.annotation)
        choices: tuple[str, ...] | None = None
        registries = [m for m in info.metadata if isinstance(m, ChoicesFrom)]
        if registries:
            choices = tuple(sorted(registries[0].registry))
        elif get_origin(value_type) is Literal:
            choices = tuple(_show(v) for v in get_args(value_type))
            value_type = str
        elif isinstance(value_type, type) and issubclass(value_type, Enum):
            choices = tuple(str(m.value) for m in value_type)
            value_type = str
        if value_type not in FLAG_TYPES:
            raise TypeError(
                f"{owner}: option {name} is a {value_type}, which no flag takes; "
                "mark it internal() or use str, int, float, bool or Path"
            )
        flag = flag_name(name, info)
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        specs.append(
            FlagSpec(flag, name, value_type, multiple, choices, info.description, (owner,),
                     (default,))
        )  # fmt: skip
    return specs


def flag_conflicts(
    owners: Iterable[tuple[str, type[BaseModel]]], reserved: Iterable[str] = ()
) -> tuple[dict[str, FlagSpec], list[str]]:
    """Merge the flags of every (owner, model); the second item lists each disagreement."""
    table: dict[str, FlagSpec] = {}
    by_flag: dict[str, str] = {}
    problems: list[str] = []
    taken = set(reserved)
    for owner, model in owners:
        for spec in flags_of(owner, model):
            if spec.param in taken or spec.flag.lstrip("-").replace("-", "_") in taken:
                problems.append(f"{spec.flag} of the {owner} is a flag of the command itself")
                continue
            known = table.get(spec.param)
            if known is None and spec.flag in by_flag:
                other = table[by_flag[spec.flag]]
                problems.append(
                    f"{spec.flag}: option {spec.param} of the {owner} and option {other.param} of "
                    f"the {', '.join(other.owners)}: one flag, one option name"
                )
                continue
            if known is None:
                table[spec.param] = spec
                by_flag[spec.flag] = spec.param
            elif known.meaning() != spec.meaning():
                problems.append(
                    f"{spec.flag}: the {owner} declares {_describe(spec)}, the "
                    f"{', '.join(known.owners)} {_describe(known)}: a flag means one thing; "
                    "rename one of them or share one definition"
                )
            else:
                owners, defaults = known.owners + spec.owners, known.defaults + spec.defaults
                table[spec.param] = replace(known, owners=owners, defaults=defaults)
    return table, problems


def _describe(spec: FlagSpec) -> str:
    kind = spec.value_type.__name__ + ("[]" if spec.multiple else "")
    choices = f" of {'|'.join(spec.choices)}" if spec.choices else ""
    return f"{kind}{choices} {spec.description!r}"


def flag_table(
    owners: Iterable[tuple[str, type[BaseModel]]], reserved: Iterable[str] = ()
) -> dict[str, FlagSpec]:
    """param -> FlagSpec over every owner's flags; FlagConflict when two disagree."""
    table, problems = flag_conflicts(owners, reserved)
    if problems:
        raise FlagConflict("; ".join(problems))
    return table


def validate_options(
    model: type[BaseModel],
    values: Mapping[str, Any],
    owner: str,
    error: type[InputError] = InputError,
) -> Any:
    """The options model from raw values; any problem is `error`, naming the option and flag."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        extra = sorted(str(e["loc"][0]) for e in exc.errors() if e["type"] == "extra_forbidden")
        if extra:
            takes = ", ".join(sorted(model.model_fields)) or "no other options"
            raise error(f"the {owner} does not take {', '.join(extra)}; it takes {takes}") from None
        fields = flag_fields(model)
        parts = []
        for e in exc.errors():
            msg = str(e["msg"]).removeprefix("Value error, ")
            name = str(e["loc"][0]) if e["loc"] else None
            if name is None:
                parts.append(f"the {owner}: {msg}")
            else:
                shown = flag_name(name, fields[name]) if name in fields else name
                parts.append(f"{shown}: {msg}")
        raise error("; ".join(parts)) from None
