"""Helpers shared by the lead's tests: run the CLI in-process, copy the project to a temp dir."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aeon.cli import invoke

REPO = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> CliResult:
    """Run `aeon ARGV` in-process, capturing what it prints (usable in module-scoped fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = invoke(list(argv))
    return CliResult(code, out.getvalue(), err.getvalue())


def run_json(*argv: str) -> Any:
    """Run `aeon ARGV` in-process; it must exit 0, and its stdout is parsed as JSON."""
    result = run_cli(*argv)
    assert result.code == 0, result.err
    return json.loads(result.out)


def copy_project(dest: Path) -> Path:
    """The program and its stack files (components are imported from the installed package)."""
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(REPO / name, dest / name)
    return dest
