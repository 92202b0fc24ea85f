"""Reading one bucket's inventory and reads into a `BucketProfile` (DuckDB does the heavy part).

The readers leave compact tables (`objects`: key hash, size, time, class; `reads`: key hash, time,
kind, outcome, bytes), each file read once. One query aggregates objects by age, size group and
class together with the ages the logs observed each object at (exposure) and the size histogram;
one joins the reads to the objects they read. Only per-age tables come back to Python.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np

from .access_logs import ReadsSummary, register_access_logs
from .cloudtrail import register_cloudtrail
from .errors import StorageInputError
from .inventory import CLASSES, register_inventory
from .profile import BucketProfile
from .rules import DEFAULT_TRANSITION_MIN_BYTES

DAY = 86400
SIZE_EDGES = (0, 1024, 16 * 1024, 128 * 1024, 1 << 20, 16 << 20, 128 << 20, 1 << 30, 16 << 30)


def read_bucket(
    inventory: Path,
    *,
    access_logs: Path | None = None,
    cloudtrail: Path | None = None,
    bucket: str | None = None,
    memory_limit: str | None = None,
) -> BucketProfile:
    """The profile of the bucket an S3 Inventory describes, with its reads from logs or a trail."""
    if (access_logs is None) == (cloudtrail is None):
        raise StorageInputError(
            "give the bucket's reads: --access-logs DIR or --cloudtrail PATH (exactly one); "
            "without them the planner cannot tell data still in use from data to archive"
        )
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")  # order is never used: less memory
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    try:
        manifest = register_inventory(con, inventory)
        name = bucket or manifest.source_bucket
        if bucket and bucket != manifest.source_bucket:
            raise StorageInputError(
                f"{inventory}: the inventory is of bucket {manifest.source_bucket!r}, "
                f"not {bucket!r} (--bucket)"
            )
        if access_logs is not None:
            summary = register_access_logs(con, access_logs, name)
        else:
            summary = register_cloudtrail(con, cloudtrail, name)  # type: ignore[arg-type]
        return _profile(con, name, manifest.created, summary)
    finally:
        con.close()


def _profile(
    con: duckdb.DuckDBPyConnection, bucket: str, taken: dt.datetime, reads: ReadsSummary
) -> BucketProfile:
    t, t0, t1 = taken.timestamp(), reads.window_start, reads.window_end
    large = f"size >= {DEFAULT_TRANSITION_MIN_BYTES}"
    bins = " ".join(f"WHEN size < {e} THEN {i}" for i, e in enumerate(SIZE_EDGES[1:]))
    stock = con.execute(
        f"""SELECT GROUPING(age, lo, bin) AS g, age, large, storage_class, lo, hi, bin,
                   count(*), sum(size)
            FROM (SELECT size, {large} AS large, cls AS storage_class,
                         CASE {bins} ELSE {len(SIZE_EDGES) - 1} END AS bin,
                         greatest(0, floor(($1 - lm::BIGINT) / {DAY}))::INT AS age,
                         greatest(0, floor(($2 - lm::BIGINT) / {DAY}))::INT AS lo,
                         floor(($3 - lm::BIGINT) / {DAY})::INT AS hi
                  FROM objects)
            GROUP BY GROUPING SETS ((age, large, storage_class), (large, lo, hi), (bin))""",
        [t, t0, t1],
    ).fetchall()
    if not stock:
        raise StorageInputError(f"the inventory of {bucket!r} lists no current objects")
    by_age = 0b011  # GROUPING bits: age kept, lo and bin rolled up
    ages = max(r[1] for r in stock if r[0] == by_age) + 1
    shape = {"large_objects": 0, "large_bytes": 0, "small_objects": 0, "small_bytes": 0}
    arrays = {k: np.zeros(ages) for k in shape}
    classes: dict[str, np.ndarray] = {}
    starts, stops = np.zeros((2, ages + 2)), np.zeros((2, ages + 2))  # objects, bytes
    sizes = []
    for grouped, age, is_large, cls, lo, hi, size_bin, n, b in stock:
        if grouped == 0b110:
            sizes.append({"from_bytes": SIZE_EDGES[size_bin], "objects": n, "bytes": int(b)})
        elif grouped == by_age:
            group = "large" if is_large else "small"
            arrays[f"{group}_objects"][age] += n
            arrays[f"{group}_bytes"][age] += b
            if is_large:
                classes.setdefault(CLASSES[cls], np.zeros(ages))[age] += n
        elif is_large and hi >= 0 and lo <= hi:  # exposure set
            lo, hi = min(lo, ages), min(hi, ages)
            starts[:, lo] += (n, b)
            stops[:, hi + 1] += (n, b)
    exposure = np.cumsum(starts - stops, axis=1)[:, :ages]
    per_age = _reads_by_age(con, ages, large)
    unmatched = con.execute("SELECT count(*) FROM reads").fetchall()[0][0] - per_age.pop("matched")
    notes = []
    if reads.unparsed:
        notes.append(f"{reads.unparsed} log lines matched no record layout and were skipped")
    if unmatched:
        notes.append(
            f"{unmatched} reads of keys the inventory does not hold (deleted or overwritten "
            "since) are not attributed to an age"
        )
    if reads.days < 14:
        notes.append(f"reads cover {reads.days:.1f} days: rare reads may be missed")
    return BucketProfile(
        bucket=bucket,
        inventory_date=taken.isoformat(),
        classes=classes,
        exposure=exposure[0],
        exposure_bytes=exposure[1],
        small_requests_per_day=per_age.pop("small_requests") / max(reads.days, 1 / 24),
        log_days=reads.days,
        reads_source=reads.source,
        unmatched_reads=int(unmatched),
        notes=notes,
        size_histogram=sorted(sizes, key=lambda s: s["from_bytes"]),
        **arrays,
        **per_age,
    )


def _reads_by_age(con: duckdb.DuckDBPyConnection, ages: int, large: str) -> dict:
    rows = con.execute(
        f"""WITH r AS (
                SELECT floor((r.t::BIGINT - o.lm) / {DAY})::INT AS age, o.{large} AS large, o.size,
                       r.h, r.op, r.ok, r.ios, r.bytes_sent
                FROM reads r JOIN objects o USING (h)
                WHERE o.lm <= r.t
            ),
            read_days AS (
                SELECT DISTINCT h, age, size FROM r
                WHERE large AND op = 'GET' AND (ok OR ios)
            )
            SELECT 0 AS part, age, large,
                   count(*) FILTER (op = 'GET' AND ok), count(*) FILTER (op = 'HEAD' AND ok),
                   coalesce(sum(bytes_sent) FILTER (op = 'GET' AND ok), 0),
                   count(*) FILTER (ios)
            FROM r GROUP BY age, large
            UNION ALL
            SELECT 1, age, true, count(*), sum(size), 0, 0 FROM read_days GROUP BY age
            UNION ALL
            SELECT 2, 0, true, count(*), 0, 0, 0 FROM r"""
    ).fetchall()
    out = {
        k: np.zeros(ages)
        for k in (
            "gets",
            "heads",
            "read_bytes",
            "invalid_object_state",
            "read_days",
            "read_days_bytes",
        )
    }
    small = matched = 0.0
    for part, age, is_large, a, b, c, d in rows:
        if part == 2:
            matched = a
            continue
        if not is_large:
            small += a + b
            continue
        if age >= ages:  # read at an age older than any object now: fold into the oldest
            age = ages - 1
        if part == 0:
            out["gets"][age] += a
            out["heads"][age] += b
            out["read_bytes"][age] += c
            out["invalid_object_state"][age] += d
        else:
            out["read_days"][age] += a
            out["read_days_bytes"][age] += b
    out["small_requests"] = small
    out["matched"] = matched
    return out
