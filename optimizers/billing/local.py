"""Billing exports on this machine, queried in place with DuckDB: CSV, CSV.gz or Parquet.

`--billing` may name one file, a folder of export parts (every CSV, CSV.gz and Parquet file under
it, as AWS Data Exports writes them) or a glob. CSV is read as text and every number and time is
parsed by the SQL with TRY_CAST, so a bad value never aborts a scan: the query reports which
column failed and `locate_problem` finds the first file and line that holds it.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from optimizers.billing.errors import BillingInputError
from optimizers.billing.formats import Layout, detect
from optimizers.billing.queries import DUCKDB_COMPAT, compose
from optimizers.billing.tags import tag_expression

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.zst")
PARQUET_SUFFIXES = (".parquet",)
NULLS = "['', 'NULL', 'null']"  # FOCUS samples write SQL's NULL as text


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _kind(path: str) -> str | None:
    lower = path.lower()
    if lower.endswith(CSV_SUFFIXES):
        return "csv"
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


def find_files(spec: str | Path) -> tuple[str, list[str]]:
    """(kind, files) named by a file, a folder or a glob; BillingInputError when none is usable."""
    text = str(spec)
    path = Path(text)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.is_file() and _kind(str(p)))
    elif any(ch in text for ch in "*?["):
        found = sorted(p for p in glob.glob(text, recursive=True) if _kind(p))
    elif path.is_file():
        if _kind(text) is None:
            raise BillingInputError(
                "not a CSV, CSV.gz or Parquet file (name it .csv, .csv.gz or .parquet)", path=text
            )
        found = [text]
    else:
        raise BillingInputError("no such file or folder", path=text)
    if not found:
        raise BillingInputError("holds no .csv, .csv.gz or .parquet file", path=text)
    kinds = {_kind(f) for f in found}
    if len(kinds) > 1:
        raise BillingInputError("mixes CSV and Parquet files; point at one export", path=text)
    return kinds.pop() or "csv", found


class LocalBilling:
    """One export (one or many files of one format) that the billing questions run against."""

    def __init__(self, spec: str | Path, *, extra_columns: Sequence[str] = ()):
        self.label = str(spec)
        self.kind, self.files = find_files(spec)
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")  # stdout carries only the result
        for statement in DUCKDB_COMPAT:
            self.con.execute(statement)
        columns = self._columns()
        self.layout: Layout = detect([c for c, _ in columns], self.label)
        self.column_types = {
            sql: typ for sql, (_, typ) in zip(self.layout.names, columns, strict=True)
        }
        self.source_names = dict(zip(self.layout.names, (c for c, _ in columns), strict=True))
        self.extra_columns = tuple(extra_columns)

    # --- scanning ------------------------------------------------------------------------------

    def _scan(self, *, filename: bool = False) -> str:
        files = "[" + ", ".join(_literal(f) for f in self.files) + "]"
        more = ", filename = true" if filename else ""
        # export parts may differ in columns; one file needs no union (it costs a CSV scan ~6%)
        more += ", union_by_name = true" if len(self.files) > 1 else ""
        if self.kind == "parquet":
            return f"read_parquet({files}{more})"
        return f"read_csv({files}, header = true, all_varchar = true, nullstr = {NULLS}{more})"

    def _columns(self) -> list[tuple[str, str]]:
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {self._scan()}").fetchall()
        except duckdb.Error as exc:
            raise BillingInputError(_first_line(exc), path=self.label) from None
        return [(row[0], row[1]) for row in described]

    def source(self) -> str:
        """The scan as a relation with the SQL's column names; missing optional columns NULL."""
        picked = [
            f"{_quote(orig)} AS {_quote(sql)}" if orig != sql else _quote(sql)
            for sql, orig in self.source_names.items()
        ]
        picked += [f"CAST(NULL AS VARCHAR) AS {_quote(c)}" for c in self.layout.missing_optional]
        return f"(SELECT {', '.join(picked)} FROM {self._scan()}) AS src"

    def query(self, question: str, **params: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """(column names, rows) of a question file run over this export."""
        text = compose(question, self.layout, self.source(), **params)
        try:
            cursor = self.con.execute(text)
            rows = cursor.fetchall()
        except duckdb.Error as exc:
            raise BillingInputError(_first_line(exc), path=self.label) from None
        return [d[0] for d in cursor.description], rows

    def query_arrays(self, question: str, **params: str) -> dict[str, np.ndarray]:
        """A question's result as one numpy array per column, masked where SQL says NULL."""
        text = compose(question, self.layout, self.source(), **params)
        try:
            found = self.con.execute(text).fetchnumpy()
        except duckdb.Error as exc:
            raise BillingInputError(_first_line(exc), path=self.label) from None
        return {k: np.ma.asarray(v) for k, v in found.items()}

    def tag_expression(self, key: str) -> str:
        """DuckDB SQL for the value of resource tag `key` in this export's own tag columns."""
        return tag_expression(self.layout, self.column_types, key, "duckdb")

    def locate_problem(self, column: str) -> BillingInputError:
        """The error for the first value of `column` (its SQL name) that does not parse."""
        orig = self.source_names.get(column, column)
        as_type = "TIMESTAMP" if "date" in column.lower() or "Period" in column else "DOUBLE"
        text = (
            f"SELECT filename, n, v FROM (SELECT filename, row_number() OVER (PARTITION BY "
            f"filename) AS n, CAST({_quote(orig)} AS VARCHAR) AS v, "
            f"TRY_CAST({_quote(orig)} AS {as_type}) AS parsed FROM {self._scan(filename=True)}) "
            "WHERE parsed IS NULL ORDER BY filename, n LIMIT 1"
        )
        found = self.con.execute(text).fetchone()
        if found is None:
            return BillingInputError("a value does not parse", path=self.label, column=orig)
        file, n, value = found
        what = "missing" if value is None else f"{value[:40]!r} is not a {as_type.lower()}"
        if self.kind == "csv":  # the header is line 1
            return BillingInputError(
                f"{what}; fix or drop that row and run again", path=file, line=n + 1, column=orig
            )
        return BillingInputError(
            f"row {n}: {what}; fix or drop that row and run again", path=file, column=orig
        )


def _first_line(exc: Exception) -> str:
    """DuckDB's message in one line (its first two lines say what and where), kept short."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = " ".join(lines[:2]) if lines else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
