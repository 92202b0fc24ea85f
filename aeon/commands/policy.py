"""`aeon policy`: run the CrossGuard pack over a stack or a `pulumi preview --json` plan.

`aeon policy sync-config --stack STACK` copies into policies/config/<stack>.json what the pack
cannot read from the repository (offerings, pool commitments and roles, regions).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, app, format_option
from aeon.errors import PolicyFailure, UserError
from aeon.settings_loader import load_settings
from components.facts.project import PROJECT

policy_app = typer.Typer(
    name="policy",
    help="Check a stack or a preview plan against the policy pack in policies/.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(policy_app, name="policy")

FORMATS = "table, json, sarif, junit, md"


@policy_app.callback(invoke_without_command=True)
def policy(
    ctx: typer.Context,
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Run the program offline and check it.")
    ] = None,
    plan: Annotated[
        Path | None, typer.Option("--plan", help="Check the output of `pulumi preview --json`.")
    ] = None,
    fmt: Annotated[str, format_option(f"Output format: {FORMATS}.")] = "table",
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Policy config (default: policies/config/<stack>.json, else defaults)."
        ),
    ] = None,
    cwd: CwdOption = None,
) -> None:
    """Run the policy pack (exit 1 on a mandatory violation)."""
    if ctx.invoked_subcommand is not None:
        return
    from aeon.analyzer import check_resources
    from aeon.output.policy_table import policy_formats, render_policy_report
    from aeon.project import find_project

    if fmt.lower() not in policy_formats():
        raise UserError(f"unknown format {fmt!r}; choose one of {FORMATS}")
    if (stack is None) == (plan is None):
        raise UserError("give exactly one of --stack STACK or --plan PLAN.json")
    project = find_project(cwd)
    if plan is not None:
        from aeon.analyzer.plan import load_plan

        loaded = load_plan(plan)
        report = check_resources(
            loaded.resources,
            dataclasses.replace(project, name=loaded.project),
            loaded.stack,
            config,
            stack_config=loaded.config,
            plan_file=plan.resolve(),
            plan_lines=loaded.lines,
        )
    else:
        project.stack_file(stack)
        if project.name == PROJECT:  # our schema: a bad config fails before the engine starts
            load_settings(project, stack)
        from aeon.engine import run_program

        run = run_program(project, stack)
        report = check_resources(run.resources, project, stack, config, stack_config=run.config)
    typer.echo(render_policy_report(report, fmt), nl=False)
    if report.failed:
        raise PolicyFailure(f"{report.summary.mandatory} mandatory policy violation(s)")


@policy_app.command("sync-config")
def sync_config(
    stack: Annotated[str, typer.Option("--stack", "-s", help="Stack name (Pulumi.<stack>.yaml).")],
    live: Annotated[
        bool, typer.Option("--live", help="Read offerings from AWS (default: moto's real data).")
    ] = False,
    endpoint_url: Annotated[
        str | None, typer.Option("--endpoint-url", help="EC2 endpoint, e.g. a moto server.")
    ] = None,
    fmt: Annotated[
        str, format_option("text (a line on stderr) or json (what was written, on stdout).")
    ] = "text",
    cwd: CwdOption = None,
) -> None:
    """Write offerings, pool commitments and regions into policies/config/<stack>.json."""
    import json

    from aeon.analyzer import PACK_DIR
    from aeon.analyzer.config import load_config_file
    from aeon.analyzer.sync import fetch_offerings, merge_facts, stack_facts, write_json_atomic
    from aeon.project import find_project

    project = find_project(cwd)
    project.stack_file(stack)
    settings = load_settings(project, stack)
    path = project.root / PACK_DIR / "config" / f"{stack}.json"
    existing = load_config_file(path) if path.is_file() else {}
    regions = [r.name for r in settings.regions]
    offerings = fetch_offerings(regions, live=live, endpoint_url=endpoint_url)
    merged = merge_facts(existing, stack_facts(settings, offerings))
    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r}: `policy sync-config` prints text or json")
    write_json_atomic(path, merged)
    counts = ", ".join(f"{r}: {len(offerings[r]['gpu'])} GPU types" for r in regions)
    changed = sorted(k for k in merged if json.dumps(merged[k]) != json.dumps(existing.get(k)))
    if fmt == "json":
        document = {
            "wrote": str(path.relative_to(project.root)),
            "gpu_types": {r: len(offerings[r]["gpu"]) for r in regions},
            "pools": len(settings.pools),
            "updated_policies": changed,
        }
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(
        f"wrote {path.relative_to(project.root)} ({counts}; {len(settings.pools)} pools)", err=True
    )
    if changed:
        typer.echo(f"updated policies: {', '.join(changed)}", err=True)
