"""The policy config files and the CLI's config merge.

- policies/config/<stack>.json may not lower an enforcement level below the pack's default, and
  every threshold it relaxes carries a `reason`;
- policies/requirements.txt is satisfied by the project's environment (the CLI runs the pack in
  its own virtualenv; aeon runs it with the project's interpreter);
- a broken config (unknown policy, wrong type, bad level) is a clear error naming policy and key.
"""

from __future__ import annotations

import ast
import json
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from aeon.analyzer.config import LEVEL_RANK, PolicySpec, merge_config
from aeon.cli import invoke
from aeon.errors import UserError
from tests.policy.pack import PACK, import_guardrails

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((PACK / "config").glob("*.json"))
CLEAN_PLAN = ROOT / "tests" / "policy" / "plans" / "clean.json"


@pytest.fixture(scope="module")
def catalogue():
    return {g.name: g for g in import_guardrails().catalogue()}


def _relaxed(direction: str, default, value) -> bool:
    if isinstance(default, dict) and isinstance(value, dict):
        keys = set(value) if default else set()
        fallback = default.get("default")
        return any(_relaxed(direction, default.get(k, fallback), value[k]) for k in keys)
    if direction == "lower":
        return default is not None and value < default
    if direction == "higher":
        return default is not None and value > default
    if direction == "wider":  # an empty default list means "not checked": any list tightens it
        return bool(default) and bool(set(value) - set(default))
    if direction == "narrower":
        return bool(set(default or []) - set(value))
    raise AssertionError(direction)


def config_problems(catalogue, config: dict) -> list[str]:
    problems = []
    for name, entry in config.items():
        if name == "all":
            level = entry if isinstance(entry, str) else entry.get("enforcementLevel")
            lowered = [
                g for g in catalogue.values() if LEVEL_RANK[level] < LEVEL_RANK[g.enforcement]
            ]
            if lowered:
                problems.append(f"all: {level} lowers {', '.join(g.name for g in lowered)}")
            continue
        rail = catalogue[name]
        entry = {"enforcementLevel": entry} if isinstance(entry, str) else entry
        level = entry.get("enforcementLevel")
        if level is not None and LEVEL_RANK[level] < LEVEL_RANK[rail.enforcement]:
            problems.append(
                f"{name}: enforcementLevel {level} is below the default {rail.enforcement}"
            )
        defaults = rail.defaults()
        for key, direction in rail.relaxes.items():
            if key in entry and _relaxed(direction, defaults.get(key), entry[key]):
                if not str(entry.get("reason", "")).strip():
                    problems.append(f"{name}: {key} relaxes the default without a reason")
    return problems


def test_there_are_stack_configs():
    assert {p.stem for p in CONFIGS} >= {"prod", "dev"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_stack_config_neither_lowers_levels_nor_relaxes_without_reason(catalogue, path):
    assert config_problems(catalogue, json.loads(path.read_text())) == []


def test_the_config_rule_catches_lowered_levels_and_silent_relaxations(catalogue):
    bad = {
        "s3-public-access-blocked": "advisory",
        "asg-spot-diversified": {"min_types_by_role": {"inference": 4}},
        "instance-families-approved": {"approved_families_by_role": {"cpu": ["m5", "t3"]}},
        "required-cost-tags": {"required_tags": ["team"], "reason": "migration, ticket FIN-7"},
        "all": "advisory",
    }
    problems = config_problems(catalogue, bad)
    assert any(
        p.startswith("s3-public-access-blocked: enforcementLevel advisory") for p in problems
    )
    assert (
        "asg-spot-diversified: min_types_by_role relaxes the default without a reason" in problems
    )
    assert (
        "instance-families-approved: approved_families_by_role relaxes the default without a reason"
        in problems
    )
    assert not any(p.startswith("required-cost-tags") for p in problems)
    assert any(p.startswith("all: advisory lowers") for p in problems)


def test_every_policy_has_the_catalogue_fields(catalogue):
    core = {
        "s3-lifecycle-transitions-valid", "s3-minimum-duration-trap", "asg-spot-diversified",
        "s3-public-access-blocked", "gpu-types-in-gpu-pools", "budget-exists", "required-cost-tags",
    }  # fmt: skip
    assert core <= set(catalogue)
    for rail in catalogue.values():
        assert "Remediation:" in rail.description, rail.name
        assert rail.severity in ("low", "medium", "high", "critical")
        assert rail.enforcement in ("advisory", "mandatory")
        assert set(rail.relaxes) <= set(rail.config), rail.name
        assert all("default" in spec for spec in rail.config.values()), rail.name
    assert all(catalogue[name].enforcement == "mandatory" for name in core)
    assert catalogue["budget-exists"].kind == "stack"


def _requirements(lines: list[str]) -> dict[str, Requirement]:
    reqs = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(r.name): r for r in reqs}


