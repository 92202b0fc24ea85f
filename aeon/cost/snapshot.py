"""`python -I -m aeon.cost.snapshot ROOT STACK`: run the program at ROOT offline and print its
resource graph and config as JSON (the base side of `aeon cost --base`).

Nothing of the project is imported before the program runs, so `components` and the program
come from ROOT (first on sys.path while it runs), not from the working tree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    root, stack = Path(argv[0]), argv[1]
    from aeon.engine import run_program
    from aeon.errors import AeonError

    try:
        run = run_program(root, stack)
    except AeonError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    from aeon.cost.inputs import as_snapshot, stack_inputs  # after the run: it imports optimizers

    inputs = stack_inputs(run.project, run.stack, run.resources, run.config)
    json.dump(as_snapshot(inputs), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
