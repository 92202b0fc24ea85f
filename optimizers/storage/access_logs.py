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
a read. The lines are streamed once into the bucket's `ReadLog` (optimizers.storage.read_log): per
read the key's 64-bit hash (what joins it to the inventory's objects), Unix seconds, GET or HEAD,
success, refused as InvalidObjectState, bytes sent. Nothing is left in DuckDB.
"""

from __future__ import annotations

from pathlib import Path

from .errors import StorageInputError
from .read_log import (
    ARCHIVED,
    GET,
    HEAD,
    OK,
    STREAM_ERRORS,
    ReadLog,
    collect_reads,
    decoded_key,
)

# Fields we read, by position in a line split at spaces outside quotes (the time's two halves are
# two fields: "[06/Feb/2019:00:00:38" and "+0000]").
BUCKET, TIME, ZONE, OPERATION, KEY, STATUS, ERROR_CODE, BYTES_SENT = 1, 2, 3, 7, 8, 10, 11, 12
MAX_FIELDS = 40  # 26 today; AWS appends new fields at the end
READ_OPERATIONS = {
    "REST.GET.OBJECT": GET,
    "REST.HEAD.OBJECT": HEAD,
    "REST.COPY.OBJECT_GET": GET,
}
_OP_FLAGS = (
    "CASE operation "
    + " ".join(f"WHEN '{op}' THEN {flag}" for op, flag in READ_OPERATIONS.items())
    + " ELSE 0 END"
)


# The time's UTC offset ("+0000]"), in seconds; NULL when it is not one. Parsed apart from the time:
# strptime's %z costs a third of the whole read.
_ZONE_SECONDS = (
    f"CASE WHEN f{ZONE} = '+0000]' THEN 0 WHEN regexp_full_match(f{ZONE}, '[+-][0-9]{{4}}\\]') "
    f"THEN (CASE WHEN f{ZONE}[1] = '-' THEN -1 ELSE 1 END) "
    f"* (f{ZONE}[2:3]::INT * 3600 + f{ZONE}[4:5]::INT * 60) END"
)


def log_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise StorageInputError(f"{directory}: no such directory (--access-logs)")
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise StorageInputError(f"{directory}: no log files in it (--access-logs)")
    return files


def _records(paths: list[str]) -> str:
    columns = "{" + ", ".join(f"'f{i}': 'VARCHAR'" for i in range(MAX_FIELDS)) + "}"
    # DuckDB's CSV reader splits at spaces and keeps quoted fields whole; a line it cannot split
    # lands in its rejects table and is counted as unreadable, as is a time it cannot read.
    return f"""
        SELECT CASE WHEN t IS NULL OR bucket IS NULL THEN 0 WHEN bucket = $1 THEN 2 ELSE 1 END
               AS source, t,
               CASE WHEN bucket = $1 AND key <> '-' AND {_OP_FLAGS} > 0
                    THEN {_OP_FLAGS}
                         | CASE WHEN TRY_CAST(status AS INTEGER) BETWEEN 200 AND 399
                                THEN {OK} ELSE 0 END
                         | CASE WHEN error_code = 'InvalidObjectState' THEN {ARCHIVED} ELSE 0 END
               END AS flags,
               CASE WHEN bucket = $1 AND key <> '-' AND {_OP_FLAGS} > 0
                    THEN hash({decoded_key("key")}) END AS h,
               TRY_CAST(bytes_sent AS BIGINT) AS bytes_sent
        FROM (
            SELECT f{BUCKET} AS bucket, f{OPERATION} AS operation, f{KEY} AS key,
                   f{STATUS} AS status, f{ERROR_CODE} AS error_code, f{BYTES_SENT} AS bytes_sent,
                   TRY_CAST(epoch(try_strptime(f{TIME}, '[%d/%b/%Y:%H:%M:%S')) - {_ZONE_SECONDS}
                            AS UINTEGER) AS t
            FROM read_csv({paths!r}, columns={columns}, header=false, delim=' ', quote='"',
                          escape='\\', auto_detect=false, null_padding=true, strict_mode=false,
                          ignore_errors=true, store_rejects=true, rejects_table='log_rejects',
                          rejects_scan='log_scans', max_line_size=1048576, compression='auto')
        )"""


def read_access_logs(directory: Path, bucket: str) -> ReadLog:
    """The reads of `bucket` in the server access logs in `directory`."""
    paths = [str(p) for p in log_files(directory)]
    rejected = "SELECT count(*) FROM (SELECT DISTINCT file_id, line FROM log_rejects)"
    try:
        reads = collect_reads(_records(paths), [bucket], "s3-access-logs", rejected=rejected)
    except STREAM_ERRORS as err:
        raise StorageInputError(f"{directory}: cannot read the access logs: {err}") from None
    summary = reads.summary
    if not summary.lines:
        raise StorageInputError(
            f"{directory}: no access log records for bucket {bucket!r} "
            f"({summary.other_buckets} for other buckets, {summary.unparsed} unreadable lines)"
        )
    return reads
