"""KICS-style fixtures: each policy's positive case yields exactly its expected diagnostics, its
negative case none; the fault plans trigger their named policy; the clean plan nothing.

Cases are small patches on the one clean plan (tests/policy/cases.py). One started pack serves the
whole module.
"""

from __future__ import annotations

import json

import pytest

from tests.policy.cases import (
    FAULTS,
    FIXTURES,
    POLICIES,
    apply_patch,
    case_config,
    case_plan,
    clean,
    expected,
    fault_plan,
)
from tests.policy.harness import pack_session, run_plan
from tests.policy.plans import CLEAN_PLAN, clean_plan, render


@pytest.fixture(scope="module")
def session():
    with pack_session() as started:
        yield started


def _found(report, policy):
    return sorted((v.urn, v.message) for v in report.violations if v.policy == policy)


def test_every_policy_of_the_pack_has_fixtures(session):
    report = run_plan(session, clean())
    listed = {p.name for p in report.policies} - {"policy-exemptions"}
    assert listed == set(POLICIES)


@pytest.mark.parametrize("policy", POLICIES)
def test_positive_fixture_gives_expected_diagnostics(session, tmp_path, policy):
    plan = case_plan(policy, "positive")
    report = run_plan(session, plan, case_config(policy, "positive"), tmp_path)
    assert _found(report, policy) == expected(policy)
    assert report.notes == []


@pytest.mark.parametrize("policy", POLICIES)
def test_negative_fixture_gives_none(session, tmp_path, policy):
    plan = case_plan(policy, "negative")
    report = run_plan(session, plan, case_config(policy, "negative"), tmp_path)
    assert _found(report, policy) == []


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_plan_triggers_its_policy(session, name):
    report = run_plan(session, fault_plan(name))
    triggered = {v.policy for v in report.violations if v.enforcement == "mandatory"}
    assert FAULTS[name] in triggered
    assert report.failed


def test_clean_plan_triggers_nothing(session):
    report = run_plan(session, clean())
    assert [(v.policy, v.message) for v in report.violations] == []
    assert report.notes == []
    stack_root = [s for s in clean()["steps"] if s["newState"]["type"] == "pulumi:pulumi:Stack"]
    assert report.summary.resources_checked == len(clean()["steps"]) - len(stack_root)


def test_clean_plan_file_is_current():
    """tests/policy/plans/clean.json comes from plans.py: `python -m tests.policy.plans`."""
    assert CLEAN_PLAN.read_text() == render(clean_plan())


def test_every_case_is_a_few_small_files():
    required = {"positive.patch.json", "negative.patch.json", "expected.json"}
    optional = {"positive.config.json", "negative.config.json"}
    for policy in POLICIES:
        names = {p.name for p in (FIXTURES / policy).iterdir()}
        assert required <= names <= required | optional, policy
        for side in ("positive", "negative"):
            assert (FIXTURES / policy / f"{side}.patch.json").stat().st_size < 2048, policy


def test_patches_fail_on_a_path_that_is_not_there():
    plan = clean()
    with pytest.raises(KeyError):
        apply_patch(plan, [{"op": "replace", "path": "/no-such-resource/inputs", "value": 1}])
    with pytest.raises(KeyError):
        apply_patch(plan, [{"op": "remove", "path": "/datasets/inputs/tags/no-such-tag"}])
    with pytest.raises(KeyError):
        apply_patch(plan, [{"op": "replace", "path": "/nodes-sg/inputs/ingress/9", "value": {}}])
    patched = apply_patch(plan, [{"op": "remove", "path": "/monthly"}])
    assert len(patched["steps"]) == len(plan["steps"]) - 1
    assert json.dumps(plan) == json.dumps(clean())  # the base plan is never modified
