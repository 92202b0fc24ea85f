"""`aeon policy --plan` on plans the engine could not have produced: exit 2 naming the step and
its line, before any policy runs; and the streamed reader agrees with json.load on any chunking."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from aeon.analyzer import plan_stream
from aeon.analyzer.plan import load_plan, resources_from_plan
from tests.helpers import REPO, run_cli
from tests.policy.plans import STACK_URN, clean_plan


def write(tmp_path: Path, plan, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(plan, indent=2) if not isinstance(plan, str) else plan)
    return path


def check(tmp_path: Path, plan):
    return run_cli("policy", "--plan", str(write(tmp_path, plan)), "--cwd", str(REPO))


def step_named(plan: dict, name: str) -> dict:
    return next(s for s in plan["steps"] if s["urn"].endswith("::" + name))


def broken(change) -> dict:
    plan = copy.deepcopy(clean_plan())
    change(plan)
    return plan


def _inputs_as_list(p):
    step_named(p, "system")["newState"]["inputs"] = ["not", "an", "object"]


def _duplicate(p):
    p["steps"].append(copy.deepcopy(step_named(p, "system")))


def _cycle(p):
    regional = next(s for s in p["steps"] if s["newState"]["type"].endswith("RegionalDeployment"))
    glob = next(s for s in p["steps"] if s["newState"]["type"].endswith("GlobalDeployment"))
    glob["newState"]["parent"] = regional["urn"]


def _missing_parent(p):
    step_named(p, "system")["newState"]["parent"] = STACK_URN.replace("Stack::", "Stack::gone-")


def _explode(p):
    step_named(p, "system")["op"] = "explode"


def _max_size_ten(p):
    step_named(p, "system")["newState"]["inputs"]["maxSize"] = "ten"


def _no_urn(p):
    step_named(p, "system")["newState"]["urn"] = "system"
    step_named(p, "system")["urn"] = "system"


def _two_stacks(p):
    other = copy.deepcopy(step_named(p, "system"))
    other["urn"] = other["newState"]["urn"] = other["urn"].replace(":fixture::", ":other::")
    other["newState"]["parent"] = None
    p["steps"].append(other)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_inputs_as_list, "newState.inputs must be an object, got a list"),
        (_duplicate, "the URN is already declared by steps["),
        (_cycle, "parent cycle: "),
        (_missing_parent, "is not declared by any step"),
        (_explode, "unknown op 'explode'"),
        (_max_size_ten, "inputs.maxSize must be a number (the policies read it so), got a string"),
        (_no_urn, "no valid urn"),
        (_two_stacks, "several stacks"),
    ],
)
def test_a_malformed_plan_is_exit_2_naming_the_step(tmp_path, change, expected):
    result = check(tmp_path, broken(change))
    assert result.code == 2, result.err
    assert expected in result.err and "Traceback" not in result.err
    assert result.out == ""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('{"steps": []}'.encode("utf-16"), "is UTF-16 or UTF-32"),
        (b'{"steps": [{"op": "cr\xe9ate"}]}', "byte 0xe9 at offset 21"),
        (b'{"steps": ' + b"[" * 3000 + b"]" * 3000 + b"}", "nested deeper than 100 levels"),
        (b'{"steps": [{"op": "create"', "not valid JSON"),
        (b'{"config": {}}', "no `steps` list"),
        (b'["not", "an", "object"]', "expected a JSON object"),
        (b'{"steps": []} trailing', "text after the plan object"),
        (b'{"steps": [1e999]}', "expected an object"),
        (b'{"steps": [NaN]}', "NaN is not a JSON number"),
    ],
)
def test_an_unreadable_plan_is_exit_2(tmp_path, data, expected):
    path = tmp_path / "plan.json"
    path.write_bytes(data)
    result = run_cli("policy", "--plan", str(path), "--cwd", str(REPO))
    assert result.code == 2, result.err
    assert "plan.json" in result.err and expected in result.err, result.err


def test_a_folder_given_as_the_plan(tmp_path):
    result = run_cli("policy", "--plan", str(tmp_path), "--cwd", str(REPO))
    assert result.code == 2 and "is a directory" in result.err


def test_violations_point_at_the_step_line(tmp_path):
    plan = broken(lambda p: step_named(p, "system")["newState"]["inputs"]["tags"].clear())
    path = write(tmp_path, plan)
    result = run_cli("policy", "--plan", str(path), "--cwd", str(REPO), "--format", "sarif")
    assert result.code == 1
    results = json.loads(result.out)["runs"][0]["results"]
    lines = path.read_text().splitlines()
    starts = [
        loc["physicalLocation"]["region"]["startLine"]
        for r in results
        for loc in r["locations"]
        if loc["physicalLocation"]["artifactLocation"]["uri"].endswith("plan.json")
    ]
    system = next(i for i, line in enumerate(lines) if line.strip().endswith('::system",'))
    assert starts and all(lines[n - 1].strip() == "{" and n - 1 < system for n in starts)


def test_replacement_steps_of_one_urn_are_one_resource(tmp_path):
    def replace(p):
        step = step_named(p, "system")
        step["op"] = "replace"
        twin = copy.deepcopy(step)
        twin["op"] = "create-replacement"
        gone = copy.deepcopy(step)
        gone["op"] = "delete-replaced"
        p["steps"] += [twin, gone]

    loaded = load_plan(write(tmp_path, broken(replace)))
    assert sum(r.urn.endswith("::system") for r in loaded.resources) == 1


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
def test_the_streamed_reader_agrees_with_json_load_on_any_chunking(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(plan_stream, "CHUNK", chunk)
    plan = clean_plan()
    plan["config"]["aeon-infra:note"] = "ünïcödé spans chunk ends: \u00e9\u4e2d\U0001f600"
    path = write(tmp_path, plan)
    streamed = load_plan(path)
    whole = resources_from_plan(json.loads(path.read_text()))
    assert streamed.resources == whole.resources and streamed.config == whole.config
    assert streamed.stack == "fixture" and len(streamed.lines) == len(plan["steps"])
