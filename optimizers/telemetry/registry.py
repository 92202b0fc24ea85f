"""The registry of telemetry sources: each kind is a class that registers itself by name.

    get_source("csv").load(input_dir=..., lookback_s=...)   # a TelemetryFrame, whatever the kind

A source declares an options model (`Options`, whose fields become `aeon recommend` flags) and
what it reads: `reads_files` (a recording in --input DIR), `live` (a running system, when no
--input is given) and `per_region` (one read per region, which the caller merges). The base
`load()` checks the options and the common arguments once, then calls the source's `_load()`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from optimizers.options import Options, validate_options
from optimizers.registry import Registry
from optimizers.telemetry.errors import TelemetryInputError, TelemetryUnavailable
from optimizers.telemetry.frame import ResourceInfo, TelemetryFrame
from optimizers.telemetry.window import DEFAULT_LOOKBACK_S

__all__ = [
    "SOURCES",
    "Inventory",
    "ReadRequest",
    "TelemetryInputError",
    "TelemetrySource",
    "TelemetryUnavailable",
    "get_source",
    "register",
]

Inventory = Mapping[str, ResourceInfo] | Path | str | None


@dataclass(frozen=True)
class ReadRequest:
    """What every source is asked: the window [end - lookback_s, end] (Unix seconds) and where.

    end None means now for live reads and the newest sample for recordings. inventory: a
    {resource_id: ResourceInfo} mapping, an inventory.csv path or a folder holding one."""

    input_dir: Path | None
    lookback_s: int
    end: int | None
    region: str | None
    inventory: Inventory


class TelemetrySource(ABC):
    """One kind of telemetry. Subclasses set the class attributes and implement `_load`."""

    name: ClassVar[str]
    description: ClassVar[str]  # one line, shown in `aeon recommend --help`
    Options: ClassVar[type[Options]] = Options  # no options unless a source declares some
    reads_files: ClassVar[bool] = False  # reads a recording from --input DIR
    files_hint: ClassVar[str] = "a folder of recorded telemetry"
    live: ClassVar[bool] = True  # reads a running system when no --input is given
    live_hint: ClassVar[str] = "a live system"
    per_region: ClassVar[bool] = False  # one read per region; the caller merges the frames

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
        """Read the window into one frame. lookback_s None means 14 days. Options the source
        does not declare, or values its model refuses, raise TelemetryInputError."""
        checked = validate_options(
            self.Options, options, f"{self.name} source", TelemetryInputError
        )
        if input_dir is not None and not self.reads_files:
            raise TelemetryInputError(
                f"the {self.name} source reads {self.live_hint}, not --input; drop --input"
            )
        if input_dir is None and not self.live:
            raise TelemetryInputError(
                f"the {self.name} source needs --input DIR ({self.files_hint})"
            )
        request = ReadRequest(
            input_dir=None if input_dir is None else Path(input_dir),
            lookback_s=lookback_s or DEFAULT_LOOKBACK_S,
            end=end,
            region=region,
            inventory=inventory,
        )
        return self._load(request, checked)

    @abstractmethod
    def _load(self, request: ReadRequest, options: Any) -> TelemetryFrame:
        """Read what `request` asks with validated `options` (an instance of `Options`)."""


SOURCES: Registry[TelemetrySource] = Registry("telemetry source", TelemetryInputError)
register = SOURCES.register
get_source = SOURCES.create  # a fresh source of that kind; an unknown name lists the known ones
