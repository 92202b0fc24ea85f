"""What every settings model shares: strictness, name rules, and the checks several domains run."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
CRON = re.compile(r"^(\S+\s+){4}\S+$")


class SettingsRuleError(ValueError):
    """A cross-field rule broken at `path` (relative to the model that checks it)."""

    def __init__(self, message: str, *path: str | int):
        super().__init__(message)
        self.path = path


class Model(BaseModel):
    """Strict about unknown keys: a typo in the stack config is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Name = Annotated[str, Field(pattern=NAME.pattern, description="lowercase DNS label, 2-40 chars")]
Percent = Annotated[float, Field(ge=0, le=100)]


def check_sizes(min_size: int, desired_size: int, max_size: int) -> None:
    if not min_size <= desired_size <= max_size:
        raise ValueError(
            f"sizes must satisfy min_size <= desired_size <= max_size; got "
            f"min_size={min_size}, desired_size={desired_size}, max_size={max_size}"
        )


def check_unique(what: str, names: list[str], *path: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise SettingsRuleError(
                f"{what} name {name!r} is used twice; names must be unique", *path, index
            )
        seen.add(name)
