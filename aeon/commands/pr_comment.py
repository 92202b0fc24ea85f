"""`aeon pr-comment`: one Markdown comment for a pull request (policy, cost, recommendations)."""

from __future__ import annotations

import dataclasses
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, StackOption, app, format_option
from aeon.commands.cost import PriceDateOption, UsageOption
from aeon.errors import UserError


class CommentFormat(StrEnum):
    MD = "md"


@app.command("pr-comment")
def pr_comment(
    stack: StackOption,
    base: Annotated[str, typer.Option("--base", help="Git ref of the pull request's base.")],
    plan: Annotated[
        Path | None,
        typer.Option("--plan", help="The head as `pulumi preview --json` printed it."),
    ] = None,
    sarif: Annotated[
        Path | None,
        typer.Option("--sarif", help="Policy verdict from this SARIF log (aeon policy ...)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the comment here (default: stdout).")
    ] = None,
    usage: UsageOption = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Recommendations to show.")] = 5,
    post_pr: Annotated[
        int | None,
        typer.Option(
            "--post-pr", min=1, help="Post it on this pull request, or update our comment there."
        ),
    ] = None,
    price_date: PriceDateOption = None,
    output: Annotated[CommentFormat, format_option("md (what a pull request comment is).")] = (
        CommentFormat.MD
    ),
    cwd: CwdOption = None,
) -> None:
    """The pull request's comment: policy verdict, cost diff and top recommendations."""
    from aeon.cost import estimates, verdict
    from aeon.cost.recommendations import top_recommendations
    from aeon.output.pr_comment import marker, render_comment
    from aeon.project import find_project

    project = find_project(cwd)
    sources = estimates.price_sources(price_date)
    usage_file = estimates.usage_file(usage)
    if plan is not None:
        head, planned = estimates.plan_inputs(plan)
        if head.stack != stack:
            raise UserError(f"--plan {plan} is a plan of stack {head.stack!r}, not {stack!r}")
    base_run = estimates.base_first(project, stack, base)
    try:
        if plan is None:
            head, planned = estimates.run_stack(project, stack)
        if sarif is not None:
            found = verdict.from_sarif(sarif)
        else:
            from aeon.analyzer import check_resources

            named = dataclasses.replace(project, name=head.project)
            plan_file = None if plan is None else plan.resolve()
            report = check_resources(planned.resources, named, stack, stack_config=head.config,
                                     plan_file=plan_file)  # fmt: skip
            found = verdict.from_report(report)
    except BaseException:
        base_run.cleanup()
        raise
    cost_diff = estimates.diff(base_run.wait(), head, base, sources, usage_file)
    rows, note = top_recommendations(project, stack, top)
    body = render_comment(stack, found, cost_diff, rows, note)
    if out is None:
        typer.echo(body, nl=False)
    else:
        out.write_text(body, encoding="utf-8")
    if post_pr is not None:
        from aeon.cost.github import GitHubApi, upsert_comment

        action, url = upsert_comment(GitHubApi.from_env(), post_pr, body, marker(stack))
        print(f"{action} the comment on pull request #{post_pr}: {url}", file=sys.stderr)
