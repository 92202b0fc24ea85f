"""`aeon recommend`: one planner's recommendations, saved for `aeon apply` and `aeon report`.

The flags come from the registries (optimizers.planners): every planner's options, every input's
(telemetry, catalog, ...) and every telemetry source's, read when the command is built, so a
planner or source registered anywhere shows up here with its flags and help.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import sys
import time
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from aeon.app import CwdOption, StackOption, app, format_option, is_running
from aeon.errors import UserError
from aeon.settings_loader import load_settings

if TYPE_CHECKING:
    from optimizers.options import FlagSpec

DEFAULT_PLANNER = "rightsizing"
RESERVED = ("stack", "planner", "demo", "replace", "output", "cwd")  # this command's own


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def flags() -> dict[str, FlagSpec]:
    """The flag table of every registered planner, input and source (FlagConflict: a bug)."""
    from optimizers.options import flag_table
    from optimizers.planners import option_owners

    return flag_table(option_owners(), RESERVED)


def _parameter(spec: FlagSpec) -> inspect.Parameter:
    value: Any = Literal[spec.choices] if spec.choices else spec.value_type
    if spec.multiple:
        value = list[value]  # type: ignore[valid-type]
    decls = [spec.flag]
    if spec.value_type is bool:
        decls = [f"{spec.flag}/--no-{spec.flag.removeprefix('--')}"]
    metavar = f"<{spec.value_type.__name__.lower()}>" if spec.multiple else None
    option = typer.Option(*decls, help=spec.help, metavar=metavar)
    return inspect.Parameter(
        spec.param, inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[value | None, option],
    )  # fmt: skip


class RecommendCommand:
    """Plan recommendations with one planner (default: rightsizing); writes its entry of
    .aeon/recommendations/<stack>.json, keeping the other planners' entries."""

    @property
    def __signature__(self) -> inspect.Signature:  # typer reads it each time it builds the CLI
        if not is_running("recommend"):  # another command runs: skip importing every planner
            return inspect.Signature([inspect.Parameter("given", inspect.Parameter.VAR_KEYWORD)])
        from optimizers.planners import PLANNERS

        planners = "; ".join(
            f"{n}: {c.description.rstrip('.')}" for n, c in sorted(PLANNERS.items())
        )
        own = {
            "stack": (StackOption, inspect.Parameter.empty),
            "planner": (
                Annotated[
                    Literal[tuple(sorted(PLANNERS))],  # type: ignore[misc]
                    typer.Option("--planner", help=f"What to plan ({planners})."),
                ],
                DEFAULT_PLANNER,
            ),
            "demo": (
                Annotated[
                    bool,
                    typer.Option(
                        "--demo",
                        help="Seed a demo fleet and its CloudWatch telemetry into a local moto "
                        "server and read it back through the cloudwatch source (no AWS account "
                        "needed; a 4h window; rightsizing).",
                    ),
                ],
                False,
            ),
            "replace": (
                Annotated[
                    bool,
                    typer.Option(
                        "--replace",
                        help="Save the run even where it knows less than the saved one "
                        "(resources with recommendations there, not enough data here).",
                    ),
                ],
                False,
            ),
            "output": (Annotated[OutputFormat, format_option()], OutputFormat.TABLE),
            "cwd": (CwdOption, None),
        }  # fmt: skip
        params = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
            for name, (a, d) in own.items()
        ]
        return inspect.Signature(params + [_parameter(s) for s in flags().values()])

    @property
    def __annotations__(self) -> dict[str, Any]:
        return {p.name: p.annotation for p in self.__signature__.parameters.values()}

    def __call__(
        self, *, stack: str, planner: str, demo: bool, replace: bool, output: OutputFormat, cwd,
        **given: Any,
    ) -> None:  # fmt: skip
        values = {k: v for k, v in given.items() if v is not None and v != [] and v != ()}
        started = time.perf_counter()
        with contextlib.ExitStack() as scope:
            if demo:
                values = _demo(scope, stack, planner, values, cwd)
            _recommend(stack, planner, values, output, cwd, replace=replace)
        if demo:
            typer.echo(f"demo: took {time.perf_counter() - started:.1f} s", err=True)


