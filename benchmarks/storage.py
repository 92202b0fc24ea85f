"""The storage planner's readers and analysis at bucket scale against a DuckDB GROUP BY of the
same files.

Generates (with DuckDB, into a temp folder) an S3 Inventory of 10 million objects (a manifest and
eight header-less CSV.gz files, keys URL-encoded as S3 writes them) and 5 million server access
log lines (ten delivery files, 25 fields each, GETs, HEADs and InvalidObjectState errors). Ours:
`read_bucket` (everything the storage planner reads: inventory by age and class, exposure, reads
joined to object ages) and `plan_bucket` (the cost model and the search over lifecycles). The
floor: one DuckDB query that only groups the same inventory files by storage class and the same
log files by operation. Each runs in a fresh process (peak RSS from the OS), floor and ours
alternating for `--rounds` rounds. Prints every round, the medians, the time and memory ratios
(ours / floor, each target <= 2), the CPU time ratio for reference, and last `ratio: X.XX`, the
larger of the time and memory ratios.

    .venv/bin/python benchmarks/storage.py [--objects 10000000] [--lines 5000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TAKEN_MS = 1_793_491_200_000  # 2026-11-01T00:00:00Z
INVENTORY_FILES, LOG_FILES = 8, 10


def generate(root: Path, objects: int, lines: int) -> tuple[Path, Path]:
    import duckdb

    data = root / "inv" / "bench" / "cfg" / "data"
    dated = root / "inv" / "bench" / "cfg" / "2026-11-01T00-00Z"
    logs = root / "logs"
    for folder in (data, dated, logs):
        folder.mkdir(parents=True)
    con = duckdb.connect()
    files = []
    per = -(-objects // INVENTORY_FILES)
    for part in range(INVENTORY_FILES):
        path = data / f"part-{part}.csv.gz"
        con.execute(
            f"""COPY (
                SELECT 'bench' AS bucket, 'data/obj%20' || i || '.bin' AS key,
                       (CASE WHEN i % 3 = 0 THEN 40000 ELSE 1000000 + i % 7000000 END) AS size,
                       strftime(TIMESTAMP '2026-11-01' - INTERVAL (i % 400) DAY
                                - INTERVAL (i % 86000) SECOND, '%Y-%m-%dT%H:%M:%S.000Z') AS lm,
                       CASE WHEN i % 400 < 30 THEN 'STANDARD' ELSE 'GLACIER' END AS class
                FROM range({part * per}, {min(objects, (part + 1) * per)}) t(i)
            ) TO '{path}' (FORMAT csv, HEADER false, QUOTE '"', FORCE_QUOTE *)"""
        )
        files.append({"key": f"inv/bench/cfg/data/{path.name}", "size": path.stat().st_size})
    manifest = dated / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "sourceBucket": "bench",
                "creationTimestamp": str(TAKEN_MS),
                "fileFormat": "CSV",
                "fileSchema": "Bucket, Key, Size, LastModifiedDate, StorageClass",
                "files": files,
            }
        )
    )
    per = -(-lines // LOG_FILES)
    for part in range(LOG_FILES):
        con.execute(
            f"""COPY (
                SELECT '79a59df900b949e5 bench [' ||
                       strftime(TIMESTAMP '2026-10-31 23:59:00' - INTERVAL (i % 2592000) SECOND,
                                '%d/%b/%Y:%H:%M:%S') ||
                       ' +0000] 192.0.2.3 arn:aws:iam::1:user/a ' ||
                       md5(i::VARCHAR)[:16] || ' ' ||
                       CASE WHEN i % 10 = 0 THEN 'REST.HEAD.OBJECT' ELSE 'REST.GET.OBJECT' END ||
                       ' data/obj%20' || (i * 7 % {objects}) || '.bin "GET /bench/data/obj%20' ||
                       (i * 7 % {objects}) || '.bin HTTP/1.1" ' ||
                       CASE WHEN i % 50 = 0 THEN '403 InvalidObjectState 243'
                            ELSE '200 - 1048576' END ||
                       ' 1048576 70 10 "-" "aws-cli/2.15 Python/3.11" - hostid= SigV4 '
                       'ECDHE-RSA-AES128-GCM-SHA256 AuthHeader bench.s3.us-east-1.amazonaws.com '
                       'TLSv1.2 - -' AS line
                FROM range({part * per}, {min(lines, (part + 1) * per)}) t(i)
            ) TO '{logs / f"2026-11-01-00-00-{part:02d}-0123456789ABCDEF"}'
              (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f')"""
        )
    return manifest, logs


