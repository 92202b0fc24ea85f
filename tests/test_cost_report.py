"""`aeon cost-report`: totals a person can check by hand, every format, exit 2 on bad input, and
the HTML page rendered in headless Chromium."""

from __future__ import annotations

import json
import re

import pytest

from aeon.cli import invoke
from tests.billing.exports import LEGACY_CUR, cur_row, focus_row, write_csv
from tests.test_report_html import browse, chromium


@pytest.fixture
def export(tmp_path):
    rows = [focus_row(h, "m5.large", 2, 0.1) for h in range(0, 24 * 14, 6)]  # two weeks
    training = '{"aeon:pool": "training"}'
    rows += [
        focus_row(h, "p5.48xlarge", 1, 50.0, purchase="Committed", effective=30.0, tags=training)
        for h in range(0, 24 * 14, 24)
    ]
    rows.append(focus_row(5, "c5.large", 1, 0.085, purchase="Dynamic", effective=0.03, tags=None))
    return write_csv(tmp_path / "focus.csv.gz", rows)


def run(capsys, *args):
    code = invoke(["cost-report", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_totals_by_pool(export, capsys):
    code, out, _ = run(capsys, "--billing", str(export), "--by", "pool", "--format", "json")
    assert code == 0
    data = json.loads(out)
    lines = {line["key"]: line for line in data["lines"]}
    assert lines["inference"]["effective_usd"] == pytest.approx(56 * 0.2)  # 56 rows of 2 x 0.1
    assert lines["training"]["list_usd"] == 14 * 50.0
    assert lines["training"]["commitment_saving_usd"] == 14 * 20.0
    assert lines["(none)"]["spot_saving_usd"] == 0.06  # 0.085 - 0.03, to the cent
    assert data["total"]["effective_usd"] == pytest.approx(11.2 + 420 + 0.03)
    assert data["movers"] and data["weeks"]


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_every_format(export, capsys, fmt):
    code, out, _ = run(capsys, "--billing", str(export), "--by", "purchase", "-f", fmt)
    assert code == 0 and "committed" in out and "on-demand" in out and "spot" in out


def test_legacy_cur_by_tag(tmp_path, capsys):
    rows = [cur_row(h, "g5.xlarge", 1, 1.0, pool="edge") for h in range(3)]
    path = write_csv(tmp_path / "cur.csv", rows, LEGACY_CUR)
    code, out, _ = run(capsys, "--billing", str(path), "--by", "tag:aeon:pool", "-f", "json")
    assert code == 0
    assert [(x["key"], x["effective_usd"]) for x in json.loads(out)["lines"]] == [("edge", 3.0)]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--by", "colour"], "--by 'colour'"),
        (["--by", "tag:bad\x01key"], "not an AWS tag key"),
        (["--rates", "missing.csv"], "cannot read the rates file"),
    ],
)
def test_user_errors_exit_2(export, capsys, args, message):
    code, out, err = run(capsys, "--billing", str(export), *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_bad_file_exits_2_naming_the_line(tmp_path, capsys):
    rows = [focus_row(h, "m5.large", 1, 0.1) for h in range(3)]
    rows[2]["BilledCost"] = "twelve"
    path = write_csv(tmp_path / "bad.csv", rows)
    code, out, err = run(capsys, "--billing", str(path))
    assert code == 2 and out == ""
    assert f"{path}, line 4, column BilledCost: 'twelve' is not a double" in err


def test_html_renders_in_chromium_with_every_chart(export, tmp_path, capsys):
    binary = chromium()
    code, out, _ = run(capsys, "--billing", str(export), "--by", "service", "-f", "html")
    assert code == 0
    page = tmp_path / "cost.html"
    page.write_text(out)
    dom = browse(binary, tmp_path, "dom", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.search(r'data-charts-total="2"', dom.stdout)
    assert "<title>cost report: 2 charts loaded</title>" in dom.stdout


def test_legacy_cur_unused_commitments_are_idle_cost(tmp_path, capsys):
    # A reservation that left 20 + 10 USD of its fees unused, a savings plan 15 of its 50
    unused = [
        "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
        "reservation/UnusedRecurringFee",
        "savingsPlan/TotalCommitmentToDate",
        "savingsPlan/UsedCommitment",
    ]
    rows = [cur_row(h, "m5.large", 1, 0.1) for h in range(3)]
    fee = {**rows[0], "lineItem/UsageType": "HeavyUsage:m5.large", "lineItem/UsageAmount": "0"}
    rows.append({**fee, "lineItem/LineItemType": "RIFee", "lineItem/UnblendedCost": "40",
                 unused[0]: "20", unused[1]: "10"})  # fmt: skip
    rows.append({**fee, "lineItem/LineItemType": "SavingsPlanRecurringFee",
                 "lineItem/UnblendedCost": "50", unused[2]: "50", unused[3]: "35"})  # fmt: skip
    path = write_csv(tmp_path / "cur.csv", rows, [*LEGACY_CUR, *unused])
    code, out, _ = run(capsys, "--billing", str(path), "--by", "purchase", "-f", "json")
    assert code == 0
    total = json.loads(out)["total"]
    assert total["idle_commitment_usd"] == pytest.approx(45.0)
    assert total["effective_usd"] == pytest.approx(0.3 + 45.0)  # usage, then what went unused
