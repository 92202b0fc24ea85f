"""`aeon cost` and `aeon preview`'s cost lines: shapes, errors, and a base git ref whose program
runs in its own process (its code, not the working tree's)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.costing.plans import BUILDERS, FIXTURES, STACK_URN, render, urn
from tests.helpers import REPO, run_cli, run_json

FIXTURE = str(FIXTURES / "networking.json")


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_plan_fixtures_are_current(name):
    assert (FIXTURES / f"{name}.json").read_text() == render(name), (
        "run `python -m tests.costing.plans` to rewrite the fixtures"
    )


def test_json_report_has_the_documented_shape():
    result = run_cli("cost", "--plan", FIXTURE, "--format", "json", "--price-date", "2026-12-01")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["stack"] == "costfix" and doc["currency"] == "USD"
    assert doc["total_monthly_usd"] == pytest.approx(
        sum(r["monthly_usd"] for r in doc["resources"]), abs=0.05
    )
    resource = next(
        r for r in doc["resources"] if r["name"] == "nat" and "nat" in r["type"].lower()
    )
    assert {"urn", "type", "name", "region", "monthly_usd", "lines"} <= set(resource)
    assert {"component", "unit", "quantity", "unit_usd", "monthly_usd"} <= set(resource["lines"][0])
    assert doc["unpriced"] == [
        {
            "urn": urn("aws:lb/loadBalancer:LoadBalancer", "edge-tcp"),
            "type": "aws:lb/loadBalancer:LoadBalancer",
            "name": "edge-tcp",
            "region": "sa-east-1",
            "why": "no price 'elb.network.hour' for sa-east-1",
        }
    ]
    assert doc["by_region"]["sa-east-1"] > 0


def test_markdown_and_table_formats():
    md = run_cli("cost", "--plan", FIXTURE, "--format", "md", "--price-date", "2026-12-01")
    assert md.code == 0 and md.out.startswith("### aeon-infra / costfix: $")
    assert "**Unpriced** (not in the total):" in md.out
    table = run_cli("cost", "--plan", FIXTURE, "--price-date", "2026-12-01")
    assert table.code == 0 and "by region" in table.out and "unpriced" in table.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--plan", FIXTURE, "--stack", "dev"], "exactly one of --stack"),
        (["--stack", "dev", "--base-plan", FIXTURE], "--base-plan compares two plans"),
        (["--plan", FIXTURE, "--base", "main", "--base-plan", FIXTURE], "at most one of"),
        (["--plan", FIXTURE, "--format", "html"], "unknown format"),
        (["--plan", FIXTURE, "--price-date", "tomorrow"], "is not a date"),
        (["--plan", "/nonexistent/plan.json"], "does not exist"),
        (["--plan", FIXTURE, "--usage", "/nonexistent/usage.yml"], "does not exist"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, message):
    result = run_cli("cost", *argv)
    assert result.code == 2
    assert message in result.err and len(result.err.strip().splitlines()) == 1


def test_bad_usage_file_is_a_user_error(tmp_path):
    usage = tmp_path / "usage.yml"
    usage.write_text("version: 0.1\nresource_usage:\n  nat:\n    monthly_data_processed_gb: lots\n")
    result = run_cli("cost", "--plan", FIXTURE, "--usage", str(usage))
    assert result.code == 2 and "expected a number, got 'lots'" in result.err


def _previewed(show_sames: bool) -> dict:
    """The networking fixture as `pulumi preview --json` prints it when only the NAT gateway
    changes: without --show-sames only the root stack's `same` step is kept, but all are counted."""
    plan = json.loads(Path(FIXTURE).read_text())
    for step in plan["steps"]:
        step["op"] = "update" if step["urn"].endswith("natGateway:NatGateway::nat") else "same"
    plan["changeSummary"] = {"same": len(plan["steps"]) - 1, "update": 1}
    if not show_sames:
        plan["steps"] = [s for s in plan["steps"] if s["op"] != "same" or s["urn"] == STACK_URN]
    return plan


