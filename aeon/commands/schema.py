"""`aeon schema`: the JSON Schema of the stack config, for editors."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, app, format_option, under_cwd


class SchemaFormat(StrEnum):
    JSON = "json"  # JSON Schema draft 2020-12 is JSON; YAML plugins read it as is


@app.command()
def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write to this file (relative to --cwd) instead of stdout."),
    ] = None,
    output: Annotated[SchemaFormat, format_option("json (JSON Schema 2020-12).")] = (
        SchemaFormat.JSON
    ),
    cwd: CwdOption = None,
) -> None:
    """Print the JSON Schema of Pulumi.<stack>.yaml (point your editor's YAML plugin at it)."""
    from components.facts.files import write_text_atomic
    from components.settings import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    target = under_cwd(out, cwd)
    if target is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(target, text)
        typer.echo(f"wrote {target}", err=True)
