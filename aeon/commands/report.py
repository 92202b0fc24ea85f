"""`aeon report`: the saved recommendations as Markdown, a self-contained HTML page, or JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

from aeon.app import CwdOption, StackOption, app, format_option
from aeon.errors import UserError


class ReportFormat(StrEnum):
    MD = "md"
    HTML = "html"
    JSON = "json"


@app.command()
def report(
    stack: StackOption,
    output: Annotated[ReportFormat, format_option("md, html (charts included) or json.")] = (
        ReportFormat.MD
    ),
    cwd: CwdOption = None,
) -> None:
    """Totals, the recommendation table and charts from .aeon/recommendations/<stack>.json."""
    import typer

    from aeon.output import report_data
    from aeon.project import find_project
    from optimizers import recommendation as model

    project = find_project(cwd)
    project.stack_file(stack)
    path = model.recommendations_path(project.root, stack)
    if not path.is_file():
        raise UserError(
            f"no saved recommendations for stack {stack!r} ({path}); run "
            f"`aeon recommend --stack {stack} ...` first"
        )
    try:
        recset = model.load(path)
    except ValueError as exc:
        raise UserError(f"{path}: not a recommendations file: {exc}") from None
    data = report_data.build(recset)
    if output is ReportFormat.JSON:
        typer.echo(json.dumps(report_data.to_jsonable(data), indent=2))
    elif output is ReportFormat.HTML:
        from aeon.output.report_html import render

        typer.echo(render(data), nl=False)
    else:
        from aeon.output.report_md import render

        typer.echo(render(data), nl=False)
