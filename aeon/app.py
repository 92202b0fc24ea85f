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

# The command this process runs, when aeon.cli knows it: a command whose flags come from slow
# imports (recommend: every planner and source) builds them only when it is the one that runs.
_ALL = object()
_running: object = _ALL


def set_running(argv: list[str]) -> None:
    global _running
    _running = next((a for a in argv if not a.startswith("-")), None)


def is_running(command: str) -> bool:
    return _running is _ALL or _running == command


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
