"""Does `aeon policy --plan` stay linear in the number of resources, pack included?

Generates `pulumi preview --json` plans of about 2,000 and 20,000 resources (`--sizes`; 200,000 is
feasible) shaped like the prod stack: the clean fixture plan's resources (buckets with their
lifecycle, public access block and encryption; pools with launch templates, schedules, scaling
policies and alarms; an EKS cluster; namespaces, quotas, deployments, PDBs) copied under one
RegionalDeployment per copy. Every copy is renamed as a real stack's would be: URNs (and so the
parents and dependencies that name them), Auto Scaling group names, Kubernetes names and
namespaces; every copy is as clean as the fixture.

Each size runs the whole command, `aeon policy --plan PLAN --format json`, in a fresh process
(best of --repeat): reading, checks, pack start, Analyze per resource, AnalyzeStack, report. A
run of the clean fixture plan itself (30 resources) measures the fixed cost (imports, pack start),
which is subtracted, so the figure per resource is what each resource adds. The last line is
`ratio` = that figure at the second size / at the first (target <= 1.5: linear); a further size
(200000: about 4 minutes, 4 GiB peak in one process) prints its own factor against the first.

    .venv/bin/python benchmarks/policy_scale.py [--sizes 2000 20000 [200000]] [--repeat 2]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CLEAN_PLAN = REPO / "tests" / "policy" / "plans" / "clean.json"
REGIONAL = "aeon:index:RegionalDeployment"

# Runs the command in a child and prints its wall time and the largest peak RSS among its
# processes (the CLI and the pack it starts).
TIMED = """
import resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - t
if done.returncode != 0:
    sys.exit(done.stderr.decode()[-2000:] or f"exit {done.returncode}")
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(done.stdout.decode())
"""


def _renamed(value: Any, urns: dict[str, str]) -> Any:
    """`value` with every string that is one of the copied URNs replaced by its copy's."""
    if isinstance(value, str):
        return urns.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, urns) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, urns) for k, v in value.items()}
    return value


def _rename_names(state: dict[str, Any], suffix: str) -> None:
    """Names AWS and Kubernetes keep unique (a group's name in its region, an object's name in
    its namespace) get the copy's suffix; each copy gets its own namespaces."""
    inputs = state.get("inputs") or {}
    if state["type"] == "aws:autoscaling/group:Group" and isinstance(inputs.get("name"), str):
        inputs["name"] += suffix
    metadata = inputs.get("metadata")
    if state["type"].startswith("kubernetes:") and isinstance(metadata, dict):
        for key in ("name", "namespace"):
            if isinstance(metadata.get(key), str) and metadata[key] != "kube-system":
                metadata[key] += suffix


def plan_steps(resources: int) -> Iterator[dict[str, Any]]:
    """Steps of a plan with about `resources` resources: the fixture's stack, components and
    providers once, then renamed copies of its other steps, each copy under its own
    RegionalDeployment."""
    clean = json.loads(CLEAN_PLAN.read_text())
    steps = clean["steps"]
    template = next(s for s in steps if s["newState"]["type"] == REGIONAL)
    body = [s for s in steps if s["newState"].get("parent") == template["urn"]]
    fixed = [s for s in steps if s is not template and s not in body]
    yield from fixed
    written, copy_no = len(fixed), 0
    while written < resources:
        suffix = f"-c{copy_no}"
        urns = {s["urn"]: s["urn"] + suffix for s in (template, *body)}
        for step in (template, *body):
            step = _renamed(step, urns)
            _rename_names(step["newState"], suffix)
            yield step
            written += 1
        copy_no += 1


def write_plan(path: Path, resources: int) -> int:
    """Write the plan step by step (a 200,000-step plan never sits in memory); its step count."""
    config = json.loads(CLEAN_PLAN.read_text())["config"]
    count = 0
    with path.open("w") as out:
        out.write(f'{{"config": {json.dumps(config)}, "steps": [\n')
        for step in plan_steps(resources):
            out.write(("" if not count else ",\n") + json.dumps(step))
            count += 1
        out.write(f'\n], "diagnostics": [], "changeSummary": {{"create": {count}}}}}\n')
    return count


def run_policy(plan: Path, repeat: int) -> tuple[float, float, int]:
    """Best wall time (s), peak RSS (MiB) and finding count of `aeon policy --plan`."""
    command = [str(Path(sys.executable).with_name("aeon")), "policy", "--plan", str(plan)]
    command += ["--format", "json", "--cwd", str(REPO)]
    best, peak, findings = float("inf"), 0.0, -1
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", TIMED, *command], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"aeon policy --plan {plan} failed: {done.stderr.strip()}")
        elapsed, rss_kib = done.stdout.split()
        best = min(best, float(elapsed))
        peak = max(peak, int(rss_kib) / 1024)
        findings = len(json.loads(done.stderr)["violations"])
    return best, peak, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the best counts")
    parser.add_argument("--keep", type=Path, help="write the generated plans into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        fixed_s, fixed_mib, _ = run_policy(CLEAN_PLAN, args.repeat)
        fixed_n = len(json.loads(CLEAN_PLAN.read_text())["steps"])
        print(f"clean plan ({fixed_n} steps): {fixed_s:6.2f} s, peak RSS {fixed_mib:5,.0f} MiB "
              "(fixed cost: imports, pack start)")  # fmt: skip
        per_resource: list[float] = []
        for size in args.sizes:
            plan = folder / f"plan-{size}.json"
            t0 = time.perf_counter()
            steps = write_plan(plan, size)
            written = time.perf_counter() - t0
            wall, mib, findings = run_policy(plan, args.repeat)
            marginal = (wall - fixed_s) / (steps - fixed_n)
            per_resource.append(marginal)
            print(f"{steps:>8,} steps ({plan.stat().st_size / 1e6:5.0f} MB, written in "
                  f"{written:5.1f} s): {wall:7.2f} s, {wall / steps * 1e3:6.3f} ms/resource "
                  f"whole, {marginal * 1e3:6.3f} ms/resource beyond the fixed cost "
                  f"({marginal / per_resource[0]:.2f}x the first size's), "
                  f"peak RSS {mib:6,.0f} MiB, {findings} findings")  # fmt: skip
            if args.keep is None:
                plan.unlink()  # the next size's plan is ten times larger
    print(f"ratio: {per_resource[min(1, len(per_resource) - 1)] / per_resource[0]:.2f}")


if __name__ == "__main__":
    main()
