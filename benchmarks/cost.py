"""Cost of a stack and of a change, against the offline preview alone, in fresh processes.

Baseline: the offline engine runs the program and prints the preview's JSON document (what
`aeon preview --format json --no-policies` did before it priced anything), in a fresh process.
Measured: `aeon cost --stack STACK --format json` (one run of the program, then pricing) and
`aeon cost --stack STACK --base REF --format json` (the program twice: the base ref's in its own
process from a temporary git worktree, beside the working tree's). One warm-up each, then N
rounds of the three commands, interleaved so that load from other processes weighs on all of
them alike; medians. Targets: <= 1.2 for one stack, <= 2.3 for the diff. The last line is the
ratio of one stack; the diff's ratio is on the line above.

    .venv/bin/python benchmarks/cost.py [--stack prod] [--base HEAD] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def preview_alone(stack: str) -> None:
    """The baseline, run in a child process: the engine and the preview document, no pricing."""
    import json

    from aeon.engine import run_program
    from aeon.output.preview import preview_document

    json.dump(preview_document(run_program(REPO, stack)), sys.stdout)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def medians(commands: list[list[str]], runs: int) -> list[float]:
    for command in commands:
        timed(command)  # warm-up: file-system caches, .pyc files
    rounds = [[timed(command) for command in commands] for _ in range(runs)]
    return [statistics.median(column) for column in zip(*rounds, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--base", default="HEAD", help="git ref of the diff's base")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        preview_alone(args.stack)
        return

    aeon = [str(BIN / "aeon"), "cost", "--stack", args.stack, "--format", "json"]
    baseline = [sys.executable, __file__, "--baseline", "--stack", args.stack]
    base, one, diff = medians([baseline, aeon, [*aeon, "--base", args.base]], args.runs)
    print(f"stack: {args.stack}, medians of {args.runs} interleaved rounds of fresh processes")
    print(f"offline preview alone (engine + preview JSON): {base:.2f} s")
    print(f"aeon cost --stack {args.stack}:                   {one:.2f} s")
    print(f"aeon cost --stack {args.stack} --base {args.base}:       {diff:.2f} s")
    print(f"ratio of the diff: {diff / base:.2f} (target <= 2.3)")
    print(f"ratio: {one / base:.2f}")


if __name__ == "__main__":
    main()
