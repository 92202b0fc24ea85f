"""Phase means of the real H200 traces the GPU models are calibrated on (docs/gpu-measurements.md).

Reads `--data` (default ../shared/data/gpu-h200 next to the repo): gpm_workloads.csv (the NVML
counter and GPM metrics per workload) and nvml_load_phases.csv (the NVML counter and power at duty
cycles). Prints one row per phase: the mean over all samples, and over its steady part (the first
and last RAMP samples, where the load starts and stops, left out).

    .venv/bin/python scripts/h200_phase_means.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from statistics import fmean

REPO = Path(__file__).resolve().parents[1]
RAMP = 3
COLUMNS = {
    "gpm_workloads.csv": (
        ("nvml %", "nvml_gpu_util_pct", 1),
        ("SM %", "gpm_sm_util_pct", 1),
        ("tensor %", "gpm_tensor_util_pct", 1),
        ("DRAM %", "gpm_dram_bw_util_pct", 1),
        ("W", "power_mw", 1000),
    ),
    "nvml_load_phases.csv": (
        ("nvml %", "gpu_util_pct", 1),
        ("GiB used", "mem_used_bytes", 1024**3),
        ("W", "power_mw", 1000),
    ),
}


def phases(path: Path) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["phase"], []).append(row)
    return rows


def table(path: Path, columns) -> list[str]:
    head = f"{'phase':28} {'n':>4}  " + "  ".join(f"{label:>17}" for label, _, _ in columns)
    lines = [
        path.name,
        head,
        f"{'':28} {'':>4}  " + "  ".join(f"{'all / steady':>17}" for _ in columns),
    ]
    for phase, rows in phases(path).items():
        steady = rows[RAMP:-RAMP] if len(rows) > 2 * RAMP else rows
        cells = []
        for _, key, scale in columns:
            every = fmean(float(r[key]) for r in rows) / scale
            calm = fmean(float(r[key]) for r in steady) / scale
            cells.append(f"{every:8.1f} / {calm:6.1f}")
        lines.append(f"{phase:28} {len(rows):>4}  " + "  ".join(f"{c:>17}" for c in cells))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "gpu-h200")
    args = parser.parse_args()
    missing = [name for name in COLUMNS if not (args.data / name).is_file()]
    if missing:
        print(f"no {', '.join(missing)} under {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    for name, columns in COLUMNS.items():
        print("\n".join(table(args.data / name, columns)), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