def test_a_plan_without_unchanged_resources_is_refused(tmp_path):
    partial, full = tmp_path / "partial.json", tmp_path / "full.json"
    partial.write_text(json.dumps(_previewed(show_sames=False)))
    full.write_text(json.dumps(_previewed(show_sames=True)))
    for argv in (
        ["cost", "--plan", str(partial)],
        ["cost", "--plan", str(full), "--base-plan", str(partial)],
        ["pr-comment", "--stack", "costfix", "--base", "main", "--plan", str(partial)],
        ["policy", "--plan", str(partial)],
    ):
        result = run_cli(*argv)
        assert result.code == 2, (argv, result.err)
        assert "pulumi preview --json --show-sames" in result.err, argv
        assert "changeSummary counts 12 unchanged resources but only 1 have a step" in result.err
        assert len(result.err.strip().splitlines()) == 1
    whole = run_json("cost", "--plan", str(full), "--format", "json", "--price-date", "2026-12-01")
    fixture = run_json("cost", "--plan", FIXTURE, "--format", "json", "--price-date", "2026-12-01")
    assert whole["total_monthly_usd"] == fixture["total_monthly_usd"] > 0


# --- a base git ref: its own program in its own process -------------------------------------

PROGRAM = """\
import pulumi_aws as aws
import costdiff_fixture_lib

costdiff_fixture_lib.build(aws)
"""
LIB = """\
def build(aws):
    for i in range({nats}):
        aws.ec2.NatGateway(f"nat-{{i}}", allocation_id=f"eipalloc-{{i}}", subnet_id="subnet-1")
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("costdiff")
    (root / "Pulumi.yaml").write_text("name: costdiff\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (root / "__main__.py").write_text(PROGRAM)
    (root / "costdiff_fixture_lib.py").write_text(LIB.format(nats=1))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@e", "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "one NAT")
    # The working tree's code adds a NAT gateway; the config does not change.
    (root / "costdiff_fixture_lib.py").write_text(LIB.format(nats=2))
    return root


def test_base_ref_runs_its_own_code(repo):
    result = run_cli(
        "cost",
        "--cwd",
        str(repo),
        "--stack",
        "dev",
        "--base",
        "main",
        "--format",
        "json",
        "--price-date",
        "2026-12-01",
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["base"] == "main"
    assert [(c["change"], c["name"]) for c in doc["changes"]] == [("add", "nat-1")]
    assert doc["total_delta_monthly_usd"] == pytest.approx(730 * 0.045)
    assert doc["base_total_monthly_usd"] == pytest.approx(730 * 0.045)
    worktrees = subprocess.run(
        ["git", "-C", str(repo), "worktree", "list"], capture_output=True, text=True, check=True
    ).stdout
    assert len(worktrees.strip().splitlines()) == 1  # the temporary worktree is gone


def test_preview_prints_the_total_and_the_delta(repo):
    result = run_cli(
        "preview", "--cwd", str(repo), "--stack", "dev", "--no-policies", "--base", "main"
    )
    assert result.code == 0, result.err
    assert "monthly cost: $65.70 (aeon cost for details)" in result.out
    assert "monthly cost change: +$32.85 against main" in result.out
    doc = json.loads(
        run_cli(
            "preview", "--cwd", str(repo), "--stack", "dev", "--no-policies", "--format", "json"
        ).out
    )
    assert doc["cost"]["total_monthly_usd"] == pytest.approx(65.7)


def test_unknown_ref_and_a_stack_the_base_lacks(repo, tmp_path):
    result = run_cli("cost", "--cwd", str(repo), "--stack", "dev", "--base", "no-such-ref")
    assert result.code == 2 and "no such git ref" in result.err
    (repo / "Pulumi.new.yaml").write_text("config:\n  aws:region: us-east-1\n")
    try:
        added = run_cli(
            "cost", "--cwd", str(repo), "--stack", "new", "--base", "main", "--format", "json"
        )
    finally:
        (repo / "Pulumi.new.yaml").unlink()
    assert added.code == 0, added.err
    assert {c["change"] for c in json.loads(added.out)["changes"]} == {"add"}


# The engine itself loads `components` (and `components.facts.files`) from the working tree of
# aeon; a program's own `components` package, at a base ref or in a fixture, must still be its own.
NAT_COUNT = "NATS = {nats}\n"
NAT_BUILDER = """\
from components.facts.files import NATS


def build(aws):
    for i in range(NATS):
        aws.ec2.NatGateway(f"nat-{i}", allocation_id=f"eipalloc-{i}", subnet_id="subnet-1")
