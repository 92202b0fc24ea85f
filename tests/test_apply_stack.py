"""`aeon apply`: recommendations into Pulumi.<stack>.yaml and policies/config/<stack>.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from aeon.cli import invoke
from aeon.stack_file import StackFileText
from optimizers.apply import select
from optimizers.recommendation import recommendations_path, save
from tests.apply.recs import REPO, make_project, prod_set, rec, rightsizing_file


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def files(root: Path) -> tuple[str, str]:
    return (
        (root / "Pulumi.prod.yaml").read_text(),
        (root / "policies/config/prod.json").read_text(),
    )


def pools(root: Path) -> dict[str, dict]:
    config = YAML(typ="safe").load((root / "Pulumi.prod.yaml").read_text())["config"]
    return {p["name"]: p for p in config["aeon-infra:pools"]}


def ids_of(kind: str, pool: str) -> str:
    return next(r.id for r in prod_set().recommendations if r.kind == kind and r.pool == pool)


def test_apply_edits_only_the_pool_lines_and_keeps_the_rest_byte_for_byte(project, capsys):
    before, policy_before = files(project)
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    out = capsys.readouterr().out
    after, policy_after = files(project)
    p = pools(project)
    # remove: one instance fewer (min follows desired); share: replicas set, one node freed;
    # downsize: the proposed type first, the others kept; max unchanged.
    assert (p["system"]["min_size"], p["system"]["desired_size"], p["system"]["max_size"]) == (
        2,
        2,
        10,
    )
    assert p["system"]["instance_types"][:3] == ["m6i.xlarge", "m7i.xlarge", "m7a.xlarge"]
    assert len(p["system"]["instance_types"]) == 5
    assert p["inference-shared"]["gpu_sharing"] == {"time_slicing_replicas": 8}
    assert p["inference-shared"]["desired_size"] == 1
    assert p["vector"] == pools_of_repo()["vector"]
    # Every line before the recommendations block is either unchanged or one of the edited keys.
    old_lines, new_lines = before.splitlines(), after.splitlines()
    cut = next(i for i, line in enumerate(old_lines) if "aeon-infra:recommendations" in line)
    changed = [(o, n) for o, n in zip(old_lines[:cut], new_lines[:cut], strict=False) if o != n]
    assert changed and all(
        any(
            k in o
            for k in ("instance_types", "m6a.xlarge", "min_size", "desired_size", "time_slicing")
        )
        for o, _ in changed
    ), changed
    assert "# framework 6.2: scale out at 70%, in at 30%" in after
    assert after.count("\n#") == before.count("\n#") and after.count("# ") == before.count("# ")
    # What was applied is recorded under recommendations.applied.
    config = YAML(typ="safe").load(after)["config"]
    applied = config["aeon-infra:recommendations"]["applied"]
    assert {a["kind"] for a in applied} == {"remove", "downsize", "share", "change-family"}
    assert all(a["applied_at"].endswith("Z") for a in applied)
    # The policy config gains recommendation-enforced; every other line is kept.
    doc = json.loads(policy_after)
    entry = doc["recommendation-enforced"]["pools"]["system"]
    assert entry["allowed_instance_types"] == p["system"]["instance_types"]
    assert entry["max_size"] == 10 and entry["generated_at"] == "2026-11-28T12:00:00Z"
    assert set(policy_before.splitlines()) <= set(policy_after.splitlines())
    assert "--- a/Pulumi.prod.yaml" in out and "+      desired_size: 2" in out
    assert "ghost-pool" in out and "not-applicable" in out


def pools_of_repo() -> dict[str, dict]:
    return pools(REPO)


def test_applying_twice_changes_nothing(project, capsys):
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    first = files(project)
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    assert files(project) == first
    assert "nothing to change" in capsys.readouterr().err


def test_dry_run_writes_nothing_but_prints_the_diff(project, capsys):
    before = files(project)
    assert invoke(["apply", "--stack", "prod", "--dry-run", "--cwd", str(project)]) == 0
    captured = capsys.readouterr()
    assert files(project) == before
    assert "+      desired_size: 2" in captured.out and "would write" in captured.err


def test_unknown_ids_exit_2_naming_them_and_write_nothing(project, capsys):
    before = files(project)
    good = ids_of("remove", "system")
    code = invoke(
        ["apply", "--stack", "prod", "--ids", f"{good},rec-nope,rec-gone", "--cwd", str(project)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "rec-nope" in err and "rec-gone" in err and good not in err.split("unknown")[1][:60]
    assert files(project) == before


def test_ids_select_only_those(project):
    assert (
        invoke(
            ["apply", "--stack", "prod", "--ids", ids_of("remove", "system"), "--cwd", str(project)]
        )
        == 0
    )
    p = pools(project)
    assert p["system"]["desired_size"] == 2
    assert p["system"]["instance_types"][0] == "m7i.xlarge"  # the downsize was not asked for
    assert p["inference-shared"]["gpu_sharing"] == {"time_slicing_replicas": 4}


def test_max_risk_filters_by_risk_level():
    recs = prod_set()
    low = {r.kind.value for r in select(recs, max_risk="low")}
    medium = {r.kind.value for r in select(recs, max_risk="medium")}
    assert "share" not in low and "share" in medium  # share is medium
    assert "change-family" not in medium  # high
    assert len(select(recs)) == len(recs.recommendations)


def test_max_risk_low_on_the_cli(project):
    assert invoke(["apply", "--stack", "prod", "--max-risk", "low", "--cwd", str(project)]) == 0
    p = pools(project)
    assert p["system"]["desired_size"] == 2
    assert p["inference-shared"]["gpu_sharing"] == {"time_slicing_replicas": 4}


def test_second_write_failing_leaves_both_files_unchanged(project, monkeypatch, capsys):
    before = files(project)
    real = os.replace

    def failing(src, dst, *args, **kwargs):
        if str(dst).endswith("prod.json"):
            raise OSError(28, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 3
    monkeypatch.setattr(os, "replace", real)
    assert files(project) == before
    leftovers = [p.name for p in project.rglob("*.tmp")] + [
        p.name for p in project.rglob("*.restore")
    ]
    assert leftovers == []


def test_removals_are_bounded_by_max_step_pct(tmp_path, capsys):
    recs = [
        rec(
            "system",
            "us-east-1",
            "remove",
            "m7i.xlarge",
            None,
            rid=f"i-{k}",
            new_count=0,
            saving=10.0 * k,
        )
        for k in range(3)
    ]
    root = make_project(tmp_path, recset=rightsizing_file(recs))
    assert invoke(["apply", "--stack", "prod", "--cwd", str(root)]) == 0
    assert pools(root)["system"]["desired_size"] == 2  # 50% of 3 -> at most 1 removed
    out = capsys.readouterr().out
    assert out.count("deferred") >= 1 and "step bound" in out


def test_an_invalid_result_is_refused_before_writing(tmp_path, capsys):
    """A share proposal beyond what the settings accept (replicas <= 48) writes nothing."""
    bad = rec(
        "inference-shared",
        "us-east-1",
        "share",
        "g6.xlarge",
        "g6.xlarge",
        rid="i-x",
        count=2,
        replicas=64,
    )
    root = make_project(tmp_path, recset=rightsizing_file([bad]))
    before = files(root)
    assert invoke(["apply", "--stack", "prod", "--cwd", str(root)]) == 2
    assert "time_slicing_replicas" in capsys.readouterr().err
    assert files(root) == before


def test_dev_stack_without_a_recommendations_key_gets_one(tmp_path):
    recs = [
        rec(
            "dev-inference",
            "us-east-1",
            "share",
            "g6.xlarge",
            "g6.xlarge",
            rid="i-d",
            count=2,
            new_count=1,
            replicas=6,
        )
    ]
    recset = rightsizing_file(recs, stack="dev")
    root = make_project(tmp_path, "dev", recset)
    save(recset, recommendations_path(root, "dev"))
    assert invoke(["apply", "--stack", "dev", "--cwd", str(root)]) == 0
    config = YAML(typ="safe").load((root / "Pulumi.dev.yaml").read_text())["config"]
    assert config["aeon-infra:recommendations"]["applied"][0]["kind"] == "share"
    dev = {p["name"]: p for p in config["aeon-infra:pools"]}["dev-inference"]
    assert dev["gpu_sharing"] == {"time_slicing_replicas": 6}


def test_stack_file_text_adds_a_missing_key_in_the_pool():
    text = "config:\n  pools:\n    - name: a\n      min_size: 1  # keep me\n    - name: b\n"
    doc = StackFileText(text)
    doc.set(["config", "pools", 0, "gpu_sharing"], {"time_slicing_replicas": 4})
    doc.set(["config", "pools", 0, "min_size"], 2)
    out = doc.render()
    assert out == (
        "config:\n  pools:\n    - name: a\n      min_size: 2  # keep me\n"
        "      gpu_sharing: {time_slicing_replicas: 4}\n    - name: b\n"
    )


def test_engine_runs_the_applied_stack(project):
    from aeon.engine.runner import run_program
    from aeon.project import find_project

    assert invoke(["apply", "--stack", "prod", "--cwd", str(project)]) == 0
    run = run_program(find_project(project), "prod")
    assert run.resources  # the program accepted the edited config
    system = next(p for p in json.loads(run.config["aeon-infra:pools"]) if p["name"] == "system")
    assert system["desired_size"] == 2


def test_stack_file_text_keeps_flow_mappings_flow():
    text = "config:\n  recs: {max_step_pct: 50, applied: []}\n"
    doc = StackFileText(text)
    doc.set(["config", "recs", "applied"], [{"id": "rec-1", "changes": {"a": [1, 2]}}])
    out = doc.render()
    assert YAML(typ="safe").load(out) == {
        "config": {
            "recs": {"max_step_pct": 50, "applied": [{"id": "rec-1", "changes": {"a": [1, 2]}}]}
        }
    }


def test_long_nested_lists_wrap_inside_their_brackets():
    from aeon.stack_file import flow_text

    types = [f"m{k}i.2xlarge" for k in range(12)]
    text = "k: " + flow_text([types, types[::-1]], column=3)
    assert all(len(line) <= 100 for line in text.splitlines())
    assert YAML(typ="safe").load(text) == {"k": [types, types[::-1]]}
    lines = text.splitlines()
    assert lines[1].startswith(" " * 5 + "m")  # under the inner list's first item


def _apply_json(root, capsys) -> dict:
    assert invoke(["apply", "--stack", "prod", "--cwd", str(root), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_one_shape_pool_changes_shape_when_its_instances_agree(tmp_path, capsys):
    """system (Cluster Autoscaler, 4 vCPU nodes): both instances fit 2 vCPU nodes."""
    recs = [
        rec("system", "us-east-1", "downsize", "m7i.xlarge", "m7i.large", rid="i-1", saving=60),
        rec("system", "us-east-1", "change-family", "m7i.xlarge", "m6a.large", rid="i-2"),
    ]
    root = make_project(tmp_path, recset=rightsizing_file(recs))
    before = pools(root)["system"]
    out = _apply_json(root, capsys)
    after = pools(root)["system"]
    assert after["instance_types"][:2] == ["m6a.large", "m7i.large"]  # the larger saving first
    assert "m7i.xlarge" not in after["instance_types"]
    assert set(after["instance_types"]) <= {"m6a.large", "m7i.large", "m6i.large", "m7a.large",
                                            "m5.large"}  # fmt: skip
    # one node for one node; max_size keeps the pool's burst vCPUs (10 x 4 = 20 x 2)
    for key in ("min_size", "desired_size"):
        assert after[key] == before[key]
    assert after["max_size"] == before["max_size"] * 2
    (edit,) = out["edits"]
    assert any("shape 4 vCPU, 16 GiB -> 2 vCPU, 8 GiB" in n for n in edit["notes"])
    assert {a["id"] for a in out["applied"]} == {r.id for r in recs}
    assert not out["skipped"]


def test_a_one_shape_pool_whose_instances_disagree_is_left_and_reported(tmp_path, capsys):
    recs = [
        rec("system", "us-east-1", "downsize", "m7i.xlarge", "m7i.large", rid="i-1"),
        rec("system", "us-east-1", "keep", "m7i.xlarge", "m7i.xlarge", rid="i-2", saving=0),
        rec("system", "us-east-1", "remove", "m7i.xlarge", None, rid="i-3", new_count=0),
    ]
    root = make_project(tmp_path, recset=rightsizing_file(recs))
    before = pools(root)["system"]
    out = _apply_json(root, capsys)
    skipped = {s["id"]: s for s in out["skipped"]}
    assert skipped[recs[0].id]["reason"] == "disagreement"
    assert (
        "1 on m7i.large (2 vCPU, 8 GiB); 1 on m7i.xlarge (4 vCPU, 16 GiB)"
        in (skipped[recs[0].id]["detail"])
    )
    after = pools(root)["system"]
    assert after["instance_types"] == before["instance_types"]
    assert after["desired_size"] == before["desired_size"] - 1  # the removal is a node count


def test_a_weighted_fleet_takes_a_smaller_unit_and_scales_its_sizes(tmp_path, capsys):
    """edge-cache-euw1 counts in c7i.large units (2 vCPUs); c7a.medium (1) halves the unit."""
    shrink = rec("edge-cache-euw1", "eu-west-1", "downsize", "c7a.large", "c7a.medium")
    root = make_project(tmp_path, recset=rightsizing_file([shrink]))
    before = pools(root)["edge-cache-euw1"]
    out = _apply_json(root, capsys)
    after = pools(root)["edge-cache-euw1"]
    assert after["instance_types"][0] == "c7a.medium"
    assert after["instance_types"][1:] == before["instance_types"]  # weighted: the others stay
    for key in ("min_size", "desired_size", "max_size"):
        assert after[key] == before[key] * 2
    assert after["capacity"]["committed"] == before["capacity"]["committed"] * 2
    assert any("becomes the unit" in n for n in out["edits"][0]["notes"])
