"""KICS-style fixtures: each policy's positive plan yields exactly its expected diagnostics, its
negative plan none; the issue's fault plans trigger their named policy; the clean plan nothing.

One started pack serves the whole module.
"""

from __future__ import annotations

import pytest

from tests.policy.harness import HERE, load, pack_session, run_plan
from tests.policy.plans import FAULTS, FIXTURES, files, render

FIXTURE_DIR = HERE / "fixtures"
POLICIES = sorted(FIXTURES)


@pytest.fixture(scope="module")
def session():
    with pack_session() as started:
        yield started


def _fixture_config(policy: str, side: str):
    path = FIXTURE_DIR / policy / f"{side}.config.json"
    return load(path) if path.is_file() else None


def _found(report, policy):
    return sorted((v.urn, v.message) for v in report.violations if v.policy == policy)


def test_every_policy_of_the_pack_has_fixtures(session, tmp_path):
    report = run_plan(session, load(HERE / "plans" / "clean.json"))
    listed = {p.name for p in report.policies} - {"policy-exemptions"}
    assert listed == set(POLICIES)
    assert {p.name for p in FIXTURE_DIR.iterdir()} == set(POLICIES)


@pytest.mark.parametrize("policy", POLICIES)
def test_positive_fixture_gives_expected_diagnostics(session, tmp_path, policy):
    folder = FIXTURE_DIR / policy
    report = run_plan(
        session, load(folder / "positive.json"), _fixture_config(policy, "positive"), tmp_path
    )
    expected = sorted((e["urn"], e["message"]) for e in load(folder / "expected.json"))
    assert _found(report, policy) == expected
    assert report.notes == []


@pytest.mark.parametrize("policy", POLICIES)
def test_negative_fixture_gives_none(session, tmp_path, policy):
    folder = FIXTURE_DIR / policy
    report = run_plan(
        session, load(folder / "negative.json"), _fixture_config(policy, "negative"), tmp_path
    )
    assert _found(report, policy) == []


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_plan_triggers_its_policy(session, name):
    _, policy = FAULTS[name]
    report = run_plan(session, load(HERE / "plans" / f"{name}.json"))
    triggered = {v.policy for v in report.violations if v.enforcement == "mandatory"}
    assert policy in triggered
    assert report.failed


def test_clean_plan_triggers_nothing(session):
    report = run_plan(session, load(HERE / "plans" / "clean.json"))
    assert [(v.policy, v.message) for v in report.violations] == []
    assert report.notes == []
    assert report.summary.resources_checked == len(load(HERE / "plans" / "clean.json")["steps"])


def test_fixture_files_are_current():
    """The JSON files come from tests/policy/plans.py (cd tests && python -m policy.plans)."""
    stale = [
        str(p.relative_to(HERE))
        for p, data in files().items()
        if not p.is_file() or p.read_text() != render(data)
    ]
    assert stale == []
