"""The committed stacks pass their own policy pack, offline, exactly as `aeon preview` runs it."""

from __future__ import annotations

import json

import pytest

from aeon.analyzer import check_resources, default_config_path
from aeon.analyzer.config import load_config_file
from aeon.engine import run_program
from aeon.project import find_project
from tests.helpers import REPO, run_cli


@pytest.fixture(scope="module", params=["prod", "dev"])
def report(request):
    project = find_project(REPO)
    run = run_program(project, request.param)
    return check_resources(run.resources, project, request.param, stack_config=run.config)


def test_no_mandatory_violation_at_default_levels(report) -> None:
    mandatory = [v for v in report.violations if v.enforcement == "mandatory" and not v.exempted]
    assert mandatory == [], "\n".join(f"{v.policy}: {v.name}: {v.message}" for v in mandatory)


def test_no_policy_was_skipped_for_unknown_values(report) -> None:
    """A policy that meets an unknown value says "can't run during preview": a false pass."""
    assert not [n for n in report.notes if "can't run" in n or "during preview" in n], report.notes
    assert report.resources_checked > 0


def test_effective_config_keeps_the_core_policies_mandatory(report) -> None:
    core = {
        "s3-lifecycle-transitions-valid", "s3-minimum-duration-trap", "asg-spot-diversified",
        "s3-public-access-blocked", "gpu-types-in-gpu-pools", "budget-exists", "required-cost-tags",
    }  # fmt: skip
    levels = {p.name: p.enforcement for p in report.policies}
    assert core <= set(levels)
    assert all(levels[name] == "mandatory" for name in core)
    config = load_config_file(default_config_path(find_project(REPO), report.stack))
    assert isinstance(config, dict)


# The stacks run EKS 1.31, past its end of extended support (2026-11-26): upgrading is an
# operational decision (one minor version at a time), so until then each cluster carries this
# advisory finding, and only this one.
PAST_EXTENDED_SUPPORT = (
    "Kubernetes 1.31 is past its end of extended support (2026-11-26): AWS upgrades the control "
    "plane itself to the oldest version still in extended support, billed at 6x the standard "
    "rate; upgrade to 1.32 yourself"
)
CLUSTERS = {
    "prod": ["ap-southeast-1-eks", "eu-west-1-eks", "sa-east-1-eks", "us-east-1-eks"],
    "dev": ["us-east-1-eks"],
}


def test_advisory_findings_are_exactly_the_eks_version_ones(report) -> None:
    advisory = [
        (v.policy, v.type, v.name, v.message)
        for v in report.violations
        if v.enforcement == "advisory" and not v.exempted
    ]
    assert advisory == [
        ("eks-version-supported", "aws:eks/cluster:Cluster", name, PAST_EXTENDED_SUPPORT)
        for name in CLUSTERS[report.stack]
    ]


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_preview_runs_the_pack_and_reports_it(stack) -> None:
    """Advisory findings are reported, and the preview still succeeds."""
    result = run_cli("preview", "--stack", stack, "--format", "json", "--cwd", str(REPO))
    assert result.code == 0, result.err
    document = json.loads(result.out)
    summary = document["policy"]["summary"]
    assert (summary["mandatory"], summary["advisory"]) == (0, len(CLUSTERS[stack]))
    assert summary["resources_checked"] == document["summary"]["total"]
