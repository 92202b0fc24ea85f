"""`aeon report`: Markdown, JSON and HTML from the saved recommendations."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET

import pytest

from aeon.cli import invoke
from aeon.output.report_charts import utilization_chart
from tests.report.data import make_report_project, report_set


@pytest.fixture
def project(tmp_path):
    return make_report_project(tmp_path)


def run(project, capsys, fmt: str) -> str:
    assert invoke(["report", "--stack", "prod", "--format", fmt, "--cwd", str(project)]) == 0
    return capsys.readouterr().out


def test_json_totals_add_up(project, capsys):
    doc = json.loads(run(project, capsys, "json"))
    recs = report_set().recommendations
    expected = round(sum(r.monthly_saving_usd or 0 for r in recs), 2)
    assert doc["totals"]["monthly_saving_usd"] == expected
    assert doc["totals"]["recommendations"] == len(recs)
    assert doc["totals"]["unpriced"] == 1
    assert sum(p["monthly_saving_usd"] for p in doc["savings_by_pool"]) == pytest.approx(expected)
    assert {r["id"] for r in doc["rows"]} == {r.id for r in recs}
    # rows are ordered by saving, largest first
    savings = [r["monthly_saving_usd"] or 0 for r in doc["rows"]]
    assert savings == sorted(savings, reverse=True)
    assert doc["utilization"][0]["pool"] == "system"


def test_markdown_has_totals_table_and_utilization(project, capsys):
    out = run(project, capsys, "md")
    assert out.startswith("# Right-sizing report: prod")
    assert "**$1,797.00**" in out
    rows = [line for line in out.splitlines() if line.startswith("| rec-")]
    assert len(rows) == len(report_set().recommendations)
    assert all(line.count(" | ") == 9 for line in rows)
    assert "| inference-shared | gpu_util_pct | 100 |" in out and "88.0%" in out


def test_html_embeds_every_chart_as_a_valid_svg_image(project, capsys):
    out = run(project, capsys, "html")
    uris = re.findall(r"src='data:image/svg\+xml;base64,([^']+)'", out)
    assert len(uris) == 1 + len(report_set().utilization)  # savings + one per pool
    for uri in uris:
        root = ET.fromstring(base64.b64decode(uri))
        assert root.tag.endswith("svg") and int(root.get("width")) > 0 and root.get("viewBox")
    assert "rec-" in out and "$1,797.00" in out and "naturalWidth" in out


def test_utilization_chart_marks_the_proposal():
    svg = utilization_chart(report_set().utilization[1])
    assert "proposed 88%" in svg and "p95 72%" in svg
    assert svg.count("<rect") == 1 + 20  # background + one bar per 5% bin


def test_missing_recommendations_is_a_user_error(tmp_path, capsys):
    root = make_report_project(tmp_path)
    (root / ".aeon" / "recommendations" / "prod.json").unlink()
    assert invoke(["report", "--stack", "prod", "--cwd", str(root)]) == 2
    assert "aeon recommend" in capsys.readouterr().err
