"""What planners read, and the loaders that build it from files and services.

A planner names the inputs it needs (`Planner.inputs`, keys such as TELEMETRY or CATALOG); the
CLI asks each key's registered loader to build it, from the loader's own options (flags), so
`plan()` stays pure. A new kind of input (billing files, S3 inventories, latency curves) is a new
key and a loader registered beside the code that reads it; nothing else changes.

    BILLING: InputKey[HourlyUsage] = InputKey("billing", "hourly usage from FOCUS/CUR exports")

    @register_loader
    class BillingLoader(InputLoader[HourlyUsage]):
        key = BILLING
        Options = BillingOptions               # --billing FILE, --lookback ...
        def load(self, context, options, nested): return read_billing(options.billing, ...)
        def fingerprint(self, value): return value.digest
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from components.settings import StackSettings
from optimizers.options import Options

T = TypeVar("T")


@dataclass(frozen=True)
class InputKey(Generic[T]):
    """Names one kind of input; its type parameter is what the loader builds."""

    name: str
    description: str


@dataclass(frozen=True)
class PlanInputs:
    """Everything a planner's `plan()` reads: the stack and the loaded inputs it asked for."""

    stack: str
    settings: StackSettings | None
    values: Mapping[InputKey[Any], Any] = field(default_factory=dict)

    def get(self, key: InputKey[T]) -> T:
        try:
            return self.values[key]
        except KeyError:
            raise LookupError(
                f"input {key.name!r} was not loaded: add it to the planner's inputs"
            ) from None


@dataclass(frozen=True)
class LoadContext:
    """What a loader may read besides its options."""

    stack: str
    settings: StackSettings
    now: int  # Unix seconds: one "now" for every input of a run
    loaded: Mapping[InputKey[Any], Any]  # inputs loaded before this one (see `after`)
    say: Callable[[str], None]  # one line for the user (stderr): progress, warnings
    root: Path | None = None  # the project's folder (its policies/config/<stack>.json...)


class InputLoader(ABC, Generic[T]):
    """Builds one input. Subclasses set `key`, `Options` (their flags) and implement `load`."""

    key: ClassVar[InputKey[Any]]
    Options: ClassVar[type[Options]] = Options
    after: ClassVar[tuple[InputKey[Any], ...]] = ()  # keys loaded first when a planner needs both

    def nested(self, options: Any) -> list[tuple[str, type[Options]]]:
        """Further options the chosen ones bring in, as (owner, model): e.g. the telemetry
        source's own flags once `--source` names it."""
        return []

    def every_nested(self) -> list[tuple[str, type[Options]]]:
        """Every (owner, model) `nested` may return, for the CLI's flags and --help."""
        return []

    @abstractmethod
    def load(self, context: LoadContext, options: Any, nested: Mapping[str, Any]) -> T:
        """Build the input; bad input raises optimizers.errors.InputError (exit 2)."""

    def fingerprint(self, value: T) -> str:
        """What identifies the loaded value in the run's inputs hash (beyond the options)."""
        return ""

    def origin(self, value: T) -> str | None:
        """Where the value came from, saved with the run (`inputs`), e.g. "csv"."""
        return None


LOADERS: dict[str, InputLoader[Any]] = {}


def register_loader(cls: type[InputLoader[Any]]) -> type[InputLoader[Any]]:
    name = cls.key.name
    if name in LOADERS and type(LOADERS[name]) is not cls:
        raise ValueError(f"input {name!r} has two loaders")
    LOADERS[name] = cls()
    return cls


def loader_for(key: InputKey[Any]) -> InputLoader[Any]:
    try:
        return LOADERS[key.name]
    except KeyError:
        raise LookupError(f"no loader registered for input {key.name!r}") from None
