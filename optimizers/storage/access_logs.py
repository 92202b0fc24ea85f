"""S3 server access logs: one file per delivery, one space-separated record per line.

    79a59df900b949e5 amzn-s3-demo-bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df9
    3E57427F3EXAMPLE REST.GET.OBJECT photos/a.jpg "GET /amzn-s3-demo-bucket/photos/a.jpg HTTP/1.1"
    200 - 2662992 3462992 70 10 "-" "S3Console/0.4" - s9lzHYrF... SigV4 ... (line shown wrapped)

Fields in order: bucket owner, bucket, [time], remote IP, requester, request ID, operation, key
(URL-encoded, `-` when none), "request-URI", HTTP status, error code, bytes sent, object size,
total time, turn-around time, "referer", "user-agent", version ID, host ID, signature version,
cipher suite, authentication type, host header, TLS version, access point ARN, ACL required. `-`
marks an empty field. AWS may append fields, so only the leading ones we use are matched, and
lines that do not match are counted, not guessed at.

Reads are `REST.GET.OBJECT`, `REST.HEAD.OBJECT` and `REST.COPY.OBJECT_GET` (the source side of a
copy). A GET refused with `InvalidObjectState` read an archived object without a restore: it is
a read. Everything lands in the DuckDB view `reads(key, time, op, ok, error_code, bytes_sent)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import StorageInputError

QUOTED = r'"(?:[^"\\]|\\.)*"'
# bucket, time, operation, key, status, error code, bytes sent (RE2 syntax, also valid in Python)
LINE = (
    r"^\S+ (\S+) \[([^\]]+)\] \S+ \S+ \S+ (\S+) (\S+) "
    rf"(?:{QUOTED}|-) (\S+) (\S+) (\S+)"
)
FIELDS = ("bucket", "time", "operation", "key", "status", "error_code", "bytes_sent")
READ_OPERATIONS = {
    "REST.GET.OBJECT": "GET",
    "REST.HEAD.OBJECT": "HEAD",
    "REST.COPY.OBJECT_GET": "GET",
}


@dataclass(frozen=True)
class ReadsSummary:
    source: str
    lines: int  # records of the bucket
    unparsed: int  # lines matching no record layout
    other_buckets: int
    window_start: float  # Unix seconds
    window_end: float

    @property
    def days(self) -> float:
        return max(self.window_end - self.window_start, 0.0) / 86400


def log_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise StorageInputError(f"{directory}: no such directory (--access-logs)")
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise StorageInputError(f"{directory}: no log files in it (--access-logs)")
    return files


def register_access_logs(
    con: duckdb.DuckDBPyConnection, directory: Path, bucket: str
) -> ReadsSummary:
    """Create the `reads` view on `con` from the server access logs in `directory`."""
    paths = [str(p) for p in log_files(directory)]
    names = "[" + ", ".join(f"'{f}'" for f in FIELDS) + "]"
    pattern = LINE.replace("'", "''")
    try:
        con.sql(
            f"""CREATE OR REPLACE TEMP TABLE log_records AS
            SELECT r.* EXCLUDE (time, bucket),
                   try_strptime(r.time, '%d/%b/%Y:%H:%M:%S %z') AS time,
                   CASE WHEN try_strptime(r.time, '%d/%b/%Y:%H:%M:%S %z') IS NULL THEN ''
                        ELSE r.bucket END AS bucket
            FROM (
                SELECT regexp_extract(line, '{pattern}', {names}) AS r
                FROM read_csv({paths!r}, columns={{'line': 'VARCHAR'}}, header=false,
                              delim='\\x1f', quote='', escape='', auto_detect=false,
                              strict_mode=false, max_line_size=1048576, compression='auto')
            )"""
        )
        totals = con.execute(
            """SELECT count(*) FILTER (bucket = ''),
                       count(*) FILTER (bucket <> '' AND bucket <> $1),
                       count(*) FILTER (bucket = $1),
                       min(epoch(time)) FILTER (bucket = $1),
                       max(epoch(time)) FILTER (bucket = $1)
                FROM log_records""",
            [bucket],
        ).fetchall()[0]
    except duckdb.Error as err:
        raise StorageInputError(f"{directory}: cannot read the access logs: {err}") from None
    unparsed, other, lines, start, end = totals
    if not lines:
        raise StorageInputError(
            f"{directory}: no access log records for bucket {bucket!r} "
            f"({other} for other buckets, {unparsed} unreadable lines)"
        )
    ops = ", ".join(f"('{op}', '{kind}')" for op, kind in READ_OPERATIONS.items())
    con.sql(
        f"""CREATE OR REPLACE VIEW reads AS
        SELECT url_decode(replace(l.key, '+', ' ')) AS key,
               l.time,
               o.kind AS op,
               TRY_CAST(l.status AS INTEGER) BETWEEN 200 AND 399 AS ok,
               nullif(l.error_code, '-') AS error_code,
               coalesce(TRY_CAST(l.bytes_sent AS BIGINT), 0) AS bytes_sent
        FROM log_records l JOIN (VALUES {ops}) o(operation, kind) USING (operation)
        WHERE l.bucket = '{bucket.replace("'", "''")}' AND l.key <> '-'"""
    )
    return ReadsSummary("s3-access-logs", lines, unparsed, other, start, end)
