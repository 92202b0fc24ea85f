"""How fast and how lean `aeon policy --plan` reads and checks a large plan.

Generates a `pulumi preview --json` plan of --steps steps (default 200,000) from the clean fixture
plan's resources (each copy renamed, under its own component), then, each in a fresh process:
- baseline: `json.load` of the file, nothing else;
- reader: `aeon.analyzer.plan.load_plan` (streamed reading, the structure checks, the Resource
  objects the policies get), not the policies themselves.
Prints wall time and peak RSS of both and their ratios; the last line is the time ratio (target
<= 3; memory target <= 2x).

    .venv/bin/python benchmarks/plan_check.py [--steps 200000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLEAN_PLAN = REPO / "tests" / "policy" / "plans" / "clean.json"

BASELINE = """
import json, resource, sys, time
t = time.perf_counter()
with open(sys.argv[1], "rb") as handle:
    plan = json.load(handle)
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(plan["steps"]))
"""
READER = """
import resource, sys, time
from pathlib import Path
from aeon.analyzer.plan import load_plan
t = time.perf_counter()
plan = load_plan(Path(sys.argv[1]))
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(plan.resources))
"""


def write_plan(path: Path, steps: int) -> int:
    """A plan of about `steps` steps: the fixture's stack and providers once, then copies of its
    resources, each copy under its own RegionalDeployment. Written step by step."""
    clean = json.loads(CLEAN_PLAN.read_text())
    fixed = [s for s in clean["steps"] if not s["newState"].get("parent", "").endswith("-region")]
    body = [s for s in clean["steps"] if s not in fixed]
    regional = next(s for s in fixed if s["newState"]["type"].endswith("RegionalDeployment"))
    fixed.remove(regional)
    written = 0
    with path.open("w") as out:
        out.write(f'{{"config": {json.dumps(clean["config"])}, "steps": [\n')
        for step in fixed:
            out.write(("" if not written else ",\n") + json.dumps(step, indent=1))
            written += 1
        copy_no = 0
        while written < steps:
            suffix = f"-{copy_no}"
            parent = copy.deepcopy(regional)
            parent["urn"] = parent["newState"]["urn"] = regional["urn"] + suffix
            out.write(",\n" + json.dumps(parent, indent=1))
            written += 1
            for template in body:
                step = copy.deepcopy(template)
                state = step["newState"]
                step["urn"] = state["urn"] = template["urn"] + suffix
                state["parent"] = parent["urn"]
                out.write(",\n" + json.dumps(step, indent=1))
                written += 1
            copy_no += 1
        out.write(f'\n], "diagnostics": [], "changeSummary": {{"create": {written}}}}}\n')
    return written


def measure(script: str, plan: Path) -> tuple[float, float, int]:
    done = subprocess.run(
        [sys.executable, "-c", script, str(plan)], check=True, capture_output=True, text=True
    )
    elapsed, rss_kib, count = done.stdout.split()
    return float(elapsed), int(rss_kib) / 1024, int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="write the generated plan here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plan = args.keep or Path(folder) / "plan.json"
        steps = write_plan(plan, args.steps)
        size_mb = plan.stat().st_size / 1e6
        print(f"plan: {steps:,} steps, {size_mb:,.0f} MB ({plan})")
        json_s, json_mib, _ = measure(BASELINE, plan)
        read_s, read_mib, resources = measure(READER, plan)
    print(f"json.load alone:        {json_s:7.2f} s, peak RSS {json_mib:8,.0f} MiB")
    print(f"load_plan (+ checks):   {read_s:7.2f} s, peak RSS {read_mib:8,.0f} MiB, "
          f"{resources:,} resources")  # fmt: skip
    print(f"memory ratio: {read_mib / json_mib:.2f} (target <= 2)")
    print(f"ratio: {read_s / json_s:.2f}")


if __name__ == "__main__":
    main()
