"""Stack config loading follows the Pulumi CLI's rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon.engine.config import SECRET_PLACEHOLDER, load_stack_config, secret_keys
from aeon.errors import UserError
from aeon.project import find_project


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text)


@pytest.fixture
def project(tmp_path: Path):
    write(tmp_path, "Pulumi.yaml", """\
name: demo
runtime: python
config:
  region_count:
    type: integer
    default: 2
  owner:
    type: string
  greeting:
    value: hello
  flags: {value: {a: 1}}
""")  # fmt: skip
    write(tmp_path, "Pulumi.dev.yaml", """\
config:
  aws:region: eu-west-1
  demo:owner: platform
  region_count: 3
  pools:
    - name: a
      size: 2
  enabled: true
  ratio: 0.5
  password:
    secure: v1:abcdef
""")  # fmt: skip
    return find_project(tmp_path)


def test_cli_rules(project) -> None:
    values = load_stack_config(project, "dev")
    assert values["aws:region"] == "eu-west-1"  # other namespaces stay as written
    assert values["demo:owner"] == "platform"
    assert values["demo:region_count"] == "3"  # the stack overrides the project default
    assert values["demo:greeting"] == "hello"  # project `value:` defaults apply
    assert json.loads(values["demo:pools"]) == [{"name": "a", "size": 2}]  # lists as JSON
    assert json.loads(values["demo:flags"]) == {"a": 1}
    assert values["demo:enabled"] == "true" and values["demo:ratio"] == "0.5"
    assert values["demo:password"] == SECRET_PLACEHOLDER
    assert secret_keys(project, "dev") == ["demo:password"]
    assert list(values) == sorted(values)


def test_required_project_key_missing(project, tmp_path: Path) -> None:
    write(tmp_path, "Pulumi.bare.yaml", "config: {}\n")
    with pytest.raises(UserError, match=r"missing configuration value\(s\) demo:owner"):
        load_stack_config(project, "bare")


def test_unknown_stack_lists_stacks(project) -> None:
    with pytest.raises(UserError, match="stacks here: dev"):
        load_stack_config(project, "prod")


def test_invalid_yaml_is_a_user_error(project, tmp_path: Path) -> None:
    write(tmp_path, "Pulumi.broken.yaml", "config: [unclosed\n")
    with pytest.raises(UserError, match="Pulumi.broken.yaml: not valid YAML"):
        load_stack_config(project, "broken")


def test_project_found_from_a_subdirectory(project, tmp_path: Path) -> None:
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_project(sub).root == tmp_path


def test_no_project_anywhere(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no Pulumi project found"):
        find_project(tmp_path)
