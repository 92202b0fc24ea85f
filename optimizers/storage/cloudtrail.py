"""CloudTrail S3 data events: the same reads as the access logs, from a trail's export.

Accepted: the files a trail delivers (`{"Records": [...]}`, `.json` or `.json.gz`) and JSON Lines
with one event per line (a CloudTrail Lake or Athena export), one file or a folder of them. A read
is `GetObject` or `HeadObject` on the bucket (`requestParameters.bucketName`); the key is
`requestParameters.key` (not URL-encoded here); `errorCode` marks a refused call
(`InvalidObjectState`: an archived object read without a restore); bytes come from
`additionalEventData.bytesTransferredOut`. The events are streamed once into the bucket's
`ReadLog`, like the access logs'.
"""

from __future__ import annotations

from pathlib import Path

from .errors import StorageInputError
from .read_log import ARCHIVED, GET, HEAD, OK, STREAM_ERRORS, ReadLog, collect_reads

EVENTS = {"GetObject": GET, "HeadObject": HEAD}
_EVENT_FLAGS = (
    "CASE event " + " ".join(f"WHEN '{e}' THEN {f}" for e, f in EVENTS.items()) + " ELSE 0 END"
)


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


def _records(paths: list[str]) -> str:
    # Each file is read as JSON values: a delivery holds one object with Records, an export one
    # event per line. Both end as one row per event.
    return f"""
        WITH doc AS (
            SELECT json AS j FROM read_json_objects({paths!r}, format='auto', compression='auto')
        ),
        events AS (
            SELECT unnest(CAST(json_extract(j, '$.Records') AS JSON[])) AS e FROM doc
            WHERE json_type(j, '$.Records') = 'ARRAY'
            UNION ALL
            SELECT j AS e FROM doc WHERE json_type(j, '$.Records') IS NULL
        ),
        fields AS (
            SELECT json_extract_string(e, '$.eventName') AS event,
                   json_extract_string(e, '$.requestParameters.bucketName') AS bucket,
                   json_extract_string(e, '$.requestParameters.key') AS key,
                   TRY_CAST(epoch(TRY_CAST(json_extract_string(e, '$.eventTime') AS TIMESTAMPTZ))
                            AS UINTEGER) AS t,
                   json_extract_string(e, '$.errorCode') AS error_code,
                   TRY_CAST(TRY_CAST(json_extract_string(
                       e, '$.additionalEventData.bytesTransferredOut') AS DOUBLE) AS BIGINT)
                   AS bytes_sent
            FROM events
        )
        SELECT CASE WHEN t IS NULL OR event IS NULL THEN 0 WHEN bucket = $1 THEN 2 ELSE 1 END
               AS source, t,
               CASE WHEN bucket = $1 AND key IS NOT NULL AND {_EVENT_FLAGS} > 0
                    THEN {_EVENT_FLAGS}
                         | CASE WHEN error_code IS NULL THEN {OK} ELSE 0 END
                         | CASE WHEN error_code = 'InvalidObjectState' THEN {ARCHIVED} ELSE 0 END
               END AS flags,
               CASE WHEN bucket = $1 AND key IS NOT NULL AND {_EVENT_FLAGS} > 0 THEN hash(key) END
               AS h, bytes_sent
        FROM fields"""


def read_cloudtrail(path: Path, bucket: str) -> ReadLog:
    """The reads of `bucket` in the CloudTrail data events at `path`."""
    paths = [str(p) for p in _files(path)]
    try:
        reads = collect_reads(_records(paths), [bucket], "cloudtrail")
    except STREAM_ERRORS as err:
        raise StorageInputError(f"{path}: not CloudTrail events: {err}") from None
    summary = reads.summary
    if not summary.lines:
        raise StorageInputError(
            f"{path}: no CloudTrail data events for bucket {bucket!r} ({summary.other_buckets} "
            f"for other buckets, {summary.unparsed} unreadable); does the trail log S3 data "
            "events?"
        )
    return reads
