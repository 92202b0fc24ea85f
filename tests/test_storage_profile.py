"""The bucket profile the readers stream out of an inventory and its logs, against a plain Python
computation of the same definitions (docs/storage-tiering.md#from-files-to-a-profile), whatever
the batch sizes of the stream."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizers.storage import inventory, read_log
from optimizers.storage.age_tally import SIZE_EDGES
from optimizers.storage.collect import read_bucket
from optimizers.storage.read_log import hash_order
from tests.storage_fixtures import TAKEN, log_line, write_inventory

DAY = 86400
LARGE = 128 * 1024
CLASSES = ["STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"]
OUTCOMES = [(200, "-", 5000), (206, "-", "-"), (304, "-", 0), (403, "InvalidObjectState", 243),
            (404, "NoSuchKey", 300), (500, "-", "-")]  # fmt: skip
OPERATIONS = ["REST.GET.OBJECT", "REST.HEAD.OBJECT", "REST.COPY.OBJECT_GET", "REST.PUT.OBJECT"]


def key(i: int) -> str:
    return f"data/{i} a+b%c.bin" if i % 3 == 0 else f"data/{i}.bin"


objects_st = st.dictionaries(
    st.integers(0, 14),
    st.tuples(
        st.sampled_from([0, 1000, LARGE - 1, LARGE, 5_000_000, 3 << 30]),
        st.integers(-2 * DAY, 90 * DAY),  # seconds before the inventory
        st.sampled_from(CLASSES),
    ),
    min_size=1,
)
records_st = st.lists(
    st.tuples(
        st.integers(0, 19),  # keys 15-19: not in the inventory
        st.integers(-DAY, 40 * DAY),  # seconds before the inventory
        st.sampled_from(OPERATIONS),
        st.sampled_from(OUTCOMES),
        st.booleans(),  # another bucket's
    ),
    min_size=1,
    max_size=40,
).filter(lambda records: any(not other for *_, other in records))


def expected(objects: dict, records: list, taken: float) -> dict:
    """The profile's figures computed record by record, object by object."""
    lm = {key(i): int(TAKEN.timestamp()) - before for i, (_, before, _) in objects.items()}
    size = {key(i): s for i, (s, _, _) in objects.items()}
    ours = [r for r in records if not r[4]]
    times = [int(TAKEN.timestamp()) - before for _, before, *_ in ours]
    start, end = min(times), max(times)
    ages = max(max(0, math.floor((taken - t) / DAY)) for t in lm.values()) + 1
    out = {k: np.zeros(ages) for k in ("large_objects", "large_bytes", "small_objects",
                                       "small_bytes", "exposure", "exposure_bytes", "gets",
                                       "heads", "read_bytes", "invalid_object_state",
                                       "read_days", "read_days_bytes")}  # fmt: skip
    classes: dict = defaultdict(lambda: np.zeros(ages))
    for i, (s, _, cls) in objects.items():
        k = key(i)
        age = max(0, math.floor((taken - lm[k]) / DAY))
        group = "large" if s >= LARGE else "small"
        out[f"{group}_objects"][age] += 1
        out[f"{group}_bytes"][age] += s
        if s >= LARGE:
            classes[cls][age] += 1
            lo, hi = max(0, (start - lm[k]) // DAY), (end - lm[k]) // DAY
            for a in range(lo, min(hi, ages - 1) + 1):
                out["exposure"][a] += 1
                out["exposure_bytes"][a] += s
    reads = matched = small = 0
    days: set = set()
    for i, before, op, (status, error, sent), _ in ours:
        if op == "REST.PUT.OBJECT":
            continue
        reads += 1
        k, t = key(i), int(TAKEN.timestamp()) - before
        if k not in lm or lm[k] > t:
            continue
        matched += 1
        age = (t - lm[k]) // DAY
        at = min(age, ages - 1)
        get, ok = op != "REST.HEAD.OBJECT", 200 <= status < 400
        archived = error == "InvalidObjectState"
        if size[k] < LARGE:
            small += ok
            continue
        out["gets"][at] += get and ok
        out["heads"][at] += not get and ok
        out["read_bytes"][at] += sent if get and ok and sent != "-" else 0
        out["invalid_object_state"][at] += archived
        if get and (ok or archived):
            days.add((k, age))
    for k, age in days:
        out["read_days"][min(age, ages - 1)] += 1
        out["read_days_bytes"][min(age, ages - 1)] += size[k]
    histogram: dict = defaultdict(lambda: [0, 0])
    for s, _, _ in objects.values():
        edge = max(e for e in SIZE_EDGES if e <= s)
        histogram[edge][0] += 1
        histogram[edge][1] += s
    out.update(
        classes=dict(classes),
        unmatched_reads=reads - matched,
        small_requests_per_day=small / max((end - start) / DAY, 1 / 24),
        size_histogram=[
            {"from_bytes": e, "objects": n, "bytes": b} for e, (n, b) in sorted(histogram.items())
        ],
    )
    return out


def write_bucket(root, objects: dict, records: list, taken_ms: int):
    rows = [
        (key(i), s, TAKEN - dt.timedelta(seconds=before), cls)
        for i, (s, before, cls) in objects.items()
    ]
    manifest = write_inventory(root, rows)
    data = json.loads(manifest.read_text())
    data["creationTimestamp"] = str(taken_ms)
    manifest.write_text(json.dumps(data))
    logs = root / "logs"
    logs.mkdir()
    lines = [
        log_line(key(i), TAKEN - dt.timedelta(seconds=before), op=op, status=status, error=error,
                 sent=sent, bucket="other" if other else "src")
        for i, before, op, (status, error, sent), other in records
    ]  # fmt: skip
    for n in range(2):  # two deliveries
        (logs / f"2026-11-01-0{n}").write_text("".join(line + "\n" for line in lines[n::2]))
    return manifest, logs


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    objects=objects_st,
    records=records_st,
    millis=st.integers(0, 999),
    batch=st.sampled_from([None, 1, 3]),
)
def test_profile_matches_its_definitions_record_by_record(
    tmp_path_factory, monkeypatch, objects, records, millis, batch
):
    root = tmp_path_factory.mktemp("bucket")
    taken_ms = int(TAKEN.timestamp()) * 1000 + millis
    manifest, logs = write_bucket(root, objects, records, taken_ms)
    if batch is not None:  # batches of a few rows: nothing may depend on where a batch ends
        monkeypatch.setattr(read_log, "BATCH_ROWS", batch)
        monkeypatch.setattr(inventory, "TALLY_ROWS", batch)
    profile = read_bucket(manifest, access_logs=logs)
    want = expected(objects, records, taken_ms / 1000)
    for name, value in want.items():
        got = getattr(profile, name)
        if isinstance(value, np.ndarray):
            assert got.tolist() == value.tolist(), name
        elif isinstance(value, dict):
            assert {c: v.tolist() for c, v in got.items()} == {
                c: v.tolist() for c, v in value.items()
            }, name
        elif isinstance(value, float):
            assert got == pytest.approx(value), name
        else:
            assert got == value, name


