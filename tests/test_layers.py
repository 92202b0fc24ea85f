"""Layers point one way, checked on every import statement (AST), those inside functions too.

components (with the Pulumi-free `components/facts` at the very bottom) <- optimizers <- aeon; the
policy pack imports nothing from the repository, because the Pulumi CLI runs it in its own
virtualenv. A rule is one row of RULES: the folder it covers and what its files may not import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policies"
# Everything a module could import from the repository besides the pack itself.
REPO_NAMES = frozenset(
    p.name
    for p in ROOT.iterdir()
    if p.is_dir() and p != PACK and not p.name.startswith(".") and any(p.rglob("*.py"))
)


def top(module: str) -> str:
    return module.split(".", 1)[0]


def is_pulumi(module: str) -> bool:
    return top(module) == "pulumi" or top(module).startswith("pulumi_")


def within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def imported_modules(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of each import in `source`, a file of package `package`.

    `from a import b` yields `a` and `a.b` (b may be a submodule); relative imports are resolved.
    """
    package_parts = package.split(".") if package else []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package_parts[: len(package_parts) - node.level + 1] if node.level else []
            name = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, name
            for alias in node.names:
                yield node.lineno, f"{name}.{alias.name}"


def package_of(path: Path, root: Path) -> str:
    return ".".join(path.parent.relative_to(root).parts)


def module_name(path: Path, root: Path) -> str:
    name = path.stem
    return package_of(path, root) if name == "__init__" else f"{package_of(path, root)}.{name}"


def pulumi_free_within(*own: str) -> Callable[[str], bool]:
    """Forbids the Pulumi SDK and everything of the repository outside the packages `own`."""

    def forbids(module: str) -> bool:
        if is_pulumi(module):
            return True
        if top(module) == "components":
            return module != "components" and not within(module, *own)
        return top(module) in REPO_NAMES

    return forbids


@dataclass(frozen=True)
class Rule:
    name: str
    folder: Path
    forbids: Callable[[str], bool]
    root: Path = ROOT  # where module names start (the pack is run from policies/)


RULES = [
    Rule(
        "components never import aeon or optimizers",
        ROOT / "components",
        lambda m: top(m) in {"aeon", "optimizers"},
    ),
    Rule(
        "components/facts imports no layer and no Pulumi",
        ROOT / "components" / "facts",
        pulumi_free_within("components.facts"),
    ),
    Rule(
        # aeon and optimizers validate with the settings without loading the Pulumi SDK.
        "components/settings imports only facts and itself, and no Pulumi",
        ROOT / "components" / "settings",
        pulumi_free_within("components.facts", "components.settings"),
    ),
    Rule(
        # optimizers raise their own errors (optimizers.errors); the CLI maps them to exit codes
        "optimizers never import aeon",
        ROOT / "optimizers",
        lambda m: top(m) == "aeon",
    ),
    Rule(
        "the policy pack imports nothing from the repository",
        PACK,
        lambda m: top(m) in REPO_NAMES,
        root=PACK,
    ),
]


def violations(rule: Rule) -> list[str]:
    found = []
    for path in sorted(rule.folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for line, imported in imported_modules(source, package_of(path, rule.root)):
            if rule.forbids(imported):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return sorted(set(found))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_layer_rule_holds(rule: Rule) -> None:
    assert rule.folder.is_dir()
    assert violations(rule) == [], rule.name


def test_the_scanner_sees_every_kind_of_import() -> None:
    source = (
        "import os, pulumi_aws.s3\n"
        "from . import core\n"
        "from ..settings import Pool\n"
        "def later():\n"
        "    from optimizers.catalog import load_catalog\n"
    )
    found = [m for _, m in imported_modules(source, "components.facts")]
    assert {"os", "pulumi_aws.s3", "components.facts.core", "components.settings.Pool"} <= set(
        found
    )
    assert "optimizers.catalog" in found
    facts = next(r for r in RULES if r.folder.name == "facts")
    assert [m for m in found if facts.forbids(m)] == [
        "pulumi_aws.s3",
        "components.settings",
        "components.settings.Pool",
        "optimizers.catalog",
        "optimizers.catalog.load_catalog",
    ]
    pack = next(r for r in RULES if r.folder == PACK)
    assert pack.forbids("components.facts.s3") and not pack.forbids("aeon_guardrails.core")


def test_facts_and_settings_load_without_pulumi_or_upper_layers() -> None:
    """Importing every facts and settings module leaves the Pulumi SDK and the layers unloaded."""
    modules = sorted(
        module_name(p, ROOT)
        for folder in ("facts", "settings")
        for p in (ROOT / "components" / folder).glob("*.py")
    )
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules "
        "if m.split('.')[0] in ('aeon', 'optimizers') or m.split('.')[0].startswith('pulumi')}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


def test_optimizer_errors_are_user_errors_for_the_cli() -> None:
    from aeon.cli import exit_code_for
    from optimizers.errors import InputError, UnavailableError

    assert exit_code_for(InputError("bad file")) == 2
    assert exit_code_for(UnavailableError("no driver")) == 2
    assert exit_code_for(ValueError("a bug")) == 3
