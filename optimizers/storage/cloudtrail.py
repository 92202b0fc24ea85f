"""CloudTrail S3 data events: the same `reads` view as the access logs, from a trail's export.

Accepted: the files a trail delivers (`{"Records": [...]}`, `.json` or `.json.gz`) and JSON Lines
with one event per line (a CloudTrail Lake or Athena export), one file or a folder of them. A read
is `GetObject` or `HeadObject` on the bucket (`requestParameters.bucketName`); the key is
`requestParameters.key` (not URL-encoded here); `errorCode` marks a refused call
(`InvalidObjectState`: an archived object read without a restore); bytes come from
`additionalEventData.bytesTransferredOut`. The result is the access logs' `reads` view.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .access_logs import ReadsSummary
from .errors import StorageInputError

EVENTS = {"GetObject": "GET", "HeadObject": "HEAD"}


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.name.endswith((".json", ".json.gz", ".jsonl", ".jsonl.gz"))
        )
        if files:
            return files
        raise StorageInputError(f"{path}: no .json, .json.gz or .jsonl files in it (--cloudtrail)")
    raise StorageInputError(f"{path}: no such file or directory (--cloudtrail)")


def register_cloudtrail(con: duckdb.DuckDBPyConnection, path: Path, bucket: str) -> ReadsSummary:
    """Create the `reads` view on `con` from the CloudTrail data events at `path`."""
    paths = [str(p) for p in _files(path)]
    try:
        # Each file is read as JSON values: a delivery holds one object with Records, an export
        # one event per line. Both end as one row per event.
        con.sql(
            f"""CREATE OR REPLACE TEMP TABLE trail_events AS
            WITH doc AS (
                SELECT json AS j FROM read_json_objects({paths!r}, format='auto',
                                                        compression='auto')
            ),
            events AS (
                SELECT unnest(CAST(json_extract(j, '$.Records') AS JSON[])) AS e FROM doc
                WHERE json_type(j, '$.Records') = 'ARRAY'
                UNION ALL
                SELECT j AS e FROM doc WHERE json_type(j, '$.Records') IS NULL
            )
            SELECT json_extract_string(e, '$.eventName') AS event,
                   json_extract_string(e, '$.requestParameters.bucketName') AS bucket,
                   json_extract_string(e, '$.requestParameters.key') AS key,
                   TRY_CAST(json_extract_string(e, '$.eventTime') AS TIMESTAMPTZ) AS time,
                   json_extract_string(e, '$.errorCode') AS error_code,
                   TRY_CAST(json_extract_string(e, '$.additionalEventData.bytesTransferredOut')
                            AS DOUBLE) AS bytes_sent
            FROM events"""
        )
        totals = con.execute(
            """SELECT count(*) FILTER (time IS NULL OR event IS NULL),
                      count(*) FILTER (time IS NOT NULL AND coalesce(bucket, '') <> $1),
                      count(*) FILTER (time IS NOT NULL AND bucket = $1),
                      min(epoch(time)) FILTER (bucket = $1),
                      max(epoch(time)) FILTER (bucket = $1)
               FROM trail_events""",
            [bucket],
        ).fetchall()[0]
    except duckdb.Error as err:
        raise StorageInputError(f"{path}: not CloudTrail events: {err}") from None
    unparsed, other, events, start, end = totals
    if not events:
        raise StorageInputError(
            f"{path}: no CloudTrail data events for bucket {bucket!r} ({other} for other "
            f"buckets, {unparsed} unreadable); does the trail log S3 data events?"
        )
    kinds = ", ".join(f"('{e}', '{k}')" for e, k in EVENTS.items())
    con.sql(
        f"""CREATE OR REPLACE VIEW reads AS
        SELECT hash(t.key) AS h, epoch(t.time)::UINTEGER AS t, o.kind AS op,
               t.error_code IS NULL AS ok, coalesce(t.error_code = 'InvalidObjectState', false)
               AS ios, CAST(coalesce(t.bytes_sent, 0) AS BIGINT) AS bytes_sent
        FROM trail_events t JOIN (VALUES {kinds}) o(event, kind) USING (event)
        WHERE t.bucket = '{bucket.replace("'", "''")}' AND t.key IS NOT NULL"""
    )
    return ReadsSummary("cloudtrail", events, unparsed, other, start, end)
