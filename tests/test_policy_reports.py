"""Exemptions, provider fallbacks and the report formats (SARIF, JUnit, Markdown, JSON, table).

SARIF is validated against the official 2.1.0 schema and JUnit against Jenkins' XSD (both vendored
under tests/policy/schemas with their sources); a known-bad document of each must fail.
"""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import xmlschema

from aeon.analyzer.locate import fill_locations
from aeon.analyzer.plan import resources_from_plan
from aeon.output.policy_table import render_policy_report
from tests.policy.cases import ASG_URN, clean, fault_plan, step_of
from tests.policy.harness import HERE, ROOT, pack_session, run_plan
from tests.policy.plans import FAR_FUTURE, UNKNOWN

SARIF_SCHEMA = HERE / "schemas" / "sarif-schema-2.1.0.json"
JUNIT_XSD = HERE / "schemas" / "junit-10.xsd"


@pytest.fixture(scope="module")
def session():
    with pack_session() as started:
        yield started


def _tag(plan, group, key, value):
    step_of(plan, group)["inputs"]["tags"].append(
        {"key": key, "value": value, "propagateAtLaunch": True}
    )


def _gpu_in_cpu_with_override(expires: str) -> dict:
    plan = fault_plan("fault-gpu-in-cpu-pool")
    _tag(plan, "system", "aeon:override-reason", "GPU smoke test, ticket OPS-12")
    _tag(plan, "system", "aeon:override-expires", expires)
    return plan


def test_override_reports_exempted_with_reason_and_expiry(session):
    report = run_plan(session, _gpu_in_cpu_with_override(FAR_FUTURE))
    gpu = [v for v in report.violations if v.policy == "gpu-types-in-gpu-pools"]
    assert len(gpu) == 1 and gpu[0].exempted
    assert gpu[0].urn == ASG_URN["system"]
    assert (gpu[0].exemption_reason, gpu[0].exemption_expires) == (
        "GPU smoke test, ticket OPS-12",
        FAR_FUTURE,
    )
    assert "g5.xlarge" in gpu[0].message
    assert report.summary.exempted >= 1 and not report.failed
    assert report.as_json()["violations"][0]["exempted"] is True


def test_expired_override_still_blocks(session):
    report = run_plan(session, _gpu_in_cpu_with_override("2020-01-01"))
    gpu = [v for v in report.violations if v.policy == "gpu-types-in-gpu-pools"]
    assert [v.exempted for v in gpu] == [False]
    assert "override ignored: it expired on 2020-01-01" in gpu[0].message
    assert report.failed


def test_stack_policy_findings_are_exempted_by_the_same_tags(session):
    plan = fault_plan("fault-public-bucket")
    tags = step_of(plan, "datasets")["inputs"]["tags"]
    tags.update(
        {"aeon:override-reason": "public dataset mirror", "aeon:override-expires": FAR_FUTURE}
    )
    report = run_plan(session, plan)
    found = [v for v in report.violations if v.policy == "s3-public-access-blocked"]
    assert [(v.exempted, v.exemption_reason) for v in found] == [(True, "public dataset mirror")]
    assert not report.failed


def test_unknown_values_become_notes_not_verdicts(session):
    """Reading a value unknown at preview gives the SDK's "can't run" note, never a pass or fail."""
    plan = clean()
    step_of(plan, "vector-data")["inputs"]["encrypted"] = UNKNOWN
    report = run_plan(session, plan)
    assert [v for v in report.violations if v.policy == "ebs-encrypted"] == []
    assert any("can't run policy 'ebs-encrypted'" in n for n in report.notes)


def test_provider_absent_from_plan_is_known_by_urn_and_region_falls_back(session, tmp_path):
    """Without its provider step a group's region is the primary region from the policy config."""
    plan = clean()
    euw1 = "pulumi:providers:aws::eu-west-1"
    plan["steps"] = [s for s in plan["steps"] if not s["urn"].endswith(euw1)]
    config = {"regions-allowed": {"allowed_regions": ["ap-south-1"], "primary_region": "sa-east-1"}}
    report = run_plan(session, plan, config, tmp_path)
    assert report.notes == []
    found = {v.urn: v.message for v in report.violations if v.policy == "regions-allowed"}
    assert (
        found[ASG_URN["edge-cache-euw1"]] == "region sa-east-1 is not allowed; allowed: ap-south-1"
    )
    assert found[ASG_URN["training"]] == "region us-east-1 is not allowed; allowed: ap-south-1"


def _spot_pool_of(types: list[str]) -> dict:
    """The clean plan with one spot inference pool of these types (its sibling dropped)."""
    plan = clean()
    plan["steps"] = [s for s in plan["steps"] if not s["urn"].endswith("::inference-b")]
    overrides = step_of(plan, "inference")["inputs"]["mixedInstancesPolicy"]["launchTemplate"]
    overrides["overrides"] = [{"instanceType": t} for t in types]
    return plan


def test_spot_diversity_is_capped_at_what_the_region_offers(session, tmp_path):
    """A region offering three 4-GPU x86 NVIDIA types asks for three, not ten."""
    offered = {
        "gpu": {
            "g5.12xlarge": [4, 22, "NVIDIA", "x86_64"],
            "g6.12xlarge": [4, 22, "NVIDIA", "x86_64"],
            "g6e.12xlarge": [4, 45, "NVIDIA", "x86_64"],
            "g5g.16xlarge": [2, 16, "NVIDIA", "arm64"],
            "g4dn.xlarge": [1, 16, "NVIDIA", "x86_64"],
        },
        "other_types": 600,
    }
    config = {"asg-spot-diversified": {"region_offerings": {"us-east-1": offered}}}
    ok = run_plan(
        session, _spot_pool_of(["g5.12xlarge", "g6.12xlarge", "g6e.12xlarge"]), config, tmp_path
    )
    assert [v for v in ok.violations if v.policy == "asg-spot-diversified"] == []
    short = run_plan(session, _spot_pool_of(["g5.12xlarge", "g6.12xlarge"]), config, tmp_path)
    assert [v.message for v in short.violations if v.policy == "asg-spot-diversified"] == [
        "spot pools with role inference list 2 instance type(s) across 1 sibling pool(s) "
        "(g5.12xlarge, g6.12xlarge); required at least 3 interchangeable types (limit 10 for "
        "inference, 3 suitable types offered in us-east-1)"
    ]


