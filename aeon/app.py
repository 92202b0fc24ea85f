"""The typer application and the options every command shares (the CLI contract).

Command modules in `aeon/commands/` register themselves on `app` when imported.
"""

from __future__ import annotations

import os
import time
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


def under_cwd(path: Path | None, cwd: Path | None) -> Path | None:
    """`path` as the command sees it with `--cwd DIR`: relative paths are taken from DIR (what
    `--cwd` means to commands that work on files rather than on the project)."""
    if cwd is not None and not cwd.is_dir():
        from aeon.errors import UserError

        raise UserError(f"--cwd {cwd}: no such directory")
    if path is None or path.is_absolute() or cwd is None:
        return path
    return cwd / path


def format_option(help_text: str = "Output format."):
    """`--format`, with `--output` accepted as an alias (CLI contract)."""
    return typer.Option("--format", "--output", "-f", help=help_text, case_sensitive=False)


class _Clock:
    started = time.monotonic()  # reset by the CLI when a command starts


def seconds_since_start() -> float:
    """Wall time since the command started (for `aeon ...`, since the process started)."""
    return time.monotonic() - _Clock.started


def start_clock(process_start: bool = False) -> None:
    """Time from now, or (Linux) from the process's start, interpreter start-up included."""
    _Clock.started = time.monotonic()
    if process_start:
        try:
            stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
            uptime = float(Path("/proc/uptime").read_text().split()[0])
            _Clock.started -= max(0.0, uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK"))
        except (OSError, ValueError, IndexError):
            pass
