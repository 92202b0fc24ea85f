"""S3 Inventory, server access log and CloudTrail readers on files laid out as AWS writes them."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import string

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizers.storage.access_logs import read_access_logs
from optimizers.storage.cloudtrail import read_cloudtrail
from optimizers.storage.collect import read_bucket
from optimizers.storage.errors import StorageInputError
from optimizers.storage.inventory import register_inventory
from optimizers.storage.read_log import ARCHIVED, GET, OK, ReadLog, decoded_key
from tests.storage_fixtures import TAKEN, log_line, write_inventory

DAY = dt.timedelta(days=1)
OBJECTS = [
    ("logs/a b+c.txt", 50_000, TAKEN - 3 * DAY, "STANDARD"),
    ("data/x.bin", 5_000_000, TAKEN - 100 * DAY, "GLACIER"),
    ("data/y.bin", 5_000_000, TAKEN - 2 * DAY - dt.timedelta(hours=5), "STANDARD"),
]


def _rows(con):
    return sorted(con.execute("SELECT key, size, storage_class FROM inventory").fetchall())


def _hash(key: str) -> int:
    return duckdb.execute("SELECT hash($1)", [key]).fetchall()[0][0]


def _reads(reads: ReadLog) -> list[tuple]:
    """(key, op, ok, refused as InvalidObjectState, bytes) of each read, keys by hash."""
    keys = {_hash(k): k for k in KEYS_SEEN}
    hashes = np.repeat(reads.keys, np.diff(reads.starts))
    return sorted(
        (keys.get(int(h), int(h)), "GET" if f & GET else "HEAD", bool(f & OK), bool(f & ARCHIVED),
         int(b))
        for h, f, b in zip(hashes, reads.flags, reads.bytes_sent, strict=True)
    )  # fmt: skip


KEYS_SEEN = ("logs/a b+c.txt", "data/x.bin", "data/y.bin", "data/z.bin")


@pytest.mark.parametrize(
    ("fmt", "gz"), [("CSV", True), ("CSV", False), ("Parquet", False), ("ORC", False)]
)
def test_inventory_reads_every_format_s3_delivers(tmp_path, fmt, gz):
    manifest = write_inventory(tmp_path, OBJECTS, fmt=fmt, gz=gz)
    con = duckdb.connect()
    read = register_inventory(con, manifest)
    assert read.source_bucket == "src" and read.created == TAKEN
    assert _rows(con) == sorted((k, s, c) for k, s, _, c in OBJECTS)  # keys decoded


def test_inventory_noncurrent_versions_and_delete_markers_are_left_out(tmp_path):
    manifest = write_inventory(tmp_path, OBJECTS)
    data = json.loads(manifest.read_text())
    data["fileSchema"] = (
        "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, StorageClass"
    )
    data_file = next((tmp_path / "inv").rglob("part-0.csv.gz"))
    text = (
        '"src","k1","v1","true","false","10","2026-10-01T00:00:00.000Z","STANDARD"\n'
        '"src","k1","v0","false","false","20","2026-09-01T00:00:00.000Z","STANDARD"\n'
        '"src","k2","v2","true","true","","2026-10-02T00:00:00.000Z",""\n'
    )
    data_file.write_bytes(gzip.compress(text.encode()))
    data["files"][0]["size"] = data_file.stat().st_size
    manifest.write_text(json.dumps(data))
    con = duckdb.connect()
    register_inventory(con, manifest)
    assert _rows(con) == [("k1", 10, "STANDARD")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(fileSchema="Bucket, Key, Size"), "LastModifiedDate"),
        (lambda m: m.update(fileFormat="JSON"), "fileFormat"),
        (lambda m: m["files"][0].update(size=1), "incomplete copy"),
        (lambda m: m["files"][0].update(key="elsewhere/none.csv.gz"), "not found"),
        (lambda m: m.pop("files"), "files"),
    ],
)
def test_inventory_problems_are_user_errors_that_say_what_to_fix(tmp_path, change, message):
    manifest = write_inventory(tmp_path, OBJECTS)
    data = json.loads(manifest.read_text())
    change(data)
    manifest.write_text(json.dumps(data))
    with pytest.raises(StorageInputError, match=message):
        register_inventory(duckdb.connect(), manifest)


def test_inventory_whose_schema_does_not_match_its_files_is_refused(tmp_path):
    manifest = write_inventory(tmp_path, OBJECTS)
    data = json.loads(manifest.read_text())
    data["fileSchema"] = "Bucket, Key, LastModifiedDate, Size, StorageClass"  # swapped
    manifest.write_text(json.dumps(data))
    with pytest.raises(StorageInputError, match="fileSchema"):
        register_inventory(duckdb.connect(), manifest)


def test_access_logs_keep_reads_with_status_and_error_code(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    t = TAKEN - DAY
    lines = [
        log_line("logs/a b+c.txt", t, user_agent='agent "quoted" x'),
        log_line("data/x.bin", t, status=403, error="InvalidObjectState", sent=243),
        log_line("data/x.bin", t, op="REST.HEAD.OBJECT", sent="-"),
        log_line("data/y.bin", t, op="REST.PUT.OBJECT"),
        log_line("data/y.bin", t, bucket="other"),
        "not a log line",
    ]
    (logs / "2026-10-31-00-00-00-0123456789ABCDEF").write_text("\n".join(lines) + "\n")
    reads = read_access_logs(logs, "src")
    summary = reads.summary
    assert (summary.lines, summary.unparsed, summary.other_buckets) == (4, 1, 1)
    assert _reads(reads) == [
        ("data/x.bin", "GET", False, True, 243),
        ("data/x.bin", "HEAD", True, False, 0),
        ("logs/a b+c.txt", "GET", True, False, 1000),
    ]


def test_access_logs_for_another_bucket_only_are_a_user_error(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "f").write_text(log_line("k", TAKEN, bucket="other") + "\n")
    with pytest.raises(StorageInputError, match="no access log records for bucket 'src'"):
        read_access_logs(logs, "src")


def test_cloudtrail_deliveries_and_json_lines_give_the_same_reads(tmp_path):
    def event(name, key, when, error=None, sent=None, bucket="src"):
        e = {
            "eventVersion": "1.09",
            "eventSource": "s3.amazonaws.com",
            "eventName": name,
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "requestParameters": {"bucketName": bucket, "key": key},
        }
        if error:
            e["errorCode"] = error
        if sent:
            e["additionalEventData"] = {"bytesTransferredOut": sent}
        return e

    t = TAKEN - DAY
    events = [
        event("GetObject", "data/y.bin", t, sent=5_000_000.0),
        event("GetObject", "data/x.bin", t, error="InvalidObjectState"),
        event("HeadObject", "data/y.bin", t),
        event("PutObject", "data/z.bin", t),
        event("GetObject", "data/y.bin", t, bucket="other"),
    ]
    trail = tmp_path / "trail"
    trail.mkdir()
    (trail / "a.json.gz").write_bytes(gzip.compress(json.dumps({"Records": events[:3]}).encode()))
    (trail / "b.jsonl").write_text("\n".join(json.dumps(e) for e in events[3:]) + "\n")
    reads = read_cloudtrail(trail, "src")
    assert (reads.summary.lines, reads.summary.other_buckets) == (4, 1)
    assert _reads(reads) == [
        ("data/x.bin", "GET", False, True, 0),
        ("data/y.bin", "GET", True, False, 5_000_000),
        ("data/y.bin", "HEAD", True, False, 0),
    ]


def test_profile_joins_reads_to_object_ages(tmp_path):
    manifest = write_inventory(tmp_path, OBJECTS)
    logs = tmp_path / "logs"
    logs.mkdir()
    start = TAKEN - 10 * DAY
    lines = [
        log_line("zzz/start", start, op="REST.PUT.OBJECT"),
        log_line("data/y.bin", TAKEN - dt.timedelta(hours=1), sent=5_000_000),  # age 2
        log_line("data/x.bin", TAKEN - 5 * DAY, status=403, error="InvalidObjectState"),  # age 95
        log_line("gone/deleted", TAKEN - DAY),
    ]
    (logs / "delivery").write_text("\n".join(lines) + "\n")
    bucket = read_bucket(manifest, access_logs=logs)
    assert bucket.objects == 3 and bucket.bytes == 10_050_000
    assert bucket.gets[2] == 1 and bucket.read_bytes[2] == 5_000_000
    assert bucket.invalid_object_state[95] == 1 and bucket.read_days[95] == 1
    assert bucket.unmatched_reads == 1
    # The logs ran from day -10 to one hour before the inventory: x.bin (100 days old) was seen
    # at ages 90-99, y.bin (2 days 5 hours old) at 0-2: object-days by age.
    assert bucket.exposure[90:101].sum() == 10 and bucket.exposure[0:3].sum() == 3
    assert bucket.classes["GLACIER"][100] == 1
    assert [b["objects"] for b in bucket.size_histogram] == [1, 2]


def test_profile_needs_reads(tmp_path):
    with pytest.raises(StorageInputError, match="--access-logs"):
        read_bucket(write_inventory(tmp_path, OBJECTS))


# A user agent is quoted in the line: no quote, backslash or line break in it (encodable text).
AGENT_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters='\n\r\x1f"\\')
KEYS = st.text(string.ascii_letters + string.digits + " +-_./%&=?!'()*~", min_size=1, max_size=40)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=KEYS,
    status=st.sampled_from([200, 206, 304, 403, 404, 500]),
    agent=st.text(AGENT_CHARACTERS, max_size=30),
    sent=st.one_of(st.integers(0, 10**12), st.just("-")),
)
def test_fuzzed_log_lines_parse_to_what_was_written(tmp_path_factory, key, status, agent, sent):
    logs = tmp_path_factory.mktemp("logs")
    line = log_line(key, TAKEN, status=status, sent=sent, user_agent=agent)
    (logs / "f").write_text(line + "\nrandom garbage \x00 here\n")
    reads = read_access_logs(logs, "src")
    assert reads.summary.unparsed == 1
    assert reads.keys.tolist() == [_hash(key)]
    assert [bool(reads.flags[0] & OK), int(reads.bytes_sent[0])] == [
        200 <= status < 400,
        0 if sent == "-" else sent,
    ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(max_size=300))
def test_garbage_in_a_log_folder_is_a_user_error_never_a_crash(tmp_path_factory, garbage):
    logs = tmp_path_factory.mktemp("logs")
    (logs / "f").write_bytes(garbage)
    try:
        read_access_logs(logs, "src")
    except StorageInputError:
        pass


def _decoded(con: duckdb.DuckDBPyConnection, expression: str, key: str) -> str:
    try:
        return con.execute(f"SELECT {expression} FROM (SELECT ? AS k)", [key]).fetchone()[0]
    except duckdb.InvalidInputException:  # decodes to bytes that are not UTF-8
        return "<refused>"


@settings(max_examples=200, deadline=None)
@given(key=st.text(st.sampled_from("ab/ +%2BF0zé\u00ff"), max_size=12))
def test_decoding_only_keys_that_need_it_decodes_as_always(key):
    # `decoded_key` skips the '+' and '%' steps on keys without them: same keys, less work
    with duckdb.connect() as con:
        fast = _decoded(con, decoded_key("k"), key)
        assert fast == _decoded(con, "url_decode(replace(k, '+', ' '))", key)
