"""The SQL kept in `optimizers/billing/sql/`, one file per question, and how a query is composed.

A question reads `billing_rows`; `compose` puts the format's row mapping in front of it as a CTE
over `{source}` (a DuckDB file scan, or an Athena table), so DuckDB and Athena run the same text.
The SQL is written with functions both engines have; DuckDB lacks only Trino's `regexp_like`, which
`DUCKDB_COMPAT` defines as a macro.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from optimizers.billing.formats import Layout

SQL_DIR = Path(__file__).with_name("sql")
DUCKDB_COMPAT = ("CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)",)


@cache
def sql_text(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def compose(question: str, layout: Layout, source: str, **params: str) -> str:
    """The full query text of `question` (a file name in sql/) over `source` in this layout.

    `params` fill the `{placeholders}` (identifiers and expressions built by the caller from a
    closed list, never user text); `tag_expr` (the value of one resource tag) defaults to NULL,
    `ordered` (what orders the rows an aggregate collects into an array) to nothing.
    """
    params = {"tag_expr": "CAST(NULL AS VARCHAR)", "ordered": "", **params, "source": source}
    rows = _strip_comments(sql_text(layout.format.rows_sql))
    body = _strip_comments(sql_text(question))
    for key, value in params.items():
        rows = rows.replace("{" + key + "}", value)
        body = body.replace("{" + key + "}", value)
    if body.lstrip().upper().startswith("WITH "):
        body = body.lstrip()[len("WITH ") :]
        return f"WITH billing_rows AS (\n{rows}\n),\n{body}"
    return f"WITH billing_rows AS (\n{rows}\n)\n{body}"