def _pack_requirements() -> dict[str, Requirement]:
    return _requirements((PACK / "requirements.txt").read_text().splitlines())


def test_pack_pins_what_the_project_pins():
    """Every requirement of the pack is an exact pin, identical to the project's own pin (the
    speed shim depends on pulumi-policy's internals, so the version it was checked with is the
    one the CLI installs for the pack)."""
    pack = _pack_requirements()
    project = _requirements(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    )
    assert {"pulumi", "pulumi-policy", "pyyaml"} <= set(pack)
    for name, req in pack.items():
        assert [s.operator for s in req.specifier] == ["=="], f"{req} is not an exact pin"
        assert name in project, f"the pack needs {req}; pyproject.toml does not pin {name}"
        assert project[name].specifier == req.specifier, f"pack {req} vs project {project[name]}"


def test_pack_requirements_are_satisfied_by_the_project_environment():
    for req in _pack_requirements().values():
        installed = metadata.version(req.name)
        assert req.specifier.contains(installed, prereleases=True), (
            f"{req} but {installed} installed"
        )


def test_pack_imports_nothing_from_the_repository():
    imported = set()
    for path in PACK.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert imported & {"aeon", "components", "optimizers"} == set()
    assert {"pulumi_policy", "aeon_guardrails"} <= imported


SPECS = [
    PolicySpec("a-policy", "A.", "mandatory", "high", "resource",
               {"limit": {"type": "integer", "default": 3}, "reason": {"type": "string"}}),
    PolicySpec("b-policy", "B.", "advisory", "low", "stack",
               {"names": {"type": "array", "default": []}}),
]  # fmt: skip


def test_merge_order_defaults_then_initial_then_user():
    merged = merge_config(
        SPECS, {"a-policy": {"limit": 5}}, {"all": "advisory", "a-policy": {"limit": 7}}
    )
    assert merged["a-policy"].properties == {"limit": 7}
    assert (
        merged["a-policy"].enforcement == "advisory"
        and merged["b-policy"].enforcement == "advisory"
    )
    assert merge_config(SPECS, {"a-policy": {"limit": 5}}, {})["a-policy"].properties == {
        "limit": 5
    }
    assert merge_config(SPECS, None, {"b-policy": "disabled"})["b-policy"].enforcement == "disabled"


@pytest.mark.parametrize(
    ("user", "needle"),
    [
        ({"no-such-policy": "mandatory"}, "unknown policy 'no-such-policy'"),
        (
            {"a-policy": {"limit": "three"}},
            "policy 'a-policy' key 'limit': 'three' is not of type 'integer'",
        ),
        (
            {"a-policy": {"enforcementLevel": "strict"}},
            "a-policy.enforcementLevel: bad enforcement level 'strict'",
        ),
        ({"a-policy": {"limt": 4}}, "policy 'a-policy' key 'limt'"),
        ({"b-policy": 7}, "b-policy: expected an enforcement level or an object"),
    ],
)
def test_broken_config_names_policy_and_key(user, needle):
    with pytest.raises(UserError) as err:
        merge_config(SPECS, None, user, "cfg.json")
    assert needle in str(err.value)


def test_cli_reports_a_broken_config_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"asg-spot-diversified": {"min_availability_zones": "two"}}))
    code = invoke(["policy", "--plan", str(CLEAN_PLAN), "--config", str(bad), "--cwd", str(ROOT)])
    err = capsys.readouterr().err
    assert code == 2
    assert "policy 'asg-spot-diversified' key 'min_availability_zones'" in err
    assert "Traceback" not in err
