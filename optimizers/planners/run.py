"""Running a planner: the flags' values go to the planner's options and to its inputs' options,
the inputs are loaded in order, the planner plans, and the run is described for the saved file.

    prepared = prepare("rightsizing", {"source": "csv", "input_dir": "t/", "mode": "krr"})
    run = run_planner(prepared, stack="dev", settings=settings, now=now, say=print)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.settings import StackSettings
from optimizers.errors import InputError
from optimizers.options import FlagSpec, Options, flag_fields, validate_options
from optimizers.planners.base import PLANNERS, Planner, get_planner
from optimizers.planners.inputs import (
    LOADERS,
    InputKey,
    InputLoader,
    LoadContext,
    PlanInputs,
    loader_for,
)
from optimizers.recommendation import PlannerRun
from optimizers.telemetry.window import iso_utc


def option_owners() -> list[tuple[str, type[Options]]]:
    """Every options model whose fields are flags of `aeon recommend`, with its owner's name."""
    owners = [(f"{name} planner", cls.Options) for name, cls in sorted(PLANNERS.items())]
    for name, loader in sorted(LOADERS.items()):
        owners += [(f"{name} input", loader.Options), *loader.every_nested()]
    return list(dict.fromkeys(owners))  # loaders that share nested options list them once


@dataclass(frozen=True)
class LoaderChoice:
    loader: InputLoader[Any]
    options: Any
    nested: dict[str, Any] = field(default_factory=dict)  # owner -> its validated options

    @property
    def key(self) -> InputKey[Any]:
        return self.loader.key


@dataclass(frozen=True)
class Prepared:
    planner: Planner
    options: Any
    loaders: tuple[LoaderChoice, ...]

    def saved_options(self) -> dict[str, Any]:
        """Every option as used, for the saved run (fields marked internal are left out)."""
        models = [self.options]
        for choice in self.loaders:
            models += [choice.options, *choice.nested.values()]
        out: dict[str, Any] = {}
        for model in models:
            out.update(model.model_dump(mode="json"))
        return out


def load_order(keys: Iterable[InputKey[Any]]) -> list[InputKey[Any]]:
    """The keys with each loader's `after` keys (those among them) first."""
    wanted = list(keys)
    ordered: list[InputKey[Any]] = []

    def visit(key: InputKey[Any], path: tuple[InputKey[Any], ...]) -> None:
        if key in ordered:
            return
        if key in path:
            raise ValueError(f"inputs load after each other in a circle: {path}")
        for first in loader_for(key).after:
            if first in wanted:
                visit(first, (*path, key))
        ordered.append(key)

    for key in wanted:
        visit(key, ())
    return ordered


def prepare(
    planner_name: str, values: Mapping[str, Any], flags: Mapping[str, FlagSpec] | None = None
) -> Prepared:
    """Validate the set flags (param -> value) for the planner and its inputs; a flag none of
    them takes is an InputError naming who does take it (`flags`: the CLI's flag table)."""
    planner = get_planner(planner_name)
    used: set[str] = set()
    owners: list[str] = []

    def pick(model: type[Options], owner: str) -> Any:
        mine = flag_fields(model)
        used.update(mine)
        owners.append(owner)
        return validate_options(model, {k: v for k, v in values.items() if k in mine}, owner)

    options = pick(planner.Options, f"{planner.name} planner")
    choices = []
    for key in load_order(planner.inputs):
        loader = loader_for(key)
        own = pick(loader.Options, f"{key.name} input")
        nested = {owner: pick(model, owner) for owner, model in loader.nested(own)}
        choices.append(LoaderChoice(loader, own, nested))
    for name in sorted(set(values) - used):
        spec = (flags or {}).get(name)
        flag = spec.flag if spec else "--" + name.replace("_", "-")
        belongs = f"it is an option of the {', '.join(spec.owners)}, " if spec else ""
        raise InputError(f"{flag} does not apply here: {belongs}not of the {', '.join(owners)}")
    return Prepared(planner, options, tuple(choices))


def run_planner(
    prepared: Prepared,
    *,
    stack: str,
    settings: StackSettings,
    now: int,
    say: Callable[[str], None],
    root: Path | None = None,
) -> PlannerRun:
    """Load the inputs, plan, and describe the run; InputError for bad input, nothing saved."""
    planner, options = prepared.planner, prepared.options
    digest = hashlib.sha256()
    for part in (stack, planner.name, options.model_dump_json(), settings.model_dump_json()):
        digest.update(part.encode())
    loaded: dict[InputKey[Any], Any] = {}
    origins: dict[str, str] = {}
    for choice in prepared.loaders:
        context = LoadContext(stack, settings, now, dict(loaded), say, root)
        value = choice.loader.load(context, choice.options, choice.nested)
        loaded[choice.key] = value
        parts = [choice.key.name, choice.options.model_dump_json()]
        parts += [n.model_dump_json() for n in choice.nested.values()]
        for part in (*parts, choice.loader.fingerprint(value)):
            digest.update(part.encode())
        if (origin := choice.loader.origin(value)) is not None:
            origins[choice.key.name] = origin
    inputs = PlanInputs(stack, settings, loaded)
    recommendations = planner.plan(inputs, options)
    strange = {str(r.kind) for r in recommendations} - {str(k) for k in planner.kinds}
    if strange:
        raise RuntimeError(f"planner {planner.name} returned kinds it does not declare: {strange}")
    main_input = planner.inputs[0].name if planner.inputs else ""
    return PlannerRun(
        planner=planner.name,
        mode=planner.mode(options),
        source=origins.get(main_input),
        generated_at=iso_utc(now),
        inputs_hash="sha256:" + digest.hexdigest(),
        inputs=origins,
        options=prepared.saved_options(),
        recommendations=recommendations,
        utilization=planner.utilization(inputs, options, recommendations),
    )
