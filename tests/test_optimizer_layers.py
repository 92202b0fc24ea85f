"""Layers point one way: nothing under optimizers/ imports the CLI (aeon). Optimizers raise their
own errors (optimizers.errors) and the CLI maps them to exit codes."""

from __future__ import annotations

import ast
from pathlib import Path

from aeon.cli import exit_code_for
from optimizers.errors import InputError, UnavailableError

OPTIMIZERS = Path(__file__).resolve().parents[1] / "optimizers"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_optimizer_module_imports_aeon():
    files = sorted(OPTIMIZERS.rglob("*.py"))
    assert len(files) > 20
    upward = [
        f"{path.relative_to(OPTIMIZERS.parent)}:{line}: import {name}"
        for path in files
        for line, name in imported_modules(path)
        if name == "aeon" or name.startswith("aeon.")
    ]
    assert upward == []


def test_the_scan_sees_imports_in_functions_too(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from aeon.errors import UserError\n    import aeon\n")
    assert imported_modules(sample) == [(2, "aeon.errors"), (3, "aeon")]


def test_optimizer_errors_are_user_errors_for_the_cli():
    assert exit_code_for(InputError("bad file")) == 2
    assert exit_code_for(UnavailableError("no driver")) == 2
    assert exit_code_for(ValueError("a bug")) == 3
