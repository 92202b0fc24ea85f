"""The EKS version policies beyond their fixtures: the support type, versions outside the calendar,
the day they judge on, and what a broken calendar or date in the policy config does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from aeon.cli import invoke
from tests.policy.pack import import_guardrails

ROOT = Path(__file__).resolve().parents[1]
CLEAN_PLAN = ROOT / "tests" / "policy" / "plans" / "clean.json"
URN = "urn:pulumi:s::p::aws:eks/cluster:Cluster::main"


@pytest.fixture(scope="module")
def eks():
    return import_guardrails().eks_support


def findings(eks, props: dict, day: str) -> dict[str, list[str]]:
    core = import_guardrails().core
    res = core.Res("aws:eks/cluster:Cluster", URN, "main", props)
    cfg = {"calendar": eks.CALENDAR, "date": day}
    return {
        "cost": list(eks.in_standard_support(res, cfg)),
        "upgrade": list(eks.still_supported(res, cfg)),
    }


def test_phases_of_one_version(eks):
    assert findings(eks, {"version": "1.32"}, "2026-03-22") == {"cost": [], "upgrade": []}
    extended = findings(eks, {"version": "1.32"}, "2026-03-23")
    assert extended["upgrade"] == [] and "until 2027-03-23; upgrade to 1.33" in extended["cost"][0]
    ended = findings(eks, {"version": "1.32.9"}, "2027-03-23")
    assert ended["cost"] == [] and "extended support (2027-03-23)" in ended["upgrade"][0]


def test_support_type_standard_is_upgraded_by_aws_not_billed(eks):
    props = {"version": "1.32", "upgradePolicy": {"supportType": "STANDARD"}}
    found = findings(eks, props, "2026-06-01")
    assert found["cost"] == []
    assert found["upgrade"] == [
        "Kubernetes 1.32 left standard support on 2026-03-23 and upgradePolicy.supportType is "
        "STANDARD: AWS upgrades the control plane itself; upgrade to 1.33 yourself"
    ]


def test_versions_outside_the_calendar(eks):
    older = findings(eks, {"version": "1.20"}, "2026-12-01")
    assert "(before 2024-10-11)" in older["upgrade"][0] and "upgrade to 1.21" in older["upgrade"][0]
    for version in ("1.99", "2.0", "latest", ""):
        assert findings(eks, {"version": version}, "2026-12-01") == {"cost": [], "upgrade": []}
    assert findings(eks, {}, "2026-12-01") == {"cost": [], "upgrade": []}  # AWS's newest


def test_without_a_date_it_judges_on_today_in_utc(eks):
    assert eks.judged_on({"date": ""}) == dt.datetime.now(dt.UTC).date()


def test_a_day_that_does_not_exist_is_reported_not_a_crash(eks):
    found = findings(eks, {"version": "1.31"}, "2026-02-30")
    assert found["upgrade"] == ["policy config date: '2026-02-30' is not a day of the calendar"]


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ({"date": "01/12/2026"}, "key 'date'"),
        ({"calendar": {"1.31": ["2025-11-26"]}}, "key 'calendar.1.31'"),
        ({"calendar": {"v1.31": ["2025-11-26", "2026-11-26"]}}, "does not match"),
    ],
)
def test_a_malformed_config_is_a_user_error(tmp_path, capsys, entry, needle):
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"eks-version-supported": entry}))
    args = ["policy", "--plan", str(CLEAN_PLAN), "--config", str(config), "--cwd", str(ROOT)]
    assert invoke(args) == 2
    err = capsys.readouterr().err
    assert "eks-version-supported" in err and needle in err and "Traceback" not in err
