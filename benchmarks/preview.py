"""Offline preview speed: `aeon preview` against the bare program under Pulumi's stock mocks.

Floor: the same __main__.py and stack config in a fresh process under Pulumi's stock MockMonitor,
with aeon's mocks (the same outputs and invoke answers) and nothing else: no recording, URNs,
rendering or checks. Measured: `aeon preview --stack STACK --format json --no-policies` in a fresh
process. One warm-up each, then the median of 5 fresh-process runs; the last line is the ratio.

    .venv/bin/python benchmarks/preview.py [--stack prod] [--runs 5]
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


def floor(stack: str) -> None:
    """Run the program once under the stock MockMonitor (executed in a child process)."""
    import asyncio
    import runpy

    import pulumi
    from pulumi.runtime import mocks, settings
    from pulumi.runtime.stack import run_in_stack

    from aeon.engine.config import load_stack_config
    from aeon.engine.monitor import AeonMocks
    from aeon.project import find_project

    project = find_project(REPO)
    config = load_stack_config(project, stack)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    aeon_mocks = AeonMocks(default_region=config.get("aws:region", "us-east-1"))
    pulumi.runtime.set_all_config(config)
    mocks.set_mocks(aeon_mocks, project=project.name, stack=stack, preview=True)
    settings.ROOT.set(None)
    sys.path.insert(0, str(REPO))
    loop.run_until_complete(
        run_in_stack(lambda: runpy.run_path(str(REPO / "__main__.py"), run_name="__main__"))
    )


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def median_of(command: list[str], runs: int) -> float:
    timed(command)  # warm-up: file-system caches, .pyc files
    return statistics.median(timed(command) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(args.stack)
        return

    baseline = [sys.executable, __file__, "--floor", "--stack", args.stack]
    measured = [
        str(BIN / "aeon"),
        "preview",
        "--stack",
        args.stack,
        "--format",
        "json",
        "--no-policies",
    ]
    base = median_of(baseline, args.runs)
    ours = median_of(measured, args.runs)
    print(f"stack: {args.stack}, median of {args.runs} fresh-process runs after one warm-up")
    print(f"floor (stock MockMonitor, same mocks): {base:.2f} s")
    print(f"aeon preview --format json:            {ours:.2f} s")
    print(f"ratio: {ours / base:.2f}")


if __name__ == "__main__":
    main()
