"""The offline engine builds the resource graph the way the Pulumi engine does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon.engine import ProgramError, run_program
from aeon.engine.urns import split_provider_reference

PROGRAMS = Path(__file__).parent / "engine" / "programs"


@pytest.fixture(scope="module")
def nested():
    return run_program(PROGRAMS / "nested", "dev")


def test_matches_a_real_preview_plan(nested) -> None:
    """URNs, parents, providers and dependencies as `pulumi preview --json` reports them."""
    plan = json.loads((PROGRAMS / "nested" / "preview.json").read_text())
    ours = nested.by_urn()
    stack_step, *steps = plan["steps"]
    assert nested.stack_urn == stack_step["urn"]
    assert sorted(ours) == sorted(s["urn"] for s in steps)
    for step in steps:
        state = step["newState"]
        mine = ours[step["urn"]]
        assert mine.type == state["type"]
        assert mine.custom == state["custom"]
        parent = state.get("parent")
        assert mine.parent == (None if parent == nested.stack_urn else parent)
        if "provider" in state:
            assert (
                split_provider_reference(mine.provider)[0]
                == split_provider_reference(state["provider"])[0]
            )
        if "dependencies" in state:
            assert list(mine.dependencies) == state["dependencies"]
        for key, urns in state.get("propertyDependencies", {}).items():
            assert list(mine.property_dependencies.get(key, ())) == urns
        for key, value in state.get("inputs", {}).items():
            if value != "04da6b54-80e4-46f7-96ec-b56ff0331ba9":  # unknown in a real preview
                assert mine.inputs[key] == value, key


def test_outputs_resolve_like_aws(nested) -> None:
    """No output is left unknown: ids and computed names flow into dependants and exports."""
    vpc = next(r for r in nested.resources if r.type == "aws:ec2/vpc:Vpc")
    subnet = next(r for r in nested.resources if r.type == "aws:ec2/subnet:Subnet")
    assert vpc.id.startswith("vpc-") and subnet.inputs["vpcId"] == vpc.id
    assert nested.exports["vpc_id"] == vpc.id
    assert nested.exports["bucket"].startswith("inner-bucket-")


def test_regions_follow_providers(nested) -> None:
    regions = {r.name: r.region for r in nested.resources}
    assert regions["vpc"] == regions["subnet"] == regions["west"] == "us-west-2"
    assert regions["inner-bucket"] == "eu-west-1"  # default provider: aws:region
    assert regions["outer"] == "global"  # a component spanning two regions
    assert regions["inner"] == "eu-west-1"


def test_repeated_runs_are_identical(nested) -> None:
    again = run_program(PROGRAMS / "nested", "dev")
    assert again == nested


def test_duplicate_urns_are_rejected() -> None:
    with pytest.raises(
        ProgramError, match=r"(?s)duplicate resource URN.*aws:s3/bucket:Bucket::same"
    ):
        run_program(PROGRAMS / "duplicate", "dev")


def test_program_errors_name_the_exception() -> None:
    with pytest.raises(ProgramError, match=r"__main__.py failed: KeyError: 'missing'"):
        run_program(PROGRAMS / "failing", "dev")
    # and the runtime is usable again afterwards
    assert run_program(PROGRAMS / "nested", "dev").stack_urn.endswith("nested-dev")


def test_unanswered_invoke_is_named() -> None:
    with pytest.raises(ProgramError, match="no answer for invoke 'aws:ec2/getVpc:getVpc'"):
        run_program(PROGRAMS / "unanswered", "dev")


def test_source_positions_point_into_the_program(nested) -> None:
    vpc = next(r for r in nested.resources if r.type == "aws:ec2/vpc:Vpc")
    assert vpc.source_position is not None
    assert vpc.source_position.file == "__main__.py"
    line = (
        (PROGRAMS / "nested" / "__main__.py").read_text().splitlines()[vpc.source_position.line - 1]
    )
    assert "aws.ec2.Vpc(" in line
