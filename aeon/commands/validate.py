"""`aeon validate`: did each applied change do what it promised? Verdicts from new telemetry, and a
`revert` recommendation (saved for `aeon apply`) for each regressed change.

    aeon validate --stack prod --source csv --input telemetry/ [--since 2026-11-30T00:00:00Z]
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, StackOption, app, format_option
from aeon.errors import UserError
from aeon.settings_loader import load_settings

PLANNER_NAME = "validate"  # its reverts are saved as this run of the recommendations file


class ValidateFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _since(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise UserError(
            f"--since {text!r}: expected an ISO 8601 time, e.g. 2026-11-30T00:00:00Z"
        ) from None


@app.command()
def validate(
    stack: StackOption,
    source: Annotated[str, typer.Option("--source", help="Where telemetry comes from.")],
    input_dir: Annotated[
        Path | None, typer.Option("--input", help="Folder of recorded telemetry (csv, nvml).")
    ] = None,
    lookback: Annotated[str, typer.Option("--lookback", help="Window length, e.g. 7d.")] = "14d",
    since: Annotated[
        str | None,
        typer.Option("--since", help="Judge every change from this time (default: when it shows)."),
    ] = None,
    output: Annotated[ValidateFormat, format_option()] = ValidateFormat.TABLE,
    cwd: CwdOption = None,
) -> None:
    """Give each applied change a verdict (improved, no-change, regressed, pending) against the
    baseline `aeon apply` recorded; save a revert recommendation for each regressed one."""
    from aeon.project import find_project
    from optimizers.planners.common_inputs import TelemetryLoader, TelemetryOptions
    from optimizers.planners.inputs import LoadContext
    from optimizers.planners.run import iso_utc
    from optimizers.pricing import load_price_book
    from optimizers.recommendation import PlannerRun, recommendations_path, record_run
    from optimizers.validate import validate_applied

    project = find_project(cwd)
    project.stack_file(stack)
    settings = load_settings(project, stack)
    loader = TelemetryLoader()
    options = TelemetryOptions(source=source, input_dir=input_dir, lookback=lookback)
    nested = {owner: model() for owner, model in loader.nested(options)}
    now = int(time.time())
    say = lambda line: typer.echo(line, err=True)  # noqa: E731
    window = loader.load(LoadContext(stack, settings, now, {}, say), options, nested)
    verdicts, reverts = validate_applied(
        settings, window.frame, since=_since(since), prices=load_price_book()
    )
    path = recommendations_path(project.root, stack)
    if reverts:
        run = PlannerRun(
            planner=PLANNER_NAME, mode=None, source=window.frame.source,
            generated_at=iso_utc(now),
            inputs_hash=f"sha256:{window.frame.fingerprint()}", inputs={"telemetry": source},
            options={"since": since, "lookback": lookback}, recommendations=reverts,
        )  # fmt: skip
        record_run(path, stack, run)
    if output is ValidateFormat.JSON:
        doc = {
            "stack": stack,
            "verdicts": [v.model_dump(mode="json") for v in verdicts],
            "reverts": [r.model_dump(mode="json") for r in reverts],
        }
        typer.echo(json.dumps(doc, indent=2))
    else:
        _print(stack, verdicts, reverts)
    if reverts:
        typer.echo(f"wrote {len(reverts)} revert recommendation(s) to {path}", err=True)
    if not verdicts:
        typer.echo("nothing applied with a baseline to validate", err=True)


def _print(stack: str, verdicts, reverts) -> None:
    lines = [f"{stack}: {len(verdicts)} applied change(s)"]
    for v in verdicts:
        since = f" since {v.observed_since}" if v.observed_since else ""
        lines.append(f"  {v.id} ({v.kind}, {v.pool}): {v.verdict}{since}")
        lines += [f"    {reason}" for reason in v.reasons]
    for r in reverts:
        lines.append(f"  revert {r.id}: {r.proposed_text()}")
    typer.echo("\n".join(lines))
