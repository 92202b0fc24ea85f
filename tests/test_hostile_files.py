"""Files the tool reads, hostile: every one is UTF-8 (a BOM accepted) or exit 2 naming the file and
the byte offset; YAML aliases and JSON nesting are bounded; a folder where a file belongs is exit 2.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from components.facts.files import (
    MAX_JSON_DEPTH,
    UnreadableFile,
    csv_records,
    load_json,
    load_yaml,
    write_text_atomic,
)
from tests.helpers import REPO, run_cli

ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
config:
  aws:region: us-east-1
  aeon-infra:environment: dev
  aeon-infra:tags: {team: x, cost_center: y, service: z}
  aeon-infra:regions:
    - {name: us-east-1, role: primary, vpc_cidr: 10.0.0.0/16, availability_zones: 2,
       nat_gateways: single}
  aeon-infra:monitoring: *i
  x1: *i
  x2: *i
  x3: *i
  x4: *i
  x5: *i
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def preview(project: Path):
    return run_cli("preview", "--stack", "dev", "--cwd", str(project), "--no-policies")


def dev_bytes() -> bytes:
    return (REPO / "Pulumi.dev.yaml").read_bytes()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\n".join(dev_bytes().decode().splitlines()).encode("utf-16"), "is UTF-16"),
        (dev_bytes().decode().encode("utf-16-le"), "NUL byte at offset 1"),
        (b"# caf\xe9 au lait\n" + dev_bytes(), "byte 0xe9 at offset 5 (line 1)"),
        (bytes(range(256)) * 4, "NUL byte at offset 0"),
        (b"config: [unclosed\n", "not valid YAML"),
        (ALIAS_BOMB.encode(), "YAML aliases expand the document by"),
        (b"a: &a [*a]\n", "recursive anchor"),
        (b"config: " + b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    ],
    ids=[
        "utf-16",
        "utf-16-no-bom",
        "latin-1",
        "binary",
        "bad-yaml",
        "alias-bomb",
        "recursive",
        "deep",
    ],  # fmt: skip
)
def test_a_bad_stack_file_is_exit_2_naming_the_file(project, data, expected):
    (project / "Pulumi.dev.yaml").write_bytes(data)
    started = time.perf_counter()
    result = preview(project)
    assert time.perf_counter() - started < 5  # the alias bomb is refused, not expanded
    assert result.code == 2, result.err
    assert "Pulumi.dev.yaml" in result.err and expected in result.err
    assert "Traceback" not in result.err and len(result.err.splitlines()) == 1


def test_a_utf8_bom_is_accepted(project):
    (project / "Pulumi.dev.yaml").write_bytes(b"\xef\xbb\xbf" + dev_bytes())
    result = run_cli("policy", "sync-config", "--stack", "dev", "--cwd", str(project))
    assert result.code == 0, result.err


def test_a_folder_where_the_stack_file_belongs(project):
    (project / "Pulumi.dev.yaml").unlink()
    (project / "Pulumi.dev.yaml").mkdir()
    result = preview(project)
    assert result.code == 2 and "is a directory" in result.err


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('{"all": "advisory"}'.encode("utf-16"), "is UTF-16"),
        (b'{"all": "adv\xffisory"}', "byte 0xff at offset 12"),
        (b"[" * (MAX_JSON_DEPTH + 5) + b"]" * (MAX_JSON_DEPTH + 5), "nested deeper than 100"),
        (b'{"all": NaN}', "NaN is not a JSON number"),
        (None, "is a directory"),
    ],
)
def test_a_bad_policy_config_is_exit_2(project, data, expected):
    config = project / "policies" / "config" / "dev.json"
    config.parent.mkdir(parents=True)
    if data is None:
        config.mkdir()
    else:
        config.write_bytes(data)
    result = run_cli(
        "policy", "--stack", "dev", "--cwd", str(project), "--config", str(config)
    )  # fmt: skip
    assert result.code == 2, result.err
    assert "dev.json" in result.err and expected in result.err


@pytest.mark.parametrize(
    "data", [b"\x00\x01garbage", "{}".encode("utf-16"), b"[" * 500 + b"]" * 500, b"{"]
)
def test_a_damaged_saved_recommendations_file_is_exit_2(project, data):
    saved = project / ".aeon" / "recommendations" / "dev.json"
    saved.parent.mkdir(parents=True)
    saved.write_bytes(data)
    for command in (["report"], ["apply"]):
        result = run_cli(*command, "--stack", "dev", "--cwd", str(project))
        assert result.code == 2, result.err
        assert "dev.json" in result.err and "Traceback" not in result.err


def test_readers_name_file_and_offset(tmp_path):
    latin = tmp_path / "metrics.csv"
    latin.write_bytes(b"timestamp,resource_id\n1,caf\xe9\n")
    with pytest.raises(UnreadableFile, match=r"byte 0xe9 at offset 27 \(line 2\)"):
        list(csv_records(latin, "metrics file"))
    with pytest.raises(UnreadableFile, match="is a directory"):
        load_json(tmp_path)
    with pytest.raises(UnreadableFile, match="does not exist"):
        load_yaml(tmp_path / "absent.yaml")


def test_atomic_writes_keep_the_previous_file_and_leave_no_temp(tmp_path):
    path = tmp_path / "prod.json"
    write_text_atomic(path, "one")
    write_text_atomic(path, "two", keep_previous=True)
    assert path.read_text() == "two" and (tmp_path / "prod.json.prev").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prod.json", "prod.json.prev"]
