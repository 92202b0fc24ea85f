"""The CI workflows: actionlint finds nothing; actions are pinned to commits with their version;
permissions are least and explicit; each job runs one stack at a time; and every `aeon` command
and flag a workflow calls exists (checked against `aeon ... --help`)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.helpers import REPO, run_cli

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def _load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def _actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
        "actionlint"
    )
    assert found, "actionlint is a test dependency (pip install -e '.[test]')"
    return found


def test_the_three_workflows_exist():
    assert {p.name for p in WORKFLOWS} == {"preview.yml", "up.yml", "recommend.yml"}


def test_actionlint_finds_nothing():
    result = subprocess.run([_actionlint(), "-no-color", *map(str, WORKFLOWS)],
                            capture_output=True, text=True, cwd=REPO)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_permissions_least_and_concurrency(path):
    workflow = _load(path)
    assert workflow.get("permissions") == {}, "grant permissions per job, none at the top"
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"{name}: explicit permissions"
        assert "write-all" not in str(job["permissions"])
        assert job.get("concurrency") or workflow.get("concurrency"), f"{name}: concurrency"
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{step['uses']}: pin to a commit"
    text = path.read_text()
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"# v\d+\.\d+\.\d+$", line), f"say the version: {line.strip()}"
    assert not re.search(r"(AKIA[0-9A-Z]{16}|aws_secret_access_key|pul-[0-9a-f]{40})", text)


def test_deploying_jobs_run_where_the_private_cluster_endpoint_is_reachable():
    for name in ("preview.yml", "up.yml"):
        job = next(iter(_load(REPO / ".github" / "workflows" / name)["jobs"].values()))
        assert "AEON_RUNNER_LABELS" in job["runs-on"] and "aeon-vpc" in job["runs-on"]
    up = _load(REPO / ".github" / "workflows" / "up.yml")["jobs"]["up"]
    assert up["environment"] and up["concurrency"]["cancel-in-progress"] is False


def _aeon_calls(script: str) -> list[list[str]]:
    """Each `aeon ...` command line of a run script, with `${{ }}` expressions neutralized."""
    joined = re.sub(r"\\\n\s*", " ", script)
    calls = []
    for line in joined.splitlines():
        for part in re.split(r"&&|\|\||;|\|", EXPRESSION.sub("X", line)):
            words = shlex.split(part.split(">")[0].strip(), posix=True) if part.strip() else []
            if words and Path(words[0]).name == "aeon":
                calls.append(words[1:])
    return calls


def _subcommand_and_flags(words: list[str]) -> tuple[list[str], list[str]]:
    command = []
    for word in words:
        if word.startswith("-"):
            break
        command.append(word)
    return command, [w.split("=")[0] for w in words if w.startswith("--")]


CALLS = [
    pytest.param(words, id=f"{path.name}:{' '.join(words[:1])}")
    for path in WORKFLOWS
    for job in _load(path)["jobs"].values()
    for step in job["steps"]
    if "run" in step
    for words in _aeon_calls(step["run"])
]


def test_workflows_call_aeon():
    assert {c.values[0][0] for c in CALLS} >= {"policy", "pr-comment", "recommend", "apply",
                                               "report"}  # fmt: skip


@pytest.mark.parametrize("words", CALLS)
def test_every_aeon_command_and_flag_exists(words):
    command, flags = _subcommand_and_flags(words)
    result = run_cli(*command, "--help")
    assert result.code == 0, f"aeon {' '.join(command)} does not exist: {result.err}"
    for flag in flags:
        assert re.search(rf"(^|[\s,]){re.escape(flag)}([\s,=]|$)", result.out, re.M), (
            f"aeon {' '.join(command)} has no {flag}"
        )


def test_the_checker_sees_through_continuations_and_catches_a_missing_flag():
    script = (
        '.venv/bin/aeon pr-comment --stack "$S" \\\n'
        '  --base "origin/${{ github.base_ref }}" --bogus x > out.md'
    )
    (words,) = _aeon_calls(script)
    command, flags = _subcommand_and_flags(words)
    assert command == ["pr-comment"] and flags == ["--stack", "--base", "--bogus"]
    help_text = run_cli(*command, "--help").out
    assert "--base" in help_text and "--bogus" not in help_text


def _steps(name: str) -> list[dict]:
    workflow = _load(REPO / ".github" / "workflows" / name)
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_the_plan_holds_unchanged_resources():
    """Without --show-sames the JSON leaves out every `same` step, and the cost diff and policy
    pack would see unchanged resources as removed (aeon refuses such a plan)."""
    previews = [
        line
        for step in _steps("preview.yml")
        for line in re.sub(r"\\\n\s*", " ", step.get("run", "")).splitlines()
        if re.search(r"\bpulumi preview\b.*--json", line)
    ]
    assert previews, "preview.yml writes the plan with `pulumi preview --json`"
    assert all("--show-sames" in line for line in previews), previews


# Inputs of actions/create-github-app-token v3.1.1 (its action.yml at the pinned commit), besides
# the `permission-<name>` ones. actionlint does not know this action's inputs.
APP_TOKEN_INPUTS = {"client-id", "app-id", "private-key", "owner", "repositories",
                    "skip-token-revoke", "github-api-url"}  # fmt: skip
APP_TOKEN_ACTION = "actions/create-github-app-token@1b10c78c7865c340bc4f6099eb2f838309f1e8c3"


def test_the_weekly_pull_request_is_opened_with_an_app_token_so_checks_run():
    """A pull request opened with GITHUB_TOKEN starts no workflow: preview.yml would never run."""
    steps = _steps("recommend.yml")
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    mint = steps[uses.index("actions/create-github-app-token")]
    opener = steps[uses.index("peter-evans/create-pull-request")]
    assert uses.index("actions/create-github-app-token") < uses.index(
        "peter-evans/create-pull-request"
    )
    assert mint["uses"] == APP_TOKEN_ACTION
    inputs = mint["with"]
    assert {k for k in inputs if not k.startswith("permission-")} <= APP_TOKEN_INPUTS
    assert inputs["client-id"] == "${{ vars.AEON_APP_CLIENT_ID }}"
    assert inputs["private-key"] == "${{ secrets.AEON_APP_PRIVATE_KEY }}"
    assert inputs["permission-contents"] == inputs["permission-pull-requests"] == "write"
    assert opener["with"]["token"] == f"${{{{ steps.{mint['id']}.outputs.token }}}}"
    job = next(iter(_load(REPO / ".github" / "workflows" / "recommend.yml")["jobs"].values()))
    assert job["permissions"].get("contents") == "read"  # the App's token writes, not GITHUB_TOKEN
    assert "pull-requests" not in job["permissions"]
    readme = (REPO / "README.md").read_text()
    assert "AEON_APP_CLIENT_ID" in readme and "AEON_APP_PRIVATE_KEY" in readme


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_is_opened_with_the_workflow_token(path):
    for job in _load(path)["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("peter-evans/create-pull-request@"):
                token = str((step.get("with") or {}).get("token", "${{ github.token }}"))
                assert "github.token" not in token and "GITHUB_TOKEN" not in token
