"""`aeon report`: the saved recommendations as Markdown, a self-contained HTML page, or JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

from aeon.app import CwdOption, StackOption, app, format_option


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
    from aeon.saved_recommendations import load_saved

    project = find_project(cwd)
    project.stack_file(stack)
    recset = load_saved(project, stack)
    data = report_data.build(recset)
    if output is ReportFormat.JSON:
        typer.echo(json.dumps(report_data.to_jsonable(data), indent=2))
    elif output is ReportFormat.HTML:
        from aeon.output.report_html import render

        typer.echo(render(data), nl=False)
    else:
        from aeon.output.report_md import render

        typer.echo(render(data), nl=False)
