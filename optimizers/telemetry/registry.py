"""The registry of telemetry sources: each kind registers itself by name.

`get_source("csv").load(input_dir=..., lookback_s=...)` returns a TelemetryFrame whatever the kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from aeon.errors import UserError
from optimizers.telemetry.frame import ResourceInfo, TelemetryFrame


class TelemetryInputError(UserError, ValueError):
    """Bad telemetry input (file, option, duration): the CLI reports it as a user error (exit 2)."""


class TelemetryUnavailable(UserError, RuntimeError):
    """The source cannot run here (no GPU driver, endpoint unreachable): exit 2 with the reason."""


Inventory = Mapping[str, ResourceInfo] | Path | str | None


class TelemetrySource(ABC):
    """One kind of telemetry. Subclasses set `name`, a one-line `description` and implement load."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def load(
        self,
        *,
        input_dir: Path | str | None = None,
        lookback_s: int | None = None,
        end: int | None = None,
        region: str | None = None,
        inventory: Inventory = None,
        **options: Any,
    ) -> TelemetryFrame:
        """Read the window [end - lookback_s, end] (Unix seconds) into one frame.

        lookback_s None means the default (14 days). end None means now for live sources and the
        newest sample for recorded files. Options a source does not know raise TelemetryInputError.
        """


SOURCES: dict[str, type[TelemetrySource]] = {}


def register(cls: type[TelemetrySource]) -> type[TelemetrySource]:
    if cls.name in SOURCES and SOURCES[cls.name] is not cls:
        raise ValueError(f"telemetry source {cls.name!r} registered twice")
    SOURCES[cls.name] = cls
    return cls


def get_source(name: str) -> TelemetrySource:
    """A fresh source of that kind; an unknown name is a user error listing the known ones."""
    try:
        return SOURCES[name]()
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise TelemetryInputError(
            f"unknown telemetry source {name!r}; choose one of: {known}"
        ) from None


def reject_unknown_options(source: str, options: Mapping[str, Any], known: set[str]) -> None:
    extra = sorted(set(options) - known)
    if extra:
        raise TelemetryInputError(
            f"the {source} source does not take {', '.join(extra)}; "
            f"it takes {', '.join(sorted(known)) or 'no other options'}"
        )