def test_plan_steps_that_delete_are_skipped():
    plan = clean()
    extra = copy.deepcopy(plan["steps"][-1])
    extra["op"] = "delete"
    extra["oldState"] = extra.pop("newState")
    extra["urn"] += "-old"
    plan["steps"].append(extra)
    loaded = resources_from_plan(plan)
    assert (loaded.stack, loaded.project) == ("fixture", "aeon-infra")
    assert len(loaded.resources) == len(plan["steps"]) - 1


@pytest.fixture(scope="module")
def mixed_report(session):
    """One mandatory, one advisory and one exempted finding."""
    plan = _gpu_in_cpu_with_override(FAR_FUTURE)
    plan["steps"] = [s for s in plan["steps"] if not s["urn"].endswith("::training-off-hours-down")]
    step_of(plan, "nodes-sg")["inputs"]["ingress"][1]["cidrBlocks"] = ["0.0.0.0/0"]
    report = run_plan(session, plan)
    loaded = resources_from_plan(plan)
    for v in report.violations:
        v.location = None  # point at the prod stack file instead of the fallback
    return fill_locations(
        report,
        {r.urn: r for r in loaded.resources},
        root=ROOT,
        stack_file=ROOT / "Pulumi.prod.yaml",
    )


def test_mixed_report_has_each_level(mixed_report):
    kinds = {("exempted" if v.exempted else v.enforcement) for v in mixed_report.violations}
    assert kinds == {"mandatory", "advisory", "exempted"}


def test_sarif_validates_against_the_official_schema(mixed_report):
    schema = json.loads(SARIF_SCHEMA.read_text())
    document = json.loads(render_policy_report(mixed_report, "sarif"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert list(validator.iter_errors(document)) == []
    results = document["runs"][0]["results"]
    assert len(results) == len(mixed_report.violations)
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] and location["region"]["startLine"] >= 1
    # The system pool's finding points at its list item in Pulumi.prod.yaml.
    gpu = next(r for r in results if r["ruleId"] == "gpu-types-in-gpu-pools")
    line = gpu["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert (ROOT / "Pulumi.prod.yaml").read_text().splitlines()[
        line - 1
    ].strip() == "- name: system"
    assert gpu["suppressions"][0]["kind"] == "external"
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["no-open-admin-ports"] == "error" and levels["off-hours-schedule"] == "warning"


def test_sarif_schema_rejects_a_known_bad_document(mixed_report):
    schema = json.loads(SARIF_SCHEMA.read_text())
    document = json.loads(render_policy_report(mixed_report, "sarif"))
    bad = copy.deepcopy(document)
    bad["version"] = "2.0.0"
    del bad["runs"][0]["tool"]["driver"]["name"]
    bad["runs"][0]["results"][0]["level"] = "fatal"
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = list(validator.iter_errors(bad))
    assert len(errors) >= 3


def test_source_position_wins_over_config_line(session):
    from dataclasses import replace

    from aeon.analyzer import check_resources
    from aeon.engine.model import SourcePosition
    from aeon.project import find_project

    loaded = resources_from_plan(fault_plan("fault-gpu-in-cpu-pool"))
    resources = [
        replace(r, source_position=SourcePosition("components/node_pool.py", 42))
        if r.urn == ASG_URN["system"]
        else r
        for r in loaded.resources
    ]
    report = check_resources(
        resources, find_project(ROOT), "fixture", stack_config={}, session=session
    )
    gpu = next(v for v in report.violations if v.policy == "gpu-types-in-gpu-pools")
    assert (gpu.location.file, gpu.location.line) == ("components/node_pool.py", 42)


def test_junit_validates_against_xsd_and_bad_fails(mixed_report):
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    text = render_policy_report(mixed_report, "junit")
    assert schema.is_valid(text)
    assert "<failure" in text and "<skipped" in text
    bad = text.replace("<testsuite ", '<testsuite bogus="1" ', 1).replace(' tests="', ' count="', 1)
    assert not schema.is_valid(bad)


def test_markdown_is_a_pr_comment(mixed_report):
    text = render_policy_report(mixed_report, "md")
    assert text.startswith("### :x: `aeon-infra/fixture` blocked by mandatory policy violations")
    assert "#### Mandatory" in text and "#### Advisory" in text and "#### Exempted" in text
    assert "GPU smoke test, ticket OPS-12" in text


def test_json_has_the_documented_shape(mixed_report):
    data = json.loads(render_policy_report(mixed_report, "json"))
    keys = ["policy", "enforcement", "severity", "urn", "type", "name", "message", "exempted"]
    assert all(list(v) == keys for v in data["violations"])
    assert set(data["summary"]) == {"mandatory", "advisory", "exempted", "resources_checked"}
    assert (
        data["summary"]["mandatory"] >= 1 and data["summary"]["exempted"] == 2
    )  # gpu-types and families


def test_table_lists_every_finding(mixed_report):
    text = render_policy_report(mixed_report, "table")
    assert "exempted" in text and "no-open-admin-ports" in text
    assert "mandatory," in text.splitlines()[-1] or "resources checked" in text
