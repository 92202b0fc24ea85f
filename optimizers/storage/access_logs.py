"""S3 server access logs: one file per delivery, one space-separated record per line.

    79a59df900b949e5 amzn-s3-demo-bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df9
    3E57427F3EXAMPLE REST.GET.OBJECT photos/a.jpg "GET /amzn-s3-demo-bucket/photos/a.jpg HTTP/1.1"
    200 - 2662992 3462992 70 10 "-" "S3Console/0.4" - s9lzHYrF... SigV4 ... (line shown wrapped)

Fields in order: bucket owner, bucket, [time], remote IP, requester, request ID, operation, key
(URL-encoded, `-` when none), "request-URI", HTTP status, error code, bytes sent, object size,
total time, turn-around time, "referer", "user-agent", version ID, host ID, signature version,
cipher suite, authentication type, host header, TLS version, access point ARN, ACL required. `-`
marks an empty field. AWS may append fields, so only the leading ones are read, by position; lines
that do not split into a record are counted, not guessed at.

Reads are `REST.GET.OBJECT`, `REST.HEAD.OBJECT` and `REST.COPY.OBJECT_GET` (the source side of a
copy). A GET refused with `InvalidObjectState` read an archived object without a restore: it is
a read. The lines are read once into a compact table; the reads of the bucket are the view
`reads(h, t, op, ok, ios, bytes_sent)`: the key's 64-bit hash (what joins them to the inventory's
objects), Unix seconds, GET or HEAD, success, refused as InvalidObjectState, bytes sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import StorageInputError

# Fields we read, by position in a line split at spaces outside quotes (the time's two halves are
# two fields: "[06/Feb/2019:00:00:38" and "+0000]").
BUCKET, TIME, ZONE, OPERATION, KEY, STATUS, ERROR_CODE, BYTES_SENT = 1, 2, 3, 7, 8, 10, 11, 12
MAX_FIELDS = 40  # 26 today; AWS appends new fields at the end
READ_OPERATIONS = {
    "REST.GET.OBJECT": "GET",
    "REST.HEAD.OBJECT": "HEAD",
    "REST.COPY.OBJECT_GET": "GET",
}
_OP_CODES = (
    "CASE operation "
    + " ".join(
        f"WHEN '{op}' THEN {1 if kind == 'GET' else 2}" for op, kind in READ_OPERATIONS.items()
    )
    + " ELSE 0 END"
)


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
    columns = "{" + ", ".join(f"'f{i}': 'VARCHAR'" for i in range(MAX_FIELDS)) + "}"
    try:
        # DuckDB's CSV reader splits at spaces and keeps quoted fields whole; a line it cannot
        # split lands in its rejects table and is counted as unreadable.
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE log_records AS
            SELECT CASE WHEN time IS NULL OR bucket IS NULL THEN 0
                        WHEN bucket = $1 THEN 2 ELSE 1 END::UTINYINT AS source,
                   epoch(time)::UINTEGER AS t,
                   (CASE WHEN bucket = $1 THEN {_OP_CODES} ELSE 0 END)::UTINYINT AS op,
                   CASE WHEN bucket = $1 AND key <> '-'
                        THEN hash(url_decode(replace(key, '+', ' '))) END AS h,
                   TRY_CAST(status AS INTEGER) BETWEEN 200 AND 399 AS ok,
                   error_code = 'InvalidObjectState' AS ios,
                   coalesce(TRY_CAST(bytes_sent AS BIGINT), 0) AS bytes_sent
            FROM (
                SELECT f{BUCKET} AS bucket, f{OPERATION} AS operation, f{KEY} AS key,
                       f{STATUS} AS status, f{ERROR_CODE} AS error_code,
                       f{BYTES_SENT} AS bytes_sent,
                       try_strptime(substr(f{TIME}, 2) || ' ' || rtrim(f{ZONE}, ']'),
                                    '%d/%b/%Y:%H:%M:%S %z') AS time
                FROM read_csv({paths!r}, columns={columns}, header=false, delim=' ',
                              quote='"', escape='\\', auto_detect=false, null_padding=true,
                              strict_mode=false, ignore_errors=true, store_rejects=true,
                              rejects_table='log_rejects', rejects_scan='log_scans',
                              max_line_size=1048576, compression='auto')
            )""",
            [bucket],
        ).fetchall()
        rejected = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT file_id, line FROM log_rejects)"
        ).fetchall()[0][0]
        totals = con.execute(
            """SELECT count(*) FILTER (source = 0), count(*) FILTER (source = 1),
                      count(*) FILTER (source = 2), min(t) FILTER (source = 2),
                      max(t) FILTER (source = 2)
               FROM log_records"""
        ).fetchall()[0]
    except duckdb.Error as err:
        raise StorageInputError(f"{directory}: cannot read the access logs: {err}") from None
    totals = (totals[0] + rejected, *totals[1:])
    unparsed, other, lines, start, end = totals
    if not lines:
        raise StorageInputError(
            f"{directory}: no access log records for bucket {bucket!r} "
            f"({other} for other buckets, {unparsed} unreadable lines)"
        )
    con.sql(
        """CREATE OR REPLACE VIEW reads AS
        SELECT h, t, CASE op WHEN 1 THEN 'GET' ELSE 'HEAD' END AS op, ok, ios, bytes_sent
        FROM log_records WHERE source = 2 AND op > 0 AND h IS NOT NULL"""
    )
    return ReadsSummary("s3-access-logs", lines, unparsed, other, start, end)
