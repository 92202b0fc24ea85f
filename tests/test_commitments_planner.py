"""`aeon recommend --planner commitments` end to end: FOCUS and CUR exports in, one `commit` per
instance type x region and one for the Compute Savings Plan out, in the issue's shapes, priced by
hand below; the same through Athena (botocore's Stubber); bad input is exit 2 with nothing saved.

The export: 10 days of p5.48xlarge in us-east-1 (4 an hour from 08:00 to 18:59, 2 otherwise, one
of them always covered by a savings plan held) and 3 c5.large in eu-west-1, plus S3 rows.
On-demand usage left to plan on: p5 3 in 11 hours a day and 1 in 13; c5 3 every hour.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from aeon.cli import invoke
from optimizers.recommendation import load, recommendations_path
from tests.billing.exports import (
    LEGACY_CUR,
    cur_row,
    focus_columns,
    focus_row,
    write_csv,
)
from tests.helpers import run_json
from tests.test_billing_athena import EPOCH_HOUR, HOURLY, TYPES, metadata, row
from tests.test_billing_readers import SAMPLE

REPO = Path(__file__).resolve().parents[1]
DAYS, P5, C5 = 10, 55.0, 0.1
RATES = """type,instance_type,region,term,payment,usd_per_hour
reserved-instance,p5.48xlarge,us-east-1,1y,no-upfront,33.0
reserved-instance,p5.48xlarge,us-east-1,3y,all-upfront,22.0
reserved-instance,c5.large,eu-west-1,1y,no-upfront,0.07
compute-savings-plan,p5.48xlarge,us-east-1,1y,no-upfront,38.5
compute-savings-plan,c5.large,eu-west-1,1y,no-upfront,0.08
"""


def busy(hour: int) -> bool:
    return 8 <= hour % 24 <= 18


def focus_export(path: Path, days: int = DAYS) -> Path:
    rows = []
    for h in range(24 * days):
        p5 = "USE1-BoxUsage:p5.48xlarge"
        rows.append(focus_row(h, "p5.48xlarge", 3 if busy(h) else 1, P5, usage_type=p5))
        rows.append(focus_row(h, "p5.48xlarge", 1, P5, usage_type=p5, purchase="Committed"))
        rows.append(focus_row(h, "c5.large", 3, C5, region="eu-west-1",
                              usage_type="EUW1-BoxUsage:c5.large"))  # fmt: skip
        rows.append(focus_row(h, None, 40, 0.023, service="Amazon Simple Storage Service",
                              unit="GB-Months", usage_type="TimedStorage-ByteHrs"))  # fmt: skip
    return write_csv(path, rows, focus_columns(rows))


def cur_export(path: Path) -> Path:
    rows = []
    for h in range(24 * DAYS):
        rows.append(cur_row(h, "p5.48xlarge", 3 if busy(h) else 1, P5))
        rows.append(cur_row(h, "p5.48xlarge", 1, P5, kind="SavingsPlanCoveredUsage"))
        rows.append(cur_row(h, "c5.large", 3, C5, region="eu-west-1", prefix="EUW1-"))
        rows.append(cur_row(h, "x", 40, 0.023, product="AmazonS3"))
    return write_csv(path, rows, LEGACY_CUR)


@pytest.fixture
def project(tmp_path):
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "rates.csv").write_text(RATES)
    return tmp_path


def recommend(root: Path, *extra: str) -> list[str]:
    return ["recommend", "--stack", "prod", "--planner", "commitments", "--cwd", str(root),
            "--format", "json", *extra]  # fmt: skip


def by_target(doc: dict) -> dict[str, dict]:
    return {r["target"]: r for r in doc["recommendations"]}


COMMITMENT = {"type", "instance_type", "region", "term", "payment", "units", "usd_per_hour"}
EVIDENCE = {"hours", "demand", "cost_usd_over_window", "cost_without_commitment_usd", "coverage",
            "utilization", "break_even_hours_per_month", "options", "heuristic"}  # fmt: skip


def test_focus_export_with_rates_priced_by_hand(project):
    billing = focus_export(project / "focus.csv")
    doc = run_json(*recommend(project, "--billing", str(billing), "--rates",
                                     str(project / "rates.csv")))  # fmt: skip
    recs = by_target(doc)
    assert set(recs) == {"p5.48xlarge@us-east-1", "c5.large@eu-west-1", "compute-savings-plan"}
    for rec in recs.values():
        assert rec["kind"] == "commit"
        assert set(rec["proposed"]["commitment"]) == COMMITMENT
        assert EVIDENCE <= set(rec["evidence"]["commitment"])
        assert rec["evidence"]["commitment"]["hours"] == 24 * DAYS  # the whole span
        assert not rec["evidence"]["estimate"]
    p5 = recs["p5.48xlarge@us-east-1"]
    # 3y all-upfront at 22 (0.4 of on-demand): 3 units pay, the usage above 1 runs 11/24 > 40%
    # of hours; cost 240 h x 3 x 22 = 15,840 against 55 x (110 h x 3 + 130 h x 1) = 25,300
    assert p5["proposed"]["commitment"] == {
        "type": "reserved-instance", "instance_type": "p5.48xlarge", "region": "us-east-1",
        "term": "3y", "payment": "all-upfront", "units": 3, "usd_per_hour": 66.0,
    }  # fmt: skip
    figures = p5["evidence"]["commitment"]
    assert figures["cost_usd_over_window"] == 15_840.0
    assert figures["cost_without_commitment_usd"] == 25_300.0
    assert figures["demand"] == {"min": 1.0, "mean": pytest.approx(460 / 240), "max": 3.0}
    assert figures["coverage"] == 1.0 and figures["utilization"] == pytest.approx(460 / 720)
    assert figures["break_even_hours_per_month"] == pytest.approx(730 * 0.4)
    # the 1y option commits 1 (33 > 55 x 11/24): 240 x 33 + 55 x 110 x 2 = 20,020
    options = {(o["term"], o["payment"]): o for o in figures["options"]}
    assert options[("1y", "no-upfront")]["units"] == 1
    assert options[("1y", "no-upfront")]["cost_usd_over_window"] == 20_020.0
    assert figures["heuristic"]["units"] == 3
    # money: the window scaled to 730 h a month, to the cent
    assert p5["monthly_cost_before_usd"] == round(25_300 * 730 / 240, 2)
    assert p5["monthly_cost_after_usd"] == round(15_840 * 730 / 240, 2)
    # the savings plan held covered one instance every hour: reported, not bought again
    assert p5["current"]["existing_covered_hours"] == 240.0
    assert p5["current"]["instance_hours"] == 700.0
    c5 = recs["c5.large@eu-west-1"]
    assert c5["proposed"]["commitment"]["units"] == 3
    assert c5["evidence"]["commitment"]["cost_usd_over_window"] == pytest.approx(50.4)
    # per-type commitments leave nothing on-demand: the plan on top buys nothing
    plan = recs["compute-savings-plan"]
    assert plan["proposed"]["commitment"]["instance_type"] is None
    assert plan["proposed"]["commitment"]["units"] is None
    assert plan["proposed"]["commitment"]["usd_per_hour"] == 0.0
    assert plan["monthly_saving_usd"] == 0.0
    assert "recommended: per-type commitments then this plan" in plan["evidence"]["notes"][0]
    saved = load(recommendations_path(project, "prod")).run("commitments")
    assert saved is not None and saved.source == "focus-1.0" and saved.inputs["rates"]


def test_lookback_narrows_the_window_and_estimates_are_labelled(project):
    billing = focus_export(project / "focus.csv")
    doc = run_json(*recommend(project, "--billing", str(billing), "--lookback", "7d"))
    for rec in doc["recommendations"]:
        assert rec["evidence"]["commitment"]["hours"] == 168
        assert rec["evidence"]["estimate"] is True
        assert rec["confidence"] == "medium" and rec["risk"]["level"] in ("high", "low")
    assert doc["options"]["lookback"] == "7d"


def test_legacy_cur_export_plans_alike(project):
    billing = cur_export(project / "cur.csv.gz")
    doc = run_json(*recommend(project, "--billing", str(billing), "--rates",
                                     str(project / "rates.csv")))  # fmt: skip
    assert doc["source"] == "cur-legacy"
    recs = by_target(doc)
    assert recs["p5.48xlarge@us-east-1"]["proposed"]["commitment"]["units"] == 3
    assert recs["p5.48xlarge@us-east-1"]["evidence"]["commitment"]["cost_usd_over_window"] == (
        15_840.0
    )
    assert recs["c5.large@eu-west-1"]["proposed"]["commitment"]["units"] == 3


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--lookback", "3d"], "need at least 168 h"),
        (["--lookback", "30m"], "use at least 1h"),
        (["--athena-database", "cur"], "not both"),
        (["--rates", "missing.csv"], "cannot read the rates file"),
    ],
)
def test_user_errors_exit_2_and_save_nothing(project, capsys, extra, message):
    billing = focus_export(project / "focus.csv")
    code = invoke(recommend(project, "--billing", str(billing), *extra))
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not recommendations_path(project, "prod").exists()


def test_not_a_billing_file_and_no_source(project, capsys):
    (project / "x.csv").write_text("a,b\n1,2\n")
    assert invoke(recommend(project, "--billing", str(project / "x.csv"))) == 2
    assert "neither FOCUS" in capsys.readouterr().err
    assert invoke(recommend(project)) == 2
    assert "pass --billing FILE" in capsys.readouterr().err
    assert invoke(recommend(project, "--athena-database", "cur", "--athena-table", "t")) == 2
    assert "--athena-output too" in capsys.readouterr().err
    assert not recommendations_path(project, "prod").exists()


# --- Amazon Athena through botocore's Stubber ---------------------------------------------------

COLUMNS = ["chargeperiodstart", "chargeperiodend", "chargecategory", "servicename", "regionid",
           "consumedquantity", "consumedunit", "listunitprice", "listcost", "effectivecost",
           "billedcost", "chargedescription", "x_usagetype", "pricingcategory"]  # fmt: skip


def _query(stub, qid, rows, names, types):
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": qid},
        {"QueryString": ANY, "QueryExecutionContext": {"Database": "billing"},
         "ResultConfiguration": {"OutputLocation": "s3://athena-results/aeon/"},
         "WorkGroup": "finops"},
    )  # fmt: skip
    stub.add_response(
        "get_query_execution",
        {"QueryExecution": {"QueryExecutionId": qid, "Status": {"State": "SUCCEEDED"}}},
        {"QueryExecutionId": qid},
    )
    stub.add_response(
        "get_query_results",
        {"ResultSet": {"Rows": [row(names), *rows], "ResultSetMetadata": metadata(names, types)}},
        {"QueryExecutionId": qid, "MaxResults": 1000},
    )


def test_athena_export_through_the_cli(project, monkeypatch):
    hours = 24 * 8
    client = boto3.client("athena", region_name="us-east-1")
    regions = []
    with Stubber(client) as stub:
        _query(stub, "q-columns", [], COLUMNS, ["varchar"] * len(COLUMNS))
        end = f"2024-09-{1 + hours // 24:02d} 00:00:00.000"
        group = ["true", "m5.large", "us-east-1", "on-demand", "SKU", None, str(hours),
                 "[" + ", ".join(str(EPOCH_HOUR + h) for h in range(hours)) + "]",
                 "[" + ", ".join("2.0" for _ in range(hours)) + "]", "0.096", None, "60",
                 "2024-09-01 00:00:00.000", end]  # fmt: skip
        _query(stub, "q-hourly", [row(group)], HOURLY, TYPES)

        def athena(region):
            regions.append(region)
            return client

        monkeypatch.setattr("optimizers.planners.billing_inputs.athena_client", athena)
        doc = run_json(*recommend(
            project, "--athena-database", "billing", "--athena-table", "focus",
            "--athena-output", "s3://athena-results/aeon/", "--athena-workgroup", "finops",
        ))  # fmt: skip
        stub.assert_no_pending_responses()
    assert regions == ["us-east-1"]  # the stack's primary region by default
    recs = by_target(doc)
    m5 = recs["m5.large@us-east-1"]
    assert m5["proposed"]["commitment"]["units"] == 2  # two instances every hour
    assert m5["evidence"]["commitment"]["hours"] == hours
    assert doc["source"] == "focus-1.0"


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/data/focus is not beside the clone")
def test_the_real_focus_sample(project):
    """The FinOps Foundation's sample: a month of sparse usage in many regions. Nothing pays to
    commit; a region the price table has no discount for is still planned, on a borrowed one."""
    billing = SAMPLE / "focus_1.0_sample_1000.csv"
    recs = by_target(run_json(*recommend(project, "--billing", str(billing))))
    assert all(r["monthly_saving_usd"] == 0 for r in recs.values())
    assert recs["g5.4xlarge@us-east-1"]["evidence"]["commitment"]["hours"] == 720
    west = json.dumps(recs["t2.medium@us-west-2"])
    assert "no figure for us-west-2: us-east-1's typical one" in west
