"""`aeon cost`: the monthly cost of a stack or a plan, and the cost of a change to it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, app, format_option
from aeon.errors import UserError

UsageOption = Annotated[
    Path | None,
    typer.Option("--usage", help="Usage file in infracost's format (version 0.1)."),
]
PriceDateOption = Annotated[
    str | None,
    typer.Option(
        "--price-date", help="Price as of this date, YYYY-MM-DD (EKS support); default today."
    ),
]


@app.command()
def cost(
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Run the stack offline and price it.")
    ] = None,
    plan: Annotated[
        Path | None, typer.Option("--plan", help="Price what `pulumi preview --json` printed.")
    ] = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Git ref whose stack is the base of a cost diff."),
    ] = None,
    base_plan: Annotated[
        Path | None, typer.Option("--base-plan", help="Plan that is the base of a cost diff.")
    ] = None,
    usage: UsageOption = None,
    fmt: Annotated[str, format_option("Output format: table, json or md.")] = "table",
    price_date: PriceDateOption = None,
    cwd: CwdOption = None,
) -> None:
    """Monthly cost per resource, component and region; with a base, the cost of the change."""
    from aeon.cost import estimates
    from aeon.output.cost import FORMATS, render_diff, render_report
    from aeon.project import find_project

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if (stack is None) == (plan is None):
        raise UserError("give exactly one of --stack STACK or --plan PLAN.json")
    if base is not None and base_plan is not None:
        raise UserError("give at most one of --base REF or --base-plan PLAN.json")
    if base_plan is not None and plan is None:
        raise UserError("--base-plan compares two plans: give the head with --plan PLAN.json")
    project = find_project(cwd)
    sources = estimates.price_sources(price_date)
    usage_file = estimates.usage_file(usage)
    if plan is not None:
        head, _ = estimates.plan_inputs(plan)
        stack = head.stack
    base_run = estimates.base_first(project, stack, base)
    try:
        if plan is None:
            head, _ = estimates.run_stack(project, stack)
    except BaseException:
        if base_run is not None:
            base_run.cleanup()
        raise
    if base_run is not None:
        result = estimates.diff(base_run.wait(), head, base, sources, usage_file)
        typer.echo(render_diff(result, fmt), nl=False)
        warnings = result.head_report.warnings
    elif base_plan is not None:
        old, _ = estimates.plan_inputs(base_plan)
        result = estimates.diff(old, head, str(base_plan), sources, usage_file)
        typer.echo(render_diff(result, fmt), nl=False)
        warnings = result.head_report.warnings
    else:
        report = estimates.price(head, sources, usage_file)
        typer.echo(render_report(report, fmt), nl=False)
        warnings = report.warnings
    for warning in warnings:
        print(f"aeon: warning: {warning}", file=sys.stderr)
