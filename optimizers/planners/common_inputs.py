"""The inputs most planners read: telemetry (from a registered source), the instance catalog and
the price table, each with its loader and flags."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from optimizers import telemetry
from optimizers.catalog import CATALOG_SOURCES, Catalog, load_catalog
from optimizers.errors import InputError
from optimizers.options import ChoicesFrom, Options
from optimizers.planners.inputs import InputKey, InputLoader, LoadContext, register_loader
from optimizers.pricing import PRICE_TABLE, PriceBook, load_price_book
from optimizers.telemetry import SOURCES, TelemetryFrame, parse_duration
from optimizers.telemetry.frame import merge_frames, only_regions
from optimizers.telemetry.inventory_check import check_inventory
from optimizers.telemetry.window import iso_utc


@dataclass(frozen=True)
class TelemetryWindow:
    """A frame and the window a planner looks at: [end - lookback_s, end]."""

    frame: TelemetryFrame
    end: int  # the newest sample for a recording, now for a live read
    lookback_s: int
    strict: bool = False  # inventory rows the stack or catalog do not know: an error

    @property
    def start(self) -> int:
        return self.end - self.lookback_s


TELEMETRY: InputKey[TelemetryWindow] = InputKey("telemetry", "utilization of every resource")
CATALOG: InputKey[Catalog] = InputKey("catalog", "instance type specs (DescribeInstanceTypes)")
PRICES: InputKey[PriceBook] = InputKey("prices", "the price table (on-demand, spot, commitments)")


# One --lookback for every input that reads a window (telemetry, billing): one meaning, one text.
LOOKBACK_DESCRIPTION = "Window length, e.g. 14d, 6h (billing data: the whole span by default)."


class TelemetryOptions(Options):
    source: Annotated[str | None, ChoicesFrom(SOURCES)] = Field(
        None, description="Where telemetry comes from."
    )
    input_dir: Path | None = Field(
        None,
        description="Folder of recorded telemetry (sources that read files: csv, nvml).",
        json_schema_extra={"flag": "--input"},
    )
    lookback: str = Field("14d", description=LOOKBACK_DESCRIPTION)
    region: list[str] | None = Field(
        None,
        description="Regions (repeat): a per-region source (cloudwatch) reads each, by default "
        "the stack's; with any other source, only resources in them are kept.",
    )
    inventory: Path | None = Field(
        None, description="inventory.csv naming pool, type and purchase per resource."
    )
    strict: bool = Field(
        False,
        description="Fail (exit 2) on inventory rows whose pool, region or instance type the "
        "stack or the catalog does not know, instead of warning.",
    )

    @field_validator("lookback")
    @classmethod
    def _a_duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def lookback_s(self) -> int:
        return parse_duration(self.lookback)


def check_window(frame: TelemetryFrame, options: TelemetryOptions, end: int, live: bool) -> None:
    """Refuse telemetry whose samples mostly miss the window (one wrong timestamp moves the
    window of a recording), before anything is saved over a better run."""
    kept, outside = frame.sample_count(), frame.samples_outside
    ending = f"the {options.lookback} window ending {iso_utc(end)}" + (
        "" if live else " (the newest sample)"
    )
    if outside > kept:
        raise InputError(
            f"{outside:,} of {outside + kept:,} samples fall outside {ending}: is a timestamp "
            "wrong (far in the future, or in another unit)? Fix it, or widen --lookback; "
            "nothing saved"
        )


@register_loader
class TelemetryLoader(InputLoader[TelemetryWindow]):
    key = TELEMETRY
    Options = TelemetryOptions

    def nested(self, options: TelemetryOptions) -> list[tuple[str, type[Options]]]:
        kind = SOURCES.get(options.source or "")
        return [] if kind is None else [(f"{kind.name} source", kind.Options)]

    def every_nested(self) -> list[tuple[str, type[Options]]]:
        return [(f"{name} source", kind.Options) for name, kind in sorted(SOURCES.items())]

    def load(
        self, context: LoadContext, options: TelemetryOptions, nested: Mapping[str, Any]
    ) -> TelemetryWindow:
        if options.source is None:
            raise InputError(f"pass --source ({', '.join(sorted(SOURCES))})")
        source = telemetry.get_source(options.source)  # an unknown name is an InputError
        kind = SOURCES[options.source]
        given: dict[str, Any] = {"lookback_s": options.lookback_s}
        for checked in nested.values():
            given.update(checked.model_dump(exclude_unset=True))
        if options.input_dir is not None:
            given["input_dir"] = options.input_dir
        if options.inventory is not None:
            given["inventory"] = options.inventory
        if kind.per_region:
            regions = options.region or [r.name for r in context.settings.regions]
            frame = merge_frames([source.load(region=r, **given) for r in regions])
        else:
            frame = source.load(**given)
            if options.region:
                frame = only_regions(frame, set(options.region))
        for warning in frame.warnings:
            context.say(f"warning: {warning}")
        if not frame.resources:
            raise InputError(f"the {options.source} telemetry holds no resources: nothing to plan")
        # Recorded files (csv, nvml --input) end at their newest sample; live reads end now.
        newest = frame.newest_timestamp()
        live = options.input_dir is None
        end = context.now if live or newest is None else newest
        check_window(frame, options, end, live)
        return TelemetryWindow(frame, end, options.lookback_s, options.strict)

    def fingerprint(self, value: TelemetryWindow) -> str:
        return value.frame.fingerprint()

    def origin(self, value: TelemetryWindow) -> str:
        return value.frame.source


class CatalogOptions(Options):
    catalog: Literal[CATALOG_SOURCES] = Field(  # type: ignore[valid-type]
        "moto-package",
        description="Instance specs: moto's packaged DescribeInstanceTypes data (fast), a moto "
        "server, or AWS.",
    )


@register_loader
class CatalogLoader(InputLoader[Catalog]):
    key = CATALOG
    Options = CatalogOptions
    after = (TELEMETRY,)  # the catalog covers the regions the telemetry holds too

    def load(
        self, context: LoadContext, options: CatalogOptions, nested: Mapping[str, Any]
    ) -> Catalog:
        regions = {r.name for r in context.settings.regions}
        window = context.loaded.get(TELEMETRY)
        if window is not None:
            regions |= {r.region for r in window.frame.resources.values()}
        catalog = load_catalog(options.catalog, regions)
        context.say(f"catalog: {catalog.source}")
        if window is not None:  # the first point where inventory, stack and catalog all meet
            _check_inventory(window, context, catalog)
        return catalog

    def fingerprint(self, value: Catalog) -> str:
        return value.source

    def origin(self, value: Catalog) -> str:
        return value.source


def _check_inventory(window: TelemetryWindow, context: LoadContext, catalog: Catalog) -> None:
    found = check_inventory(window.frame, context.settings, catalog)
    if found.impossible:
        raise InputError(
            "the telemetry holds values no such machine produces: "
            + "; ".join(found.impossible)
            + "; fix the inventory or the metrics; nothing saved"
        )
    if found.unknown and window.strict:
        raise InputError("; ".join(found.unknown) + " (--strict); nothing saved")
    for line in found.unknown:
        context.say(f"warning: {line}")


@register_loader
class PricesLoader(InputLoader[PriceBook]):
    key = PRICES

    def load(self, context: LoadContext, options: Options, nested: Mapping[str, Any]) -> PriceBook:
        return load_price_book()

    def fingerprint(self, value: PriceBook) -> str:
        return hashlib.sha256(PRICE_TABLE.read_bytes()).hexdigest()

    def origin(self, value: PriceBook) -> str:
        return PRICE_TABLE.name
