"""Small buckets for the storage tests: profiles built by hand, and files as S3 writes them."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq

from optimizers.storage.profile import BucketProfile

MIB = 1 << 20
TAKEN = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def profile(
    ages: int,
    *,
    per_age: float | Callable[[int], float] = 1000,
    size: float = 10 * MIB,
    read: Callable[[int], float] = lambda age: 0.0,
    small_per_age: float = 0,
    small_size: float = 50_000,
    invalid_object_state: Callable[[int], float] = lambda age: 0.0,
) -> BucketProfile:
    """`per_age` objects of `size` at each age; `read(age)`: share read per day at that age
    (one GET each), observed on every object-day."""
    count = np.array([per_age(a) if callable(per_age) else per_age for a in range(ages)], float)
    rate = np.array([read(a) for a in range(ages)])
    zero = np.zeros(ages)
    small = np.full(ages, float(small_per_age))
    return BucketProfile(
        bucket="b",
        inventory_date=TAKEN.isoformat(),
        large_objects=count,
        large_bytes=count * size,
        small_objects=small,
        small_bytes=small * small_size,
        classes={"STANDARD": count},
        exposure=count,
        exposure_bytes=count * size,
        read_days=rate * count,
        read_days_bytes=rate * count * size,
        gets=rate * count,
        heads=zero,
        read_bytes=rate * count * size,
        invalid_object_state=np.array([invalid_object_state(a) for a in range(ages)]),
        log_days=30,
        reads_source="test",
    )


SCHEMA = "Bucket, Key, Size, LastModifiedDate, StorageClass"


def write_inventory(
    root: Path,
    objects: Iterable[tuple[str, int, dt.datetime, str]],
    fmt: str = "CSV",
    bucket: str = "src",
    gz: bool = True,
) -> Path:
    """An inventory laid out as in the destination bucket; returns the manifest's path."""
    data = root / "inv" / bucket / "cfg" / "data"
    dated = root / "inv" / bucket / "cfg" / TAKEN.strftime("%Y-%m-%dT%H-%MZ")
    data.mkdir(parents=True, exist_ok=True)
    dated.mkdir(parents=True, exist_ok=True)
    rows = list(objects)
    if fmt == "CSV":
        from urllib.parse import quote_plus

        text = "".join(
            f'"{bucket}","{quote_plus(k, safe="/")}","{s}","{t:%Y-%m-%dT%H:%M:%S.000Z}","{c}"\n'
            for k, s, t, c in rows
        )
        name = "part-0.csv.gz" if gz else "part-0.csv"
        (data / name).write_bytes(gzip.compress(text.encode()) if gz else text.encode())
        schema = SCHEMA
    else:
        table = pa.table(
            {
                "bucket": [bucket] * len(rows),
                "key": [k for k, *_ in rows],
                "size": pa.array([s for _, s, *_ in rows], pa.int64()),
                "last_modified_date": pa.array([t for *_, t, _ in rows], pa.timestamp("ms", "UTC")),
                "storage_class": [c for *_, c in rows],
            }
        )
        name = f"part-0.{fmt.lower()}"
        (pq.write_table if fmt == "Parquet" else orc.write_table)(table, str(data / name))
        schema = "message s3.inventory { required binary bucket; ... }"
    key = f"inv/{bucket}/cfg/data/{name}"
    manifest = {
        "sourceBucket": bucket,
        "destinationBucket": "arn:aws:s3:::dest",
        "version": "2016-11-30",
        "creationTimestamp": str(int(TAKEN.timestamp() * 1000)),
        "fileFormat": fmt,
        "fileSchema": schema,
        "files": [{"key": key, "size": (data / name).stat().st_size, "MD5checksum": "0" * 32}],
    }
    path = dated / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def log_line(
    key: str,
    when: dt.datetime,
    op: str = "REST.GET.OBJECT",
    status: int = 200,
    error: str = "-",
    sent: int | str = 1000,
    bucket: str = "src",
    user_agent: str = "aws-cli/2.15",
) -> str:
    """One server access log record (all 25 fields)."""
    from urllib.parse import quote

    verb = op.split(".")[1]
    return (
        f"79a59df900b949e5 {bucket} [{when:%d/%b/%Y:%H:%M:%S +0000}] 192.0.2.3 "
        f"arn:aws:iam::123456789012:user/a 3E57427F3EXAMPLE {op} {quote(key)} "
        f'"{verb} /{bucket}/{quote(key)} HTTP/1.1" {status} {error} {sent} 3462992 70 10 '
        f'"-" "{user_agent}" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP= '
        "SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader s3.us-east-1.amazonaws.com TLSv1.2 - -"
    )
