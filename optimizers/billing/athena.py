"""Billing exports too large for one machine: the same SQL files, run by Amazon Athena.

`StartQueryExecution`, then `GetQueryExecution` until the query leaves QUEUED/RUNNING, then
`GetQueryResults` page by page (the first row of a SELECT's first page is the header). The table's
columns come from a `LIMIT 0` query's metadata, so the format is detected and missing optional
columns are added as NULLs exactly as for local files. Athena (Trino) resolves identifiers without
regard to case, so the SQL's `ChargePeriodStart` finds the Glue column `chargeperiodstart`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np

from optimizers.billing.errors import BillingInputError
from optimizers.billing.formats import Layout, detect
from optimizers.billing.queries import compose
from optimizers.billing.tags import tag_expression

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OUTPUT = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$")
DONE = {"SUCCEEDED", "FAILED", "CANCELLED"}
NUMBER_TYPES = {"double", "float", "real", "decimal"}
INTEGER_TYPES = {"bigint", "integer", "int", "smallint", "tinyint"}


def _convert(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    kind = kind.lower()
    if kind.startswith("array"):  # numbers only in our questions: "[1, 2.5, 3]"
        inner = value.strip()[1:-1].strip()
        return np.array(inner.split(","), dtype=float) if inner else np.zeros(0)
    if kind in NUMBER_TYPES or kind.startswith("decimal"):
        return float(value)
    if kind in INTEGER_TYPES:
        return int(value)
    if kind == "boolean":
        return value.lower() == "true"
    if kind.startswith("timestamp"):
        return datetime.fromisoformat(value.replace(" UTC", "").rstrip("Z"))
    return value


class AthenaBilling:
    """A billing table in the Glue catalog, queried through an Athena client (boto3)."""

    def __init__(
        self,
        client: Any,
        *,
        database: str,
        table: str,
        output: str,
        workgroup: str | None = None,
        poll_s: float = 1.0,
        timeout_s: float = 1800.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        for name, value in (("--athena-database", database), ("--athena-table", table)):
            if not IDENTIFIER.match(value):
                raise BillingInputError(
                    f"{name} {value!r} is not a Glue name (letters, digits and underscores)"
                )
        if not OUTPUT.match(output):
            raise BillingInputError(
                f"--athena-output {output!r} is not an S3 location (s3://bucket/prefix/)"
            )
        self.client, self.database, self.table = client, database, table
        self.output, self.workgroup = output, workgroup
        self.poll_s, self.timeout_s, self.sleep = poll_s, timeout_s, sleep
        self.label = f"athena:{database}.{table}"
        names, kinds, _ = self.run_typed(f'SELECT * FROM "{database}"."{table}" LIMIT 0')
        self.layout: Layout = detect(names, self.label)
        self.column_types = dict(zip(self.layout.names, kinds, strict=True))

    def source(self) -> str:
        nulls = "".join(f", CAST(NULL AS VARCHAR) AS {c}" for c in self.layout.missing_optional)
        return f'(SELECT *{nulls} FROM "{self.database}"."{self.table}") AS src'

    def query(self, question: str, **params: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        # Trino promises no order of the rows an array_agg collects: order them alike.
        params = {"ordered": "ORDER BY hour", **params}
        return self.run(compose(question, self.layout, self.source(), **params))

    def tag_expression(self, key: str) -> str:
        """Trino SQL for the value of resource tag `key` (map columns, or JSON text)."""
        return tag_expression(self.layout, self.column_types, key, "athena")

    def locate_problem(self, column: str) -> BillingInputError:
        return BillingInputError(
            "holds values that do not parse; find them with "
            f"SELECT * FROM {self.table} WHERE TRY_CAST({column} AS DOUBLE) IS NULL",
            path=self.label,
            column=column,
        )

    # --- the three Athena calls ----------------------------------------------------------------

    def run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        names, _, rows = self.run_typed(sql)
        return names, rows

    def run_typed(self, sql: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        """(column names, their Athena types, rows)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self._run(sql)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise BillingInputError(
                f"Athena refused the query: {error.get('Code')}: {error.get('Message')}",
                path=self.label,
            ) from None
        except BotoCoreError as exc:
            raise BillingInputError(f"cannot reach Athena: {exc}", path=self.label) from None

    def _run(self, sql: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        start: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.database},
            "ResultConfiguration": {"OutputLocation": self.output},
        }
        if self.workgroup:
            start["WorkGroup"] = self.workgroup
        query_id = self.client.start_query_execution(**start)["QueryExecutionId"]
        waited = 0.0
        while True:
            status = self.client.get_query_execution(QueryExecutionId=query_id)
            state = status["QueryExecution"]["Status"]
            if state["State"] in DONE:
                break
            if waited >= self.timeout_s:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                raise BillingInputError(
                    f"query {query_id} still {state['State']} after {self.timeout_s:g} s; stopped",
                    path=self.label,
                )
            self.sleep(self.poll_s)
            waited += self.poll_s
        if state["State"] != "SUCCEEDED":
            reason = state.get("StateChangeReason") or state.get("AthenaError", {}).get(
                "ErrorMessage", "no reason given"
            )
            raise BillingInputError(
                f"Athena query {query_id} {state['State']}: {reason}", path=self.label
            )
        return self._results(query_id)

    def _results(self, query_id: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        names: list[str] = []
        kinds: list[str] = []
        rows: list[tuple[Any, ...]] = []
        kwargs: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": 1000}
        first = True
        while True:
            page = self.client.get_query_results(**kwargs)
            result = page["ResultSet"]
            if first:
                info = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                names = [c["Name"] for c in info]
                kinds = [c["Type"] for c in info]
            data = result.get("Rows", [])
            if first and data:
                data = data[1:]  # a SELECT's first row repeats the column names
            first = False
            for row in data:
                cells = [d.get("VarCharValue") for d in row.get("Data", [])]
                rows.append(tuple(_convert(v, k) for v, k in zip(cells, kinds, strict=True)))
            token = page.get("NextToken")
            if not token:
                return names, kinds, rows
            kwargs["NextToken"] = token
