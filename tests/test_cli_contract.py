"""The CLI contract holds for every command, including ones added later: `--cwd`, `--format` (with
`--output` as its alias) and an honest run time in `preview`."""

from __future__ import annotations

from typing import Any

import typer

import aeon.app
from aeon.app import app
from aeon.cli import _register_commands


def commands() -> dict[str, Any]:
    """Every command line's click command (typer vendors click: duck-typed)."""
    _register_commands()
    found: dict[str, Any] = {}

    def walk(command: Any, name: str) -> None:
        if hasattr(command, "commands"):
            if command.callback is not None and command.invoke_without_command and name:
                found[name] = command  # `aeon policy` runs itself without a subcommand
            for sub_name, sub in command.commands.items():
                walk(sub, f"{name} {sub_name}".strip())
        else:
            found[name] = command

    walk(typer.main.get_command(app), "")
    return found


def options(command: Any) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def test_every_command_takes_cwd_and_format(monkeypatch) -> None:
    # Commands that build their flags only when they run (recommend) build them all here.
    monkeypatch.setattr(aeon.app, "_running", aeon.app._ALL)
    found = commands()
    assert {
        "preview",
        "policy",
        "policy sync-config",
        "recommend",
        "apply",
        "report",
        "schema",
    } <= (set(found))
    missing = {
        name: sorted({"--cwd", "--format", "--output"} - options(command))
        for name, command in found.items()
        if not {"--cwd", "--format", "--output"} <= options(command)
    }
    assert missing == {}
