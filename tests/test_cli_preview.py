"""`aeon preview` end to end: output formats, the CLI contract's exit codes and tags."""

from __future__ import annotations

import importlib
import inspect
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests.helpers import REPO, copy_project, run_cli

COST_TAGS = {"team", "cost-center", "environment", "service", "aeon:stack"}
POOL_TAGGED = {"aws:autoscaling/group:Group", "aws:ec2/launchTemplate:LaunchTemplate"}


@pytest.fixture(scope="module", params=["prod", "dev"])
def previewed(request):
    result = run_cli(
        "preview", "--stack", request.param, "--format", "json", "--no-policies", "--cwd", str(REPO)
    )
    assert result.code == 0, result.err
    return request.param, json.loads(result.out)


@cache
def takes_tags(token: str) -> bool:
    """Whether the pulumi_aws resource behind `token` has a `tags` input."""
    package, module, name = token.split(":")
    if package != "aws":
        return False
    cls = getattr(importlib.import_module(f"pulumi_aws.{module.split('/')[0]}"), name)
    return "tags" in inspect.signature(cls._internal_init).parameters


def tag_keys(tags) -> set[str]:
    if isinstance(tags, list):  # autoscaling groups
        return {t["key"] for t in tags}
    return set(tags or {})


def test_json_document_shape(previewed) -> None:
    stack, doc = previewed
    assert (doc["project"], doc["stack"]) == ("aeon-infra", stack)
    resources = doc["resources"]
    assert doc["summary"]["total"] == len(resources) > 0
    assert sum(doc["summary"]["by_type"].values()) == len(resources)
    assert [r["urn"] for r in resources] == sorted(r["urn"] for r in resources)
    for r in resources:
        assert set(r) == {"urn", "type", "name", "parent", "provider", "region", "inputs"}
        assert r["urn"].startswith(f"urn:pulumi:{stack}::aeon-infra::")
        assert r["region"]


def test_every_region_is_present(previewed) -> None:
    stack, doc = previewed
    declared = YAML(typ="safe").load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"][
        "aeon-infra:regions"
    ]
    assert {r["name"] for r in declared} <= set(doc["summary"]["by_region"])


def test_every_taggable_resource_carries_the_cost_tags(previewed) -> None:
    stack, doc = previewed
    checked = 0
    for r in doc["resources"]:
        if not takes_tags(r["type"]):
            continue
        checked += 1
        keys = tag_keys(r["inputs"].get("tags"))
        assert COST_TAGS <= keys, f"{r['urn']} lacks {COST_TAGS - keys}"
        if r["type"] in POOL_TAGGED:
            assert {"aeon:pool", "aeon:pool-role"} <= keys, r["urn"]
    assert checked > 5


def test_tree_groups_by_region_and_component() -> None:
    result = run_cli("preview", "-s", "dev", "--no-policies", "-C", str(REPO))
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("aeon-infra / dev: ")
    assert any("us-east-1 (" in line for line in lines)
    assert any("Network us-east-1" in line for line in lines)
    assert any("aws:ec2/Subnet x" in line for line in lines)
    assert "previewed" in result.err  # progress goes to stderr


def test_output_alias_and_table(tmp_path: Path) -> None:
    result = run_cli(
        "preview", "--stack", "dev", "--output", "table", "--no-policies", "--cwd", str(REPO)
    )
    assert result.code == 0 and "aws:ec2/vpc:Vpc" in result.out


def test_unknown_stack_lists_the_stacks() -> None:
    result = run_cli("preview", "--stack", "qa", "--cwd", str(REPO))
    assert result.code == 2 and result.out == ""
    assert "no stack named 'qa'" in result.err and "stacks here: dev, prod" in result.err


def test_unknown_format_is_a_user_error() -> None:
    result = run_cli("preview", "--stack", "dev", "--format", "xml", "--cwd", str(REPO))
    assert result.code == 2 and "choose one of tree, table, json" in result.err


def test_bad_config_exits_2_with_key_path_and_no_traceback(tmp_path: Path) -> None:
    copy_project(tmp_path)
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("min_size: 1\n", "min_size: 9\n", 1))
    result = run_cli("preview", "--stack", "dev", "--cwd", str(tmp_path))
    assert result.code == 2, result.err
    assert "aeon-infra:pools[0] ('dev-system')" in result.err
    assert "min_size=9, desired_size=1" in result.err
    assert "Traceback" not in result.err and result.out == ""


def test_a_genuine_bug_exits_3_naming_its_type(tmp_path: Path, monkeypatch) -> None:
    import components.network

    def broken(*_args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(components.network, "subnet_cidrs", broken)
    result = run_cli("preview", "--stack", "dev", "--cwd", str(REPO))
    assert result.code == 3
    (line,) = result.err.strip().splitlines()
    assert "ZeroDivisionError" in line and "traceback: " in line
    log = Path(line.rsplit("traceback: ", 1)[1].rstrip(")"))
    assert "ZeroDivisionError: boom" in log.read_text()


# Each value is wrong for every key below (a "!" is in no valid name, region or type).
BAD_VALUES = st.one_of(
    st.integers(-50, -1), st.text(alphabet="xyz!? ", max_size=6).map(lambda s: "!" + s),
    st.lists(st.integers(), min_size=1, max_size=2),
    st.sampled_from([None, {}, [], "", "EU-North-9"]),
)  # fmt: skip
BAD_KEYS = ["min_size", "max_size", "region", "instance_types", "capacity", "role", "name"]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.sampled_from(BAD_KEYS), value=BAD_VALUES)
def test_random_bad_pool_values_exit_2(tmp_path_factory, key, value) -> None:
    root = copy_project(tmp_path_factory.mktemp("project"))
    yaml = YAML()
    path = root / "Pulumi.dev.yaml"
    doc = yaml.load(path.read_text())
    doc["config"]["aeon-infra:pools"][0][key] = value
    with path.open("w") as handle:
        yaml.dump(doc, handle)
    result = run_cli("preview", "--stack", "dev", "--cwd", str(root))
    assert result.code == 2, result.err
    assert "aeon-infra:pools[0]" in result.err and "Traceback" not in result.err


def test_schema_command_prints_the_config_schema(tmp_path: Path) -> None:
    result = run_cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert "aeon-infra:pools" in schema["properties"]["config"]["properties"]
    out = tmp_path / "schema.json"
    assert run_cli("schema", "--out", str(out)).code == 0
    assert json.loads(out.read_text()) == schema
