"""Property-based: whatever a user feeds the stack config, a CSV recording or a plan, the answer is
exit 0 or 2 with one clear line: never 3, never a traceback, never a hang (hypothesis deadlines)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import aeon.analyzer
from aeon.analyzer.report import PolicyReport
from aeon.cli import exit_code_for
from aeon.project import find_project
from aeon.settings_loader import load_settings
from tests.helpers import REPO, run_cli
from tests.policy.plans import clean_plan
from tests.rightsizing.fleet import Fleet, noisy, write_csv

FUZZ = settings(
    max_examples=60,
    deadline=2000,  # ms per example: a hang or a blow-up fails the test
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)

NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 2**63, 2**63 - 1, 1e308, "1e309", "NaN", "-0"]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "@@", "a@b", "x" * 5000, "latest!!", "300.1.0.0/16", "10.0.0.0/8",
                     "61 0 * * *", "0 0 30 2 *", "mars-1", "\x00", "\ufeff", "é" * 300]),
)  # fmt: skip
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(node, prefix=()):
    """Every key path of the stack config (so any value can be replaced)."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


PROD = YAML(typ="safe").load((REPO / "Pulumi.prod.yaml").read_text())
PATHS = sorted({p for p in paths(PROD["config"]) if p}, key=str)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    return root


def settings_exit_code(project: Path, stack: str, text: str | None = None) -> int:
    """What every command does first: load the stack's settings (0 or its exit code)."""
    try:
        load_settings(find_project(project), stack, text)
    except Exception as exc:  # noqa: BLE001 the contract decides what each exception means
        return exit_code_for(exc)
    return 0


@FUZZ
@given(path=st.sampled_from(PATHS), value=VALUES, drop=st.booleans())
def test_any_value_anywhere_in_the_stack_config(project, path, value, drop):
    config = copy.deepcopy(PROD)
    node = config["config"]
    for part in path[:-1]:
        node = node[part]
    if drop:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    text = json.dumps(config, default=str)  # JSON is YAML: every value survives the trip
    assert settings_exit_code(project, "prod", text) in (0, 2)


@FUZZ
@given(cut=st.integers(0, 20_000), junk=st.binary(max_size=40))
def test_any_bytes_in_the_stack_file(project, cut, junk):
    data = (REPO / "Pulumi.prod.yaml").read_bytes()
    cut = min(cut, len(data))
    (project / "Pulumi.fuzz.yaml").write_bytes(data[:cut] + junk + data[cut:])
    try:
        code = settings_exit_code(project, "fuzz")
    finally:
        (project / "Pulumi.fuzz.yaml").unlink()
    assert code in (0, 2)


# --- CSV recordings, through `aeon recommend` -----------------------------------------------

CSV_CELLS = st.one_of(
    st.sampled_from(["", "s1", "n1", "0", "1", "99", "-1", "1e30", "1e300", "nan", "inf",
                     "1780000200", "1780000200000", "2026-06-01T00:00:00", "cpu_util_pct",
                     "mem_used_bytes", "gpu_util_pct", "on-demand", "spot", "dev-system",
                     "m7i.xlarge", "g6.xlarge", "us-east-1", '"', '""', "\n", "\r", ",", "é"]),
    st.text(max_size=12),
)  # fmt: skip


@pytest.fixture(scope="module")
def recording(project: Path) -> Path:
    fleet = Fleet(days=1)
    fleet.add("s1", "dev-system", "m7i.xlarge", cpu=noisy(10, 3, 2), mem_gib=3)
    write_csv(fleet, project / "good")
    return project / "good"


@FUZZ
@given(
    rows=st.lists(st.lists(CSV_CELLS, min_size=0, max_size=7), max_size=8),
    file=st.sampled_from(["metrics.csv", "inventory.csv"]),
    keep_good=st.booleans(),
)
def test_any_csv_recording(project, recording, rows, file, keep_good):
    folder = project / "fuzz-recording"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(recording, folder)
    head = (recording / file).read_text() if keep_good else (recording / file).read_text()[:50]
    body = "\n".join(",".join(row) for row in rows)
    (folder / file).write_text(head + body, encoding="utf-8", errors="surrogatepass")
    result = run_cli("recommend", "--stack", "dev", "--source", "csv", "--input", str(folder),
                     "--cwd", str(project))  # fmt: skip
    assert result.code in (0, 2), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


# --- plans, through `aeon policy --plan` (the pack itself is not what is fuzzed) -------------


@pytest.fixture
def no_pack(monkeypatch):
    def report(resources, project, stack, *args, **kwargs):
        return PolicyReport(
            project=project.name, stack=stack, pack="fuzz", pack_version="0", policies=[],
            violations=[], resources_checked=len(list(resources)),
        )  # fmt: skip

    monkeypatch.setattr(aeon.analyzer, "check_resources", report)


PLAN = clean_plan()
PLAN_PATHS = sorted({p for p in paths(PLAN) if p}, key=str)


@FUZZ
@given(
    path=st.sampled_from(PLAN_PATHS),
    value=st.one_of(VALUES, st.sampled_from(["explode", "delete", "urn:pulumi:x::y::z::w"])),
    duplicate=st.integers(-1, len(PLAN["steps"]) - 1),
)
def test_any_plan(tmp_path_factory, no_pack, path, value, duplicate):
    plan = copy.deepcopy(PLAN)
    node = plan
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    if duplicate >= 0 and isinstance(plan.get("steps"), list) and duplicate < len(plan["steps"]):
        plan["steps"].append(copy.deepcopy(plan["steps"][duplicate]))
    file = tmp_path_factory.mktemp("plan") / "plan.json"
    file.write_text(json.dumps(plan, default=str, allow_nan=True))
    result = run_cli("policy", "--plan", str(file), "--cwd", str(REPO))
    assert result.code in (0, 2), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