def test_a_log_time_in_another_zone_is_the_same_instant(tmp_path):
    manifest = write_inventory(
        tmp_path, [("k", 5_000_000, TAKEN - 10 * dt.timedelta(days=1), "STANDARD")]
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    utc = log_line("k", TAKEN - dt.timedelta(hours=30))
    local = utc.replace("30/Oct/2026:18:00:00 +0000", "30/Oct/2026:19:30:00 +0130")
    assert local != utc
    (logs / "a").write_text(utc + "\n" + local.replace("REST.GET", "REST.HEAD") + "\n")
    profile = read_bucket(manifest, access_logs=logs)
    assert profile.gets[8] == profile.heads[8] == 1
    bad = utc.replace("+0000]", "+00:00]")
    (logs / "a").write_text(utc + "\n" + bad + "\n")
    assert read_bucket(manifest, access_logs=logs).notes[0].startswith("1 log lines matched no")


@given(st.lists(st.integers(0, 2**64 - 1), max_size=300), st.integers(0, 63))
def test_hash_order_sorts_hashes_even_when_their_high_bits_tie(values, shift):
    hashes = np.array([v >> shift << shift for v in values], dtype=np.uint64)  # low bits zero
    order = hash_order(hashes)
    assert sorted(order.tolist()) == list(range(len(hashes)))
    assert hashes[order].tolist() == sorted(hashes.tolist())
