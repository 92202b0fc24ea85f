"""A bucket's reads as compact arrays grouped by key, and how its log source's records read.

A reader (server access logs, CloudTrail) gives one SQL query with a row per record:

- `source`: 0 unreadable, 1 another bucket's, 2 this bucket's;
- `t`: Unix seconds;
- `flags`: NULL or 0 unless the record is a read of a key of this bucket, else `GET` or `HEAD`,
  with `OK` (it succeeded) and `ARCHIVED` (refused with InvalidObjectState: an archived object
  read without a restore);
- `h`: the key's 64-bit hash (what reads meet the inventory's objects on);
- `bytes_sent`.

`collect_reads` streams it from its own DuckDB database in small record batches, counts the
records, keeps the reads only and closes the database (what DuckDB used to parse the files goes
back before the reads are sorted). The reads are then grouped by key hash: per read 13 bytes, per
distinct key 16.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

GET, HEAD, OK, ARCHIVED = 1, 2, 4, 8  # `flags` bits
THIS_BUCKET, OTHER_BUCKET = 2, 1  # `source` codes; 0 is unreadable
# Rows per record batch streamed out of DuckDB: each engine thread builds one, so small batches
# keep its buffers small (1M rows cost about 70 MB more at the peak than 64k).
BATCH_ROWS = 1 << 16
COLUMNS = {"h": np.uint64, "t": np.uint32, "flags": np.uint8, "bytes_sent": np.int64}
STREAM_ERRORS = (duckdb.Error, OSError, pa.ArrowException)  # a failed stream raises OSError


def connect() -> duckdb.DuckDBPyConnection:
    """A database of its own for one pass over files: closing it returns its memory."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")  # order is never used: less memory
    con.execute("SET enable_progress_bar = false")  # stderr is ours
    return con


def batches(
    con: duckdb.DuckDBPyConnection, query: str, params: list | None = None, rows: int = BATCH_ROWS
) -> Iterator[dict[str, np.ndarray]]:
    """`query`'s rows as dicts of numpy arrays of about `rows` rows (BATCH_ROWS at a time out of
    DuckDB, joined up to `rows`)."""
    pending: list[pa.RecordBatch] = []
    for batch in con.sql(query, params=params).to_arrow_reader(BATCH_ROWS):
        pending.append(batch)
        if sum(b.num_rows for b in pending) >= rows:
            yield _numpy(pending)
            pending = []
    if pending:
        yield _numpy(pending)


def _numpy(pending: list[pa.RecordBatch]) -> dict[str, np.ndarray]:
    table = pa.Table.from_batches(pending)
    return {n: table.column(n).to_numpy() for n in table.column_names}


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


@dataclass(frozen=True)
class ReadLog:
    """The bucket's reads grouped by key: the reads of `keys[i]` are `starts[i]:starts[i + 1]`
    of `t`, `flags` and `bytes_sent` (in no particular order within a key)."""

    summary: ReadsSummary
    keys: np.ndarray  # uint64 key hashes, sorted, distinct
    starts: np.ndarray  # int64, len(keys) + 1
    t: np.ndarray  # uint32 Unix seconds
    flags: np.ndarray  # uint8
    bytes_sent: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.t)


def decoded_key(column: str) -> str:
    """SQL for an object key as S3 stores it, from the URL-encoded form that CSV inventories and
    access logs write (a space may come as '+', a literal '+' as %2B). Each step runs only on keys
    that need it: most keys hold neither '+' nor '%', and decoding costs more than reading them."""
    plus = f"CASE WHEN contains({column}, '+') THEN replace({column}, '+', ' ') ELSE {column} END"
    return f"CASE WHEN contains({column}, '%') THEN url_decode({plus}) ELSE {plus} END"


def record_query(select: str) -> str:
    """The reader's per-record rows (`select` names `source`, `t`, `flags`, `h` and
    `bytes_sent`; NULLs allowed) in the types `collect_reads` expects."""
    return f"""SELECT source::UTINYINT AS source, coalesce(t, 0)::UINTEGER AS t,
                      CASE WHEN source = {THIS_BUCKET} THEN coalesce(flags, 0) ELSE 0 END::UTINYINT
                      AS flags, coalesce(h, 0)::UBIGINT AS h,
                      coalesce(bytes_sent, 0)::BIGINT AS bytes_sent
               FROM ({select}) AS records"""


def collect_reads(query: str, params: list, source: str, rejected: str | None = None) -> ReadLog:
    """Stream `query` (see `record_query`) and keep the reads. `rejected`: a query run after the
    stream that counts the records the reader's parser rejected (unreadable too). Raises what a
    failed stream raises (`STREAM_ERRORS`)."""
    counts = np.zeros(3, np.int64)
    start, end = np.iinfo(np.uint32).max, 0
    kept: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}
    with connect() as con:
        for columns in batches(con, record_query(query), params):
            origin = columns["source"]
            counts += np.bincount(origin, minlength=3)[:3]
            ours = columns["t"][origin == THIS_BUCKET]
            if ours.size:
                start, end = min(start, int(ours.min())), max(end, int(ours.max()))
            read = columns["flags"] != 0
            for name, parts in kept.items():
                parts.append(columns[name][read])
        if rejected is not None:
            counts[0] += con.execute(rejected).fetchall()[0][0]
    summary = ReadsSummary(
        source, lines=int(counts[THIS_BUCKET]), unparsed=int(counts[0]),
        other_buckets=int(counts[OTHER_BUCKET]), window_start=float(start), window_end=float(end),
    )  # fmt: skip
    return _grouped(summary, kept)


def _grouped(summary: ReadsSummary, kept: dict[str, list[np.ndarray]]) -> ReadLog:
    # One column at a time, so that at most one column exists twice.
    columns = {n: np.concatenate([np.zeros(0, COLUMNS[n]), *kept.pop(n)]) for n in list(kept)}
    order = hash_order(columns["h"])
    for name in columns:
        columns[name] = np.take(columns[name], order)
    del order
    h = columns.pop("h")
    new = np.ones(h.size, bool)
    new[1:] = h[1:] != h[:-1]
    starts = np.flatnonzero(new)
    return ReadLog(summary, keys=h[starts], starts=np.append(starts, len(h)), **columns)


def hash_order(h: np.ndarray, exact: bool = True) -> np.ndarray:
    """The permutation that sorts the 64-bit hashes `h`. numpy sorts plain integers several times
    faster than it argsorts, so each hash's low bits give way to its index and the hashes are
    sorted by their high bits; `exact`: the few runs of hashes that share those high bits are then
    put in order by the whole hash."""
    bits = max(1, len(h).bit_length())
    low = np.uint64((1 << bits) - 1)
    packed = (h & ~low) | np.arange(len(h), dtype=np.uint64)
    packed.sort()
    order = (packed & low).astype(np.intp)
    if not exact:
        return order
    high = packed >> np.uint64(bits)
    tied = np.flatnonzero(high[1:] == high[:-1])
    if tied.size:
        at = np.unique(np.concatenate([tied, tied + 1]))  # positions in runs of equal high bits
        run = np.cumsum(np.append(True, np.diff(at) > 1))
        at_order = order[at]
        order[at] = at_order[np.lexsort((np.take(h, at_order), run))]
    return order