app.command("recommend")(RecommendCommand())


def _demo(scope: contextlib.ExitStack, stack: str, planner: str, values: dict, cwd) -> dict:
    """Start a moto server seeded with the demo fleet; the cloudwatch source reads it."""
    from aeon.project import find_project
    from optimizers.demo import LOOKBACK, demo_environment, missing_pools

    if planner != DEFAULT_PLANNER:
        raise UserError(f"--demo seeds telemetry for the {DEFAULT_PLANNER} planner: drop --planner")
    if values.get("source") not in (None, "cloudwatch") or {"input_dir", "endpoint_url"} & set(
        values
    ):
        raise UserError("--demo reads its own moto server: drop --source/--input/--endpoint-url")
    project = find_project(cwd)
    project.stack_file(stack)
    missing = missing_pools({p.name for p in load_settings(project, stack).pools})
    if missing:
        raise UserError(
            f"--demo seeds prod's us-east-1 pools; stack {stack!r} has no pool "
            f"{', '.join(missing)}: run it with --stack prod"
        )
    typer.echo("demo: starting a moto server and seeding the fleet...", err=True)
    endpoint = scope.enter_context(demo_environment())
    return values | {
        "source": "cloudwatch",
        "endpoint_url": endpoint,
        "lookback": LOOKBACK,
        "region": values.get("region") or ["us-east-1"],
    }


def _recommend(
    stack: str, planner: str, values: dict, output: OutputFormat, cwd, *, replace: bool = False
) -> None:
    from aeon.project import find_project
    from optimizers.planners import prepare, run_planner
    from optimizers.recommendation import recommendations_path, record_run

    project = find_project(cwd)
    project.stack_file(stack)
    settings = load_settings(project, stack)
    prepared = prepare(planner, values, flags())
    run = run_planner(
        prepared, stack=stack, settings=settings, now=int(time.time()),
        say=lambda line: typer.echo(line, err=True), root=project.root,
    )  # fmt: skip
    path = recommendations_path(project.root, stack)
    record_run(path, stack, run, replace=replace)
    if output is OutputFormat.JSON:  # only this run: the file may hold other planners' too
        typer.echo(json.dumps({"stack": stack, **run.model_dump(mode="json")}, indent=2))
    else:
        print_table(stack, prepared.planner.title, run)
    typer.echo(f"wrote {path}", err=True)


def print_table(stack: str, title: str, run) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    mode = f" ({run.mode})" if run.mode else ""
    table = Table(title=f"{stack}: {title.lower()}{mode}", title_justify="left")
    for name, justify in (
        ("target", "left"), ("pool", "left"), ("region", "left"), ("kind", "left"),
        ("current", "left"), ("proposed", "left"), ("saving $/mo", "right"),
        ("confidence", "left"), ("risk", "left"),
    ):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for rec in run.recommendations:
        target = rec.target if len(rec.targets) == 1 else f"{rec.target} [{', '.join(rec.targets)}]"
        saving = "unpriced" if rec.monthly_saving_usd is None else f"{rec.monthly_saving_usd:,.2f}"
        table.add_row(
            escape(target), rec.pool or "-", rec.region or "-", rec.kind.value,
            escape(rec.current_text()), escape(rec.proposed_text()), saving,
            rec.confidence.value if rec.confidence else "-", rec.risk.level,
        )  # fmt: skip
    console = Console(file=sys.stdout, width=200)
    console.print(table)
    unpriced = sum(1 for r in run.recommendations if not r.priced)
    console.print(
        f"total monthly saving: ${run.monthly_saving_usd:,.2f} over "
        f"{len(run.covered_resources())} resources"
        + (f" ({unpriced} unpriced)" if unpriced else "")
    )
