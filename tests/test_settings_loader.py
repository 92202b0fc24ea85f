"""`aeon.settings_loader.load_settings`: the one way the CLI turns a stack into typed settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from aeon.errors import UserError
from aeon.project import find_project
from aeon.settings_loader import load_settings
from tests.helpers import REPO, copy_project, run_cli


def test_loads_the_committed_stacks() -> None:
    project = find_project(REPO)
    assert load_settings(project, "prod").primary_region.name == "us-east-1"
    assert [p.name for p in load_settings(project, "dev").pools] == [
        "dev-system", "dev-system-4c", "dev-inference", "dev-inference-8c"
    ]  # fmt: skip


@pytest.fixture
def project(tmp_path: Path):
    return find_project(copy_project(tmp_path))


def test_a_bad_config_is_a_user_error_naming_the_key(project) -> None:
    path = project.root / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("max_size: 3", "max_size: 0", 1))
    with pytest.raises(UserError) as caught:
        load_settings(project, "dev")
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert message.startswith("invalid stack config for stack 'dev':")
    assert "aeon-infra:pools[0] ('dev-system'): sizes must satisfy" in message


def test_text_stands_for_the_stack_file(project) -> None:
    path = project.root / "Pulumi.dev.yaml"
    before = path.read_text()
    edited = before.replace("max_size: 3", "max_size: 4", 1)
    assert load_settings(project, "dev", edited).pools[0].max_size == 4
    assert load_settings(project, "dev").pools[0].max_size == 3
    assert path.read_text() == before
    with pytest.raises(UserError, match="not valid YAML"):
        load_settings(project, "dev", "config: [unclosed")
    # Project defaults and required keys apply to the text as to the file (Pulumi.yaml's rules).
    without_environment = before.replace("  aeon-infra:environment: dev\n", "")
    with pytest.raises(UserError, match="missing configuration value.*aeon-infra:environment"):
        load_settings(project, "dev", without_environment)


def test_policy_sync_config_reports_a_bad_config_as_exit_2(project) -> None:
    path = project.root / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("role: primary", "role: central", 1))
    result = run_cli("policy", "sync-config", "--stack", "dev", "--cwd", str(project.root))
    assert result.code == 2
    assert "aeon-infra:regions[0].role ('us-east-1'): Input should be 'primary'" in result.err
    assert result.out == ""
