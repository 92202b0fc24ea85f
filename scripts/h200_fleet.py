"""Right-sizing on a GenAI serving fleet built from the H200 phases, through `aeon recommend`.

The fleet of issue 11 (optimizers/h200_fleet.py): 140 single-GPU pods on p5.4xlarge (21 hot,
5 idle, the rest serving), a 1-minute NVML counter, GPU and host memory, no CPU metric, 23 hours,
a pool (genai-serving) the stack does not declare. It is written in the csv source's format twice,
with the inventory's role column empty and set to `inference`, and each is planned with

    aeon recommend --stack prod --source csv --input DIR --lookback 1d --format json

on a copy of the project's stack files (the repository's own saved recommendations stay as they
are), then summarized with `aeon report --format json`. Prints the kinds, the monthly cost before
and after, and what costs money (upsizes, scale-outs: none here, by construction).

    .venv/bin/python scripts/h200_fleet.py [--data DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from components.facts.roles import PoolRole
from optimizers.h200_fleet import FleetShape, Phases, shared_traces, synthesize
from optimizers.telemetry.csv_source import MetricsCsvWriter, inventory_csv_text

REPO = Path(__file__).resolve().parents[1]


def write_fleet(frame, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inventory.csv").write_text(inventory_csv_text(frame.resources.values()))
    with MetricsCsvWriter(folder / "metrics.csv") as writer:
        for key, series in sorted(frame.series.items()):
            writer.write_batch(
                (int(t), key.resource_id, key.gpu_index, key.metric, float(v))
                for t, v in zip(series.timestamps, series.values, strict=True)
            )


def aeon(project: Path, *args: str) -> dict:
    command = [str(Path(sys.executable).parent / "aeon"), *args, "--cwd", str(project)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def summary(title: str, run: dict, report: dict) -> list[str]:
    recs = run["recommendations"]
    kinds = Counter(r["kind"] for r in recs)
    t = report["totals"]
    before, after, saving = (
        t["monthly_cost_before_usd"],
        t["monthly_cost_after_usd"],
        t["monthly_saving_usd"],
    )
    costly = [r for r in recs if (r["monthly_saving_usd"] or 0) < 0]
    lines = [
        f"{title}:",
        "  kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        f"  monthly cost ${before:,.2f} -> ${after:,.2f}: saving ${saving:,.2f} "
        f"({100 * saving / before:.1f}%)",
        f"  recommendations that cost money: {len(costly)} "
        f"(upsize {kinds.get('upsize', 0)}, scale-out {kinds.get('scale-out', 0)})",
    ]
    if t["role_unknown_pools"]:
        lines.append(
            f"  aeon report: pools of unknown role {', '.join(t['role_unknown_pools'])}; as "
            f"inference pools, sharing would save ${t['share_if_roles_known_usd']:,.2f} more"
        )
    shares = [r for r in recs if r["kind"] == "share"]
    if shares:
        packing = next(n for n in shares[0]["evidence"]["notes"] if n.startswith("packing"))
        lines.append(f"  {packing}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=shared_traces(REPO / "pyproject.toml"))
    parser.add_argument("--out", type=Path, help="keep the fleet's csv folders here")
    args = parser.parse_args()
    if not (args.data / "gpm_workloads.csv").is_file():
        print(f"no gpm_workloads.csv under {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    phases = Phases.from_traces(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
            shutil.copy(REPO / name, project / name)
        out = args.out or Path(tmp) / "fleet"
        shape = FleetShape()
        lines = [
            f"fleet: {shape.pods} pods on {shape.instance_type} ({shape.hot} hot, {shape.idle} "
            f"idle, {shape.pods - shape.hot - shape.idle} serving), {shape.hours:g} h of "
            f"1-minute samples (NVML counter, GPU and host memory; no CPU), pool {shape.pool} "
            f"(not in the stack); phases from {args.data.name}/gpm_workloads.csv"
        ]
        for title, role in (("role unknown", None), ("role inference", PoolRole.INFERENCE)):
            folder = out / ("role-unknown" if role is None else "role-inference")
            write_fleet(synthesize(phases, FleetShape(role=role)), folder)
            run = aeon(
                project, "recommend", "--stack", "prod", "--source", "csv", "--input",
                str(folder), "--lookback", "1d", "--format", "json",
            )  # fmt: skip
            report = aeon(project, "report", "--stack", "prod", "--format", "json")
            lines += summary(title, run, report)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
