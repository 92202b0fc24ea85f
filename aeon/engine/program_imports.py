"""A program imports its own packages, as it would in the fresh interpreter the Pulumi CLI starts.

The engine runs the program in this process with its root first on sys.path, but a module already
in `sys.modules` is never looked up on sys.path again: when the engine has loaded `components`
(aeon.project reads YAML through `components.facts.files`) from its own tree, a program at a git
ref's worktree would run the engine's `components`, not the ref's. So when the program's tree is
not the engine's, the packages and modules at its root are set aside from `sys.modules` for the
run (the program imports the root's), and afterwards the root's are dropped and the set-aside
ones put back, so the engine's imports stay what they were and nothing of the root lingers.
The same holds for code that reads the program's config with the program's own model
(aeon/cost/snapshot.py).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

# The engine cannot swap itself out while it runs the program.
ENGINE_PACKAGE = __name__.split(".", 1)[0]


def top_level_names(root: Path) -> set[str]:
    """The regular packages and modules a program at `root` imports from its own directory."""
    names = set()
    for entry in root.iterdir():
        if entry.is_dir() and (entry / "__init__.py").is_file():
            names.add(entry.name)
        elif entry.suffix == ".py" and entry.is_file():
            names.add(entry.stem)
    return {n for n in names if n.isidentifier()} - {"__main__", ENGINE_PACKAGE}


def _location(module: ModuleType) -> Path | None:
    file = getattr(module, "__file__", None)
    if file:
        return Path(file).resolve()
    paths = list(getattr(module, "__path__", None) or ())
    return Path(paths[0]).resolve() if paths else None


def _under(module: ModuleType, root: Path) -> bool:
    where = _location(module)
    return where is not None and where.is_relative_to(root)


def _loaded(names: set[str]) -> list[str]:
    return [m for m in sys.modules if m.partition(".")[0] in names]


@contextlib.contextmanager
def programs_own_packages(root: Path) -> Iterator[None]:
    """Imports inside resolve as the program's would: `root` first on sys.path, and its packages
    and modules its own, not those of another tree already in `sys.modules`."""
    root = root.resolve()
    path = list(sys.path)
    sys.path.insert(0, str(root))
    names = top_level_names(root)
    same_tree = _under(sys.modules[ENGINE_PACKAGE], root) and all(
        _under(sys.modules[m], root) for m in names if m in sys.modules
    )
    set_aside = {} if same_tree else {m: sys.modules.pop(m) for m in _loaded(names)}
    try:
        yield
    finally:
        sys.path[:] = path
        if not same_tree:  # the usual case, `aeon` run on its own project, needs nothing here
            for name in _loaded(names):
                del sys.modules[name]
            sys.modules.update(set_aside)
