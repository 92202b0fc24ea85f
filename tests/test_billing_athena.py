"""The same SQL on Amazon Athena, through botocore's Stubber with the API's real response shapes."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from optimizers.billing.athena import AthenaBilling
from optimizers.billing.errors import BillingInputError
from optimizers.billing.formats import detect
from optimizers.billing.queries import sql_text
from optimizers.billing.usage import read_hourly_usage

COLUMNS = ["chargeperiodstart", "chargeperiodend", "chargecategory", "servicename", "regionid",
           "consumedquantity", "consumedunit", "listunitprice", "listcost", "effectivecost",
           "billedcost", "chargedescription", "x_usagetype"]  # fmt: skip
HOURLY = ["is_instance", "instance_type", "region", "purchase", "sku", "problem", "rows", "hours",
          "quantities", "on_demand_rate", "tag_value", "max_minutes", "first_start",
          "last_end"]  # fmt: skip
TYPES = ["boolean", "varchar", "varchar", "varchar", "varchar", "varchar", "bigint", "array",
         "array", "double", "varchar", "bigint", "timestamp", "timestamp"]  # fmt: skip
EPOCH_HOUR = 479_208  # 2024-09-01 00:00 UTC in hours since 1970


def metadata(names, types):
    return {
        "ColumnInfo": [
            {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": n, "Label": n,
             "Type": t, "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": False}
            for n, t in zip(names, types, strict=True)
        ]
    }  # fmt: skip


def row(values):
    return {"Data": [{} if v is None else {"VarCharValue": v} for v in values]}


def expect_query(stub, qid, states=("RUNNING", "SUCCEEDED"), reason=None):
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": qid},
        {
            "QueryString": ANY,
            "QueryExecutionContext": {"Database": "cur"},
            "ResultConfiguration": {"OutputLocation": "s3://athena-results/aeon/"},
        },
    )
    for state in states:
        status = {"State": state}
        if reason and state == "FAILED":
            status["StateChangeReason"] = reason
        stub.add_response(
            "get_query_execution",
            {"QueryExecution": {"QueryExecutionId": qid, "Status": status}},
            {"QueryExecutionId": qid},
        )


def test_hourly_usage_on_athena_with_paging():
    client = boto3.client("athena", region_name="us-east-1")
    sleeps = []
    with Stubber(client) as stub:
        expect_query(stub, "q-columns", states=("SUCCEEDED",))
        stub.add_response(
            "get_query_results",
            {"ResultSet": {"Rows": [row(COLUMNS)],
                           "ResultSetMetadata": metadata(COLUMNS, ["varchar"] * len(COLUMNS))}},
            {"QueryExecutionId": "q-columns", "MaxResults": 1000},
        )  # fmt: skip
        expect_query(stub, "q-hourly", states=("QUEUED", "RUNNING", "SUCCEEDED"))
        first = [
            row(HOURLY),
            row(["true", "p5.48xlarge", "us-east-1", "on-demand", "S", None, "2",
                 f"[{EPOCH_HOUR}, {EPOCH_HOUR}]", "[2.0, 1.0]", "55.04", None, "60",
                 "2024-09-01 00:00:00.000", "2024-09-01 01:00:00.000"]),
        ]  # fmt: skip
        second = [
            row(["true", "p5.48xlarge", "us-east-1", "committed", "S", None, "1",
                 f"[{EPOCH_HOUR + 2}]", "[1.0]", "55.04", None, "60", "2024-09-01 02:00:00.000",
                 "2024-09-01 03:00:00.000"]),
            row(["false", None, None, None, None, None, "5", None, None, None, None, None,
                 "2024-09-01 00:00:00.000", "2024-09-01 04:00:00.000"]),
        ]  # fmt: skip
        stub.add_response(
            "get_query_results",
            {"ResultSet": {"Rows": first, "ResultSetMetadata": metadata(HOURLY, TYPES)},
             "NextToken": "page-2"},
            {"QueryExecutionId": "q-hourly", "MaxResults": 1000},
        )  # fmt: skip
        stub.add_response(
            "get_query_results",
            {"ResultSet": {"Rows": second, "ResultSetMetadata": metadata(HOURLY, TYPES)}},
            {"QueryExecutionId": "q-hourly", "MaxResults": 1000, "NextToken": "page-2"},
        )  # fmt: skip
        source = AthenaBilling(
            client, database="cur", table="focus_export", output="s3://athena-results/aeon/",
            sleep=sleeps.append,
        )  # fmt: skip
        assert source.layout.format == "focus-1.0"
        usage = read_hourly_usage(source)
        stub.assert_no_pending_responses()
    assert sleeps == [1.0, 1.0]  # polled while QUEUED and RUNNING
    assert usage.hours == 4
    [p5] = usage.series
    assert p5.on_demand.tolist() == [3, 0, 0, 0] and p5.committed.tolist() == [0, 0, 1, 0]
    assert p5.on_demand_rate == pytest.approx(55.04)


def test_the_query_athena_runs_is_the_sql_file():
    source = AthenaBilling.__new__(AthenaBilling)  # no client: only the composed text matters
    source.database, source.table, source.label = "cur", "focus_export", "athena:cur.focus_export"
    source.layout = detect(COLUMNS, "athena")
    sent = []
    source.run = lambda sql: sent.append(sql) or (HOURLY, [])
    with pytest.raises(BillingInputError, match="holds no usage rows"):
        read_hourly_usage(source)
    text = sent[0]
    assert 'FROM "cur"."focus_export"' in text and "CAST(NULL AS VARCHAR) AS ProviderName" in text
    assert "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12" in text and "regexp_like" in text
    # Trino keeps no order in array_agg: both arrays are ordered by hour on Athena
    assert "array_agg(hour ORDER BY hour)" in text and "array_agg(quantity ORDER BY hour)" in text
    assert "{ordered}" in sql_text("hourly_usage.sql")


def test_failed_query_is_an_input_error():
    client = boto3.client("athena", region_name="us-east-1")
    with Stubber(client) as stub:
        expect_query(stub, "q1", states=("FAILED",),
                     reason="TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.cur.nope' does not exist")  # fmt: skip  # noqa: E501
        with pytest.raises(
            BillingInputError, match="athena:cur.nope: Athena query q1 FAILED: TABLE_NOT_FOUND"
        ):  # noqa: E501
            AthenaBilling(client, database="cur", table="nope", output="s3://athena-results/aeon/",
                          sleep=lambda s: None)  # fmt: skip


def test_refused_query_and_bad_names():
    client = boto3.client("athena", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error(
            "start_query_execution", "InvalidRequestException", "Database cur does not exist"
        )
        with pytest.raises(BillingInputError, match="InvalidRequestException"):
            AthenaBilling(client, database="cur", table="t", output="s3://athena-results/aeon/")
    with pytest.raises(BillingInputError, match="--athena-table"):
        AthenaBilling(client, database="cur", table="t; DROP", output="s3://b/")
    with pytest.raises(BillingInputError, match="--athena-output"):
        AthenaBilling(client, database="cur", table="t", output="/tmp/out")
