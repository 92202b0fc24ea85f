"""Reading one bucket's inventory and reads into a `BucketProfile`, each file read once.

DuckDB parses the files; what stays in memory is small. The reads come first, streamed into
compact arrays grouped by key hash (`read_log`: 13 bytes a read, 16 a key). Then the inventory is
streamed in batches, each tallied into per-age histograms (`age_tally`: objects, bytes and
classes by age, the ages the logs observed objects at, reads joined to their objects' ages) and
dropped. The inventory itself is never held: its size costs time, not memory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .access_logs import read_access_logs
from .age_tally import AgeTally
from .cloudtrail import read_cloudtrail
from .errors import StorageInputError
from .inventory import CLASSES, object_batches, register_inventory
from .profile import BucketProfile
from .read_log import ReadLog, connect


def read_bucket(
    inventory: Path,
    *,
    access_logs: Path | None = None,
    cloudtrail: Path | None = None,
    bucket: str | None = None,
) -> BucketProfile:
    """The profile of the bucket an S3 Inventory describes, with its reads from logs or a trail."""
    if (access_logs is None) == (cloudtrail is None):
        raise StorageInputError(
            "give the bucket's reads: --access-logs DIR or --cloudtrail PATH (exactly one); "
            "without them the planner cannot tell data still in use from data to archive"
        )
    with connect() as con:  # the inventory's manifest and files checked before the long reads
        manifest = register_inventory(con, inventory)
    name = bucket or manifest.source_bucket
    if bucket and bucket != manifest.source_bucket:
        raise StorageInputError(
            f"{inventory}: the inventory is of bucket {manifest.source_bucket!r}, "
            f"not {bucket!r} (--bucket)"
        )
    if access_logs is not None:
        reads = read_access_logs(access_logs, name)
    else:
        reads = read_cloudtrail(cloudtrail, name)  # type: ignore[arg-type]
    tally = AgeTally(manifest.creation_ms, reads, len(CLASSES))
    for batch in object_batches(inventory):
        tally.add(**batch)
    return _profile(tally, name, manifest.created, reads)


def _profile(tally: AgeTally, bucket: str, taken: dt.datetime, reads: ReadLog) -> BucketProfile:
    if tally.ages == 0:
        raise StorageInputError(f"the inventory of {bucket!r} lists no current objects")
    summary = reads.summary
    stock, exposure, per_age = tally.stock_by_age(), tally.exposure_by_age(), tally.reads_by_age()
    by_class = stock["classes"]
    unmatched = len(reads) - tally.matched
    notes = []
    if summary.unparsed:
        notes.append(f"{summary.unparsed} log lines matched no record layout and were skipped")
    if unmatched:
        notes.append(
            f"{unmatched} reads of keys the inventory does not hold (deleted or overwritten "
            "since) are not attributed to an age"
        )
    if summary.days < 14:
        notes.append(f"reads cover {summary.days:.1f} days: rare reads may be missed")
    return BucketProfile(
        bucket=bucket,
        inventory_date=taken.isoformat(),
        small_objects=stock["objects"][:, 0].copy(),
        small_bytes=stock["bytes"][:, 0].copy(),
        large_objects=stock["objects"][:, 1].copy(),
        large_bytes=stock["bytes"][:, 1].copy(),
        classes={
            CLASSES[c]: by_class[:, c].copy() for c in range(len(CLASSES)) if by_class[:, c].any()
        },
        exposure=exposure[0],
        exposure_bytes=exposure[1],
        small_requests_per_day=per_age.pop("small_requests") / max(summary.days, 1 / 24),
        log_days=summary.days,
        reads_source=summary.source,
        unmatched_reads=int(unmatched),
        notes=notes,
        size_histogram=tally.size_histogram(),
        **per_age,
    )