"""


def _commit(root: Path, message: str) -> None:
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", message)


@pytest.fixture(scope="module")
def components_repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compdiff")
    (root / "Pulumi.yaml").write_text("name: compdiff\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (root / "__main__.py").write_text(
        "import pulumi_aws as aws\nfrom components.nat import build\n\nbuild(aws)\n"
    )
    facts = root / "components" / "facts"
    facts.mkdir(parents=True)
    (root / "components" / "__init__.py").write_text("")
    (root / "components" / "nat.py").write_text(NAT_BUILDER)
    (facts / "__init__.py").write_text("")
    (facts / "files.py").write_text(NAT_COUNT.format(nats=1))
    _git(root, "init", "-q", "-b", "main")
    _commit(root, "one NAT")
    _git(root, "tag", "base")
    (facts / "files.py").write_text(NAT_COUNT.format(nats=3))  # only component code changes
    _commit(root, "three NATs")
    return root


def test_base_ref_runs_its_own_components_package(components_repo):
    import components

    engines_own = components.__file__
    result = run_cli("cost", "--cwd", str(components_repo), "--stack", "dev", "--base", "base",
                     "--format", "json", "--price-date", "2026-12-01")  # fmt: skip
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["base_total_monthly_usd"] == pytest.approx(730 * 0.045)
    assert doc["head_total_monthly_usd"] == pytest.approx(3 * 730 * 0.045)
    assert sorted((c["change"], c["name"]) for c in doc["changes"]) == [
        ("add", "nat-1"), ("add", "nat-2"),
    ]  # fmt: skip
    assert doc["total_delta_monthly_usd"] == pytest.approx(2 * 730 * 0.045)
    # The engine's own `components` is back once the fixture's program has run.
    assert sys.modules["components"].__file__ == engines_own
    assert "components.nat" not in sys.modules
    preview = run_cli("preview", "--cwd", str(components_repo), "--stack", "dev",
                      "--no-policies", "--base", "base")  # fmt: skip
    assert preview.code == 0, preview.err
    assert "monthly cost change: +$65.70 against base" in preview.out


REF_SETTINGS = """\
from types import SimpleNamespace


class InvalidSettings(ValueError):
    pass


def parse_settings(config, stack):
    committed = float(config["compdiff:committed"])
    return SimpleNamespace(pools=[SimpleNamespace(name="gpu", capacity=SimpleNamespace(
        committed=committed))])
"""


def test_the_base_reads_its_commitments_with_its_own_settings_model(tmp_path):
    from aeon.cost.snapshot import _committed

    engines_own = sys.modules["components"]
    config = {"compdiff:committed": "3"}
    assert _committed(tmp_path, config, "dev") is None  # no settings model there: caller reads
    (tmp_path / "components" / "settings").mkdir(parents=True)
    (tmp_path / "components" / "__init__.py").write_text("")
    (tmp_path / "components" / "settings" / "__init__.py").write_text(REF_SETTINGS)
    assert _committed(tmp_path, config, "dev") == {"gpu": 3.0}
    assert sys.modules["components"] is engines_own
    assert "parse_settings" in vars(sys.modules["components.settings"])  # the engine's, back


SINGLE_NAT = 'nat_count = region.availability_zones if region.nat_gateways == "per-az" else 1'


def test_a_change_to_the_repositorys_own_components_shows_in_the_diff(tmp_path):
    """The dev stack in a git repository of its own where only `components/network.py` changes
    (two NAT gateways where one was): the base runs its own `components`, so the diff has them."""
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "components", tmp_path / "components",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    _git(tmp_path, "init", "-q", "-b", "main")
    _commit(tmp_path, "the repository's components")
    network = tmp_path / "components" / "network.py"
    assert SINGLE_NAT in network.read_text(), "components/network.py changed: update SINGLE_NAT"
    network.write_text(network.read_text().replace(SINGLE_NAT, SINGLE_NAT[:-1] + "2"))
    result = run_cli("cost", "--cwd", str(tmp_path), "--stack", "dev", "--base", "main",
                     "--format", "json", "--price-date", "2026-12-01")  # fmt: skip
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert sorted((c["change"], c["type"]) for c in doc["changes"]) == [
        ("add", "aws:ec2/eip:Eip"), ("add", "aws:ec2/natGateway:NatGateway"),
    ]  # fmt: skip
    assert doc["total_delta_monthly_usd"] == pytest.approx(730 * (0.045 + 0.005))


def test_not_a_git_repository(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    result = run_cli("cost", "--cwd", str(tmp_path), "--stack", "dev", "--base", "main")
    assert result.code == 2 and "not in a git repository" in result.err


def test_plan_resources_take_their_providers_region():
    from aeon.analyzer.plan import load_plan

    plan = load_plan(Path(__file__).parent / "engine" / "programs" / "nested" / "preview.json")
    regions = {r.type: r.region for r in plan.resources if r.custom}
    assert regions["aws:ec2/vpc:Vpc"] == "us-west-2"  # an explicit provider
    assert regions["aws:s3/bucket:Bucket"] == "eu-west-1"  # the default one: aws:region
