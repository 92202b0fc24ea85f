"""`aeon preview`: run the program offline, show what it declares, and check it with the pack."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from aeon.app import CwdOption, StackOption, app, format_option, seconds_since_start
from aeon.errors import PolicyFailure, UserError
from aeon.settings_loader import load_settings
from components.facts.project import PROJECT

FORMATS = ("tree", "table", "json")


@app.command()
def preview(
    stack: StackOption,
    fmt: Annotated[str, format_option("Output format: tree, table or json.")] = "tree",
    policies: Annotated[
        bool,
        typer.Option(
            "--policies/--no-policies",
            help="Run the policy pack in policies/ (exit 1 on a mandatory violation).",
        ),
    ] = True,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Git ref: also print the monthly cost change against it."),
    ] = None,
    cwd: CwdOption = None,
) -> None:
    """Preview the stack offline: the program under Pulumi's mock runtime, no cloud account."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from aeon.cost.summary import PreviewCost
    from aeon.engine import run_program
    from aeon.output.preview import PREVIEW_FORMATS, preview_document
    from aeon.project import find_project

    project = find_project(cwd)
    project.stack_file(stack)
    if project.name == PROJECT:  # our schema: a bad config fails before the engine starts
        load_settings(project, stack)
    started = time.perf_counter()
    cost = PreviewCost.start(project, stack, base)  # a base ref runs beside this run
    try:
        run = run_program(project, stack)
    except BaseException:
        cost.cancel()
        raise
    program_s = time.perf_counter() - started
    cost_text, cost_document = cost.finish(run)

    report = None
    if policies and (project.root / "policies" / "PulumiPolicy.yaml").is_file():
        from aeon.analyzer import check_resources

        started = time.perf_counter()
        report = check_resources(run.resources, project, stack, stack_config=run.config)
        policies_s = time.perf_counter() - started
    if fmt == "json":
        document = preview_document(run)
        document["cost"] = cost_document
        if report is not None:
            from aeon.output.policy_table import render_policy_report

            document["policy"] = json.loads(render_policy_report(report, "json"))
        typer.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        typer.echo(PREVIEW_FORMATS[fmt](run) + cost_text, nl=False)
        if report is not None:
            from aeon.output.policy_table import render_policy_report

            typer.echo(render_policy_report(report, "table"), nl=False)
    # Wall time from process start (what the user waited), then where it went.
    parts = f"program {program_s:.1f} s" + (
        f", policies {policies_s:.1f} s" if report is not None else ""
    )
    print(
        f"previewed {len(run.resources)} resources of {project.name}/{stack} offline in "
        f"{seconds_since_start():.1f} s ({parts})",
        file=sys.stderr,
    )
    if report is not None and report.failed:
        raise PolicyFailure("")
