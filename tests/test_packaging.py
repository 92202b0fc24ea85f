"""One distribution installs the three layers as regular packages; tests import their helpers as
`tests.<folder>.<module>`, never by editing sys.path (the offline engine alone puts a program's
folder first on sys.path, as the Pulumi CLI does)."""

from __future__ import annotations

import ast
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("aeon", "components", "optimizers")


def test_one_distribution_installs_the_three_layers():
    top_level = metadata.distribution("aeon-infra").read_text("top_level.txt")
    assert sorted(top_level.split()) == sorted(LAYERS)


def test_every_folder_of_modules_is_a_regular_package():
    folders = {p.parent for layer in LAYERS for p in (REPO / layer).rglob("*.py")}
    folders |= {p.parent for p in (REPO / "tests").rglob("*.py") if "programs" not in p.parts}
    missing = sorted(str(f.relative_to(REPO)) for f in folders if not (f / "__init__.py").is_file())
    assert missing == []


def _edits_sys_path(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "path"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
        for node in ast.walk(tree)
    )


def test_no_test_edits_sys_path():
    offenders = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "tests").rglob("*.py"))
        if _edits_sys_path(ast.parse(path.read_text()))
    ]
    assert offenders == []
