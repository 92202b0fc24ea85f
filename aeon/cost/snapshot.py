"""`python -I -m aeon.cost.snapshot ROOT STACK`: run the program at ROOT offline and print its
resource graph, config and pool commitments as JSON (the base side of `aeon cost --base`).

ROOT is a git ref's worktree and the engine is the working tree's: the engine sets the working
tree's `components` aside while the program runs, so the ref's program imports the ref's
`components` (aeon/engine/program_imports.py). The pools' committed capacity is read from the
config by the ref's own settings model too.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping
from pathlib import Path


def _committed(root: Path, config: Mapping[str, str], stack: str) -> dict[str, float] | None:
    """The pools' commitments as the ref's `components.settings` reads its config; None when the
    ref has no settings model this tree can call (the caller then reads it itself)."""
    import importlib.util

    from aeon.cost.inputs import commitments
    from aeon.engine.program_imports import programs_own_packages

    with programs_own_packages(root):
        try:
            spec = importlib.util.find_spec("components.settings")
            if spec is None or not Path(spec.origin or "").resolve().is_relative_to(root.resolve()):
                return None
            return commitments(config, stack)
        except (ImportError, AttributeError):
            return None


def main(argv: list[str]) -> int:
    root, stack = Path(argv[0]), argv[1]
    from aeon.cost.inputs import as_snapshot, stack_inputs
    from aeon.engine import run_program
    from aeon.errors import AeonError
    from aeon.project import find_project

    try:
        project = find_project(root)
        run = run_program(project, stack)
    except AeonError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    inputs = stack_inputs(run.project, run.stack, run.resources, run.config)
    committed = _committed(project.root, run.config, stack) if run.config else {}
    json.dump(as_snapshot(dataclasses.replace(inputs, committed=committed)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