def ours(manifest: Path, logs: Path) -> str:
    from optimizers.service_prices import load_service_prices
    from optimizers.storage.collect import read_bucket
    from optimizers.storage.plan import plan_bucket

    profile = read_bucket(manifest, access_logs=logs)
    plan = plan_bucket(profile, load_service_prices(), "us-east-1")
    return (
        f"{profile.objects} objects, {int(profile.gets.sum() + profile.heads.sum())} reads, "
        "proposed "
        + (
            ", ".join(f"{t.storage_class} from day {t.days}" for t in plan.proposed.transitions)
            or "STANDARD only"
        )
    )


def floor(manifest: Path, logs: Path) -> str:
    import duckdb

    data = sorted(str(p) for p in (manifest.parent.parent / "data").iterdir())
    deliveries = sorted(str(p) for p in logs.iterdir())
    con = duckdb.connect()
    classes = con.execute(
        f"""SELECT column4, count(*), sum(column2) FROM read_csv({data!r}, header=false)
            GROUP BY column4"""
    ).fetchall()
    operations = con.execute(
        f"""SELECT split_part(line, ' ', 8), count(*)
            FROM read_csv({deliveries!r}, columns={{'line': 'VARCHAR'}}, header=false,
                          delim='\\x1f', quote='', escape='', auto_detect=false)
            GROUP BY 1"""
    ).fetchall()
    return f"{sum(c[1] for c in classes)} objects, {sum(o[1] for o in operations)} log lines"


def child(which: str, manifest: str, logs: str) -> None:
    start = time.perf_counter()
    summary = (ours if which == "ours" else floor)(Path(manifest), Path(logs))
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime  # all threads, the interpreter's start included
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "peak_mib": usage.ru_maxrss / 1024,
                      "summary": summary}))  # fmt: skip


def run(which: str, manifest: Path, logs: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, str(manifest), str(logs)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000_000)
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    results: dict[str, list[dict]] = {"duckdb group by": [], "ours": []}
    with tempfile.TemporaryDirectory(prefix="aeon-storage-bench-") as tmp:
        started = time.perf_counter()
        manifest, logs = generate(Path(tmp), args.objects, args.lines)
        print(f"generated {args.objects:,} objects and {args.lines:,} log lines "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        for round_ in range(1, args.rounds + 1):
            for name, which in (("duckdb group by", "floor"), ("ours", "ours")):
                result = run(which, manifest, logs)
                results[name].append(result)
                print(
                    f"round {round_} {name:16s} {result['seconds']:7.2f} s  cpu "
                    f"{result['cpu_s']:6.2f} s  peak {result['peak_mib']:6.0f} MiB  "
                    f"({result['summary']})"
                )
    median = {
        name: {k: statistics.median(r[k] for r in rounds) for k in ("seconds", "cpu_s", "peak_mib")}
        for name, rounds in results.items()
    }
    for name, got in median.items():
        print(
            f"median  {name:16s} {got['seconds']:7.2f} s  cpu {got['cpu_s']:6.2f} s  "
            f"peak {got['peak_mib']:6.0f} MiB"
        )
    cpu = median["ours"]["cpu_s"] / median["duckdb group by"]["cpu_s"]
    print(f"cpu time ratio: {cpu:.2f} (not a target: on a loaded machine wall time tends to it)")
    ratios = {k: median["ours"][k] / median["duckdb group by"][k] for k in ("seconds", "peak_mib")}
    print(f"time ratio: {ratios['seconds']:.2f}")
    print(f"memory ratio: {ratios['peak_mib']:.2f}")
    print(f"ratio: {max(ratios.values()):.2f}")


if __name__ == "__main__":
    main()
