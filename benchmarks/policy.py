"""Policy pack speed over the Analyzer protocol: ms per resource, full pack vs one-policy pack.

Both packs are started once, exactly as the Pulumi CLI starts them, and checked over the same
resources (Analyze per resource, AnalyzeStack once; best of --repeat runs). The one-policy pack
(`AEON_POLICY_ONLY=required-cost-tags`) is the protocol's floor: gRPC, property marshalling and
the SDK's per-call work. `ratio` = full pack / floor (target <= 2).

Resources: the prod stack from the offline engine (default), or with `--stack ''` a synthetic
plan (the policy fixtures' clean plan repeated `--copies` times, ~24 resources a copy).

    .venv/bin/python benchmarks/policy.py [--stack prod] [--repeat 3] [--copies 12]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from aeon.analyzer import check_resources, open_project_session
from aeon.project import find_project

ROOT = Path(__file__).resolve().parents[1]

CLEAN_PLAN = ROOT / "tests" / "policy" / "plans" / "clean.json"
FLOOR_POLICY = "required-cost-tags"


def large_plan(base: dict, copies: int) -> dict:
    """The plan's steps repeated under distinct names (one stack, one URN each)."""
    providers = [
        s for s in base["steps"] if s["urn"].split("::")[2].startswith("pulumi:providers:")
    ]
    others = [s for s in base["steps"] if s not in providers]
    text = json.dumps(others)
    steps = list(providers)
    for i in range(copies):
        copy_text = text
        for step in others:
            copy_text = copy_text.replace(f'"{step["urn"]}"', f'"{step["urn"]}-c{i}"')
        steps += json.loads(copy_text)
    return {**base, "steps": steps}


def resources_for(args, project):
    if args.stack:
        from aeon.engine import run_program

        run = run_program(project, args.stack)
        return run.resources, run.stack, run.config, f"stack {args.stack} (offline engine)"
    from aeon.analyzer.plan import resources_from_plan

    plan = resources_from_plan(large_plan(json.loads(CLEAN_PLAN.read_text()), args.copies))
    return (
        plan.resources,
        plan.stack,
        plan.config,
        f"synthetic plan ({args.copies} copies of the clean fixture)",
    )


def measure(
    project, stack, config, resources, repeat: int, only: str | None
) -> tuple[float, float, int]:
    env = {"AEON_POLICY_ONLY": only} if only else None
    # The one-policy pack knows none of the stack's policy config: give it the defaults.
    config_path = None
    if only:
        config_path = Path(tempfile.mkdtemp()) / "defaults.json"
        config_path.write_text("{}")
    started = time.perf_counter()
    with open_project_session(project, stack, config, extra_env=env) as session:
        start_s = time.perf_counter() - started
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            report = check_resources(
                resources, project, stack, config_path, stack_config=config, session=session
            )
            best = min(best, time.perf_counter() - t0)
    return start_s, best, len(report.violations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stack", default="prod", help="stack to check; '' for the synthetic plan")
    args = parser.parse_args()
    project = find_project(ROOT)
    resources, stack, config, what = resources_for(args, project)
    n = len([r for r in resources if r.type != "pulumi:pulumi:Stack"])
    print(f"resources: {n} from {what}")
    full_start, full, found = measure(project, stack, config, resources, args.repeat, None)
    floor_start, floor, _ = measure(project, stack, config, resources, args.repeat, FLOOR_POLICY)
    print(f"full pack:    start {full_start * 1000:.0f} ms, run {full * 1000:.0f} ms, "
          f"{full / n * 1000:.3f} ms/resource ({found} findings)")  # fmt: skip
    print(f"one policy:   start {floor_start * 1000:.0f} ms, run {floor * 1000:.0f} ms, "
          f"{floor / n * 1000:.3f} ms/resource ({FLOOR_POLICY})")  # fmt: skip
    print(f"ratio: {full / floor:.2f}")


if __name__ == "__main__":
    main()
