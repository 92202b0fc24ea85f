"""`aeon schema`: the JSON Schema of the stack config, for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import app


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of Pulumi.<stack>.yaml (point your editor's YAML plugin at it)."""
    from components.settings import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        typer.echo(f"wrote {out}", err=True)
