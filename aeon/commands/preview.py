"""`aeon preview`: run the program offline, show what it declares, and check it with the pack."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from aeon.app import CwdOption, StackOption, app, format_option
from aeon.errors import PolicyFailure, UserError

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
    started = time.perf_counter()
    cost = PreviewCost.start(project, stack, base)  # a base ref runs beside this run
    try:
        run = run_program(project, stack)
    except BaseException:
        cost.cancel()
        raise
    print(
        f"previewed {len(run.resources)} resources of {project.name}/{stack} offline "
        f"in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    cost_text, cost_document = cost.finish(run)

    report = None
    if policies and (project.root / "policies" / "PulumiPolicy.yaml").is_file():
        from aeon.analyzer import check_resources

        report = check_resources(run.resources, project, stack, stack_config=run.config)

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
    if report is not None and report.failed:
        raise PolicyFailure("")
