"""The typer application and the options every command shares (the CLI contract).

Command modules in `aeon/commands/` register themselves on `app` when imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="aeon",
    help="aeon-infra: preview, police, price and right-size the GPU platform, offline or in CI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

CwdOption = Annotated[
    Path | None,
    typer.Option("--cwd", "-C", help="Project directory (default: search upwards from here)."),
]
StackOption = Annotated[
    str, typer.Option("--stack", "-s", help="Stack name (Pulumi.<stack>.yaml).")
]


@app.callback()
def _root() -> None:
    """aeon-infra: preview, police, price and right-size the GPU platform, offline or in CI."""


def format_option(help_text: str = "Output format."):
    """`--format`, with `--output` accepted as an alias (CLI contract)."""
    return typer.Option("--format", "--output", "-f", help=help_text, case_sensitive=False)
