"""The billing reader at scale against a bare DuckDB aggregate over the same file, in one run.

A generated FOCUS export (default 5,000,000 rows: hourly EC2 rows of 562 series over 8,000 hours
plus S3 rows; Parquet as AWS Data Exports writes it, or `--csv`). Ours: `read_hourly_usage`
(format detection, validation of the columns it reads, rows grouped by what their type, region,
purchase and rate come from with each group's hours and quantities as arrays, the type found per
group, the dense hourly arrays added up with numpy). Baseline: the same question as one bare
DuckDB statement, `SELECT sum(ConsumedQuantity) ... GROUP BY` the hourly usage key (usage type,
region, pricing category, charge period start), counted in DuckDB so no client conversion is
timed. For reference it also prints the cheapest aggregate of all, `SELECT ServiceName,
sum(ConsumedQuantity) ... GROUP BY 1`, which reads 2 of the 18 columns the question needs.
Each runs in a fresh process so peak memory (max RSS) and CPU time are its own. Prints all three
and `ratio: X.XX` (ours / baseline wall time; the issue's target <= 1.5).

    .venv/bin/python benchmarks/billing.py [--rows 5000000] [--csv] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from billing_data import write_focus

CHILD = r"""
import json, resource, sys, time
import duckdb
from optimizers.billing.local import LocalBilling
from optimizers.billing.usage import read_hourly_usage
path, which = sys.argv[1], sys.argv[2]
start, cpu_start = time.perf_counter(), time.process_time()
if which == "ours":
    usage = read_hourly_usage(LocalBilling(path))
    out = len(usage.series)
else:
    scan = (f"read_parquet('{path}')" if path.endswith(".parquet")
            else f"read_csv('{path}', header = true)")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if which == "baseline":
        out = con.execute(
            "SELECT count(*) FROM (SELECT x_UsageType, RegionId, PricingCategory, "
            f"ChargePeriodStart, sum(CAST(ConsumedQuantity AS DOUBLE)) FROM {scan} "
            "GROUP BY ALL)"
        ).fetchone()[0]
    else:
        out = len(con.execute(
            f"SELECT ServiceName, sum(CAST(ConsumedQuantity AS DOUBLE)) FROM {scan} GROUP BY 1"
        ).fetchall())
wall = time.perf_counter() - start
cpu = time.process_time() - cpu_start  # every DuckDB thread's
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": wall, "cpu": cpu, "rss_mib": rss, "out": out}))
"""


def run(path: Path, which: str) -> dict:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), which], capture_output=True, text=True,
        check=True, cwd=root,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--csv", action="store_true", help="a CSV export instead of Parquet")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    hours = 8000
    series = max(1, int(args.rows * 0.9) // hours)
    other = args.rows - series * hours
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("focus.csv" if args.csv else "focus.parquet")
        start = time.perf_counter()
        rows = write_focus(path, series, hours, other)
        size = path.stat().st_size / 2**20
        print(
            f"generated {rows:,} FOCUS rows ({size:,.0f} MiB) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        best = {}
        for which in ("two-column", "baseline", "ours"):
            results = [run(path, which) for _ in range(args.repeat)]
            best[which] = min(results, key=lambda r: r["wall"])
            r = best[which]
            print(
                f"{which:10} wall {r['wall']:.2f} s  cpu {r['cpu']:.2f} s  "
                f"peak RSS {r['rss_mib']:.0f} MiB  ({r['out']} groups)"
            )
    print(f"memory ratio: {best['ours']['rss_mib'] / best['baseline']['rss_mib']:.2f}")
    print(f"cpu ratio: {best['ours']['cpu'] / best['baseline']['cpu']:.2f}")
    print(f"ratio: {best['ours']['wall'] / best['baseline']['wall']:.2f}")


if __name__ == "__main__":
    main()
