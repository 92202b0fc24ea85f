"""`aeon recommend --source csv` on hostile recordings (issue 10): good saved recommendations are
never replaced by worse-informed ones; broken files are exit 2 naming where; inventory rows are
held against the stack and the catalog."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from optimizers.recommendation import load, recommendations_path
from tests.helpers import REPO, run_cli
from tests.rightsizing.fleet import Fleet, burst, noisy, write_csv


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A dev project and a 3-day recording of its fleet that right-sizes fine."""
    root = tmp_path_factory.mktemp("hostile")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(REPO / name, root)
    fleet = Fleet(days=3)
    for rid, phase in (("n1", 2), ("n2", 12)):
        fleet.add(rid, "dev-inference", "g6.xlarge", purchase="spot", cpu=5, mem_gib=6,
                  gpus=[{"busy": burst(5, 40, phase), "mem_gib": 6}])  # fmt: skip
    fleet.add("s1", "dev-system", "m7i.xlarge", cpu=noisy(10, 3, 2), mem_gib=3)
    write_csv(fleet, root / "good")
    return root


@pytest.fixture
def project(recorded: Path, tmp_path: Path) -> Path:
    """The recorded project with good recommendations saved (a fresh copy per test)."""
    root = tmp_path / "project"
    shutil.copytree(recorded, root)
    assert recommend(root, "good").code == 0
    return root


def recommend(root: Path, folder: str, *extra: str):
    return run_cli("recommend", "--stack", "dev", "--source", "csv",
                   "--input", str(root / folder), "--cwd", str(root), *extra)  # fmt: skip


def variant(root: Path, edit: Callable[[str], str], name: str = "metrics.csv") -> str:
    """A copy of the good recording with one file edited; returns its folder name."""
    shutil.copytree(root / "good", root / "bad", dirs_exist_ok=True)
    path = root / "bad" / name
    path.write_text(edit(path.read_text()))
    return "bad"


def variant_bytes(root: Path, data: bytes, name: str = "metrics.csv") -> str:
    shutil.copytree(root / "good", root / "bad", dirs_exist_ok=True)
    (root / "bad" / name).write_bytes(data)
    return "bad"


def first_rows(text: str, n: int) -> str:
    return "\n".join(text.splitlines()[: n + 1]) + "\n"


def with_row(row: str) -> Callable[[str], str]:
    return lambda text: text + row + "\n"


def saved(root: Path) -> bytes:
    return recommendations_path(root, "dev").read_bytes()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (with_row("4102444800,s1,,cpu_util_pct,50"), "samples fall outside the 14d window"),
        (lambda t: first_rows(t, 0), "no resource has enough data"),
        (lambda t: first_rows(t, 20), "no resource has enough data"),
        (with_row("1e30,s1,,cpu_util_pct,50"), "timestamp '1e30' is not a time"),
        (with_row("-5,s1,,cpu_util_pct,50"), "is not a time since 2000"),
        (with_row(f"1780000200,s1,,cpu_util_pct,{'9' * 200_000}"), "field larger than"),
        (with_row('1780000200,"s1,,cpu_util_pct,50'), "not valid CSV"),
        (with_row("1780000200,n1,99,gpu_util_pct,50"), "GPU indexes beyond the type's GPUs"),
        (with_row("1780000200,s1,,mem_used_bytes,1e300"), "more memory used than the type has"),
        (with_row("1780000200,n1,0,gpu_mem_used_bytes,1e12"), "more GPU memory used"),
    ],
    ids=[
        "row-in-2100",
        "header-only",
        "20-rows",
        "1e30",
        "negative",
        "huge-field",
        "unclosed-quote",
        "gpu-99",
        "1e300-bytes",
        "gpu-memory",
    ],  # fmt: skip
)
def test_bad_telemetry_is_exit_2_and_the_saved_run_survives(project, edit, expected):
    before = saved(project)
    result = recommend(project, variant(project, edit))
    assert result.code == 2, result.err
    assert expected in result.err and "Traceback" not in result.err
    assert "nothing saved" in result.err or "metrics.csv" in result.err
    assert saved(project) == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("timestamp,resource_id,gpu_index,metric,value\n".encode("utf-16"), "is UTF-16"),
        (b"timestamp,resource_id,gpu_index,metric,value\n1780000200,caf\xe9,,cpu_util_pct,1\n",
         "byte 0xe9 at offset 59 (line 2)"),
        (bytes(range(256)), "NUL byte at offset 0"),
    ],
)  # fmt: skip
def test_undecodable_telemetry_is_exit_2_naming_the_offset(project, data, expected):
    before = saved(project)
    result = recommend(project, variant_bytes(project, data))
    assert result.code == 2 and expected in result.err and "metrics.csv" in result.err
    assert saved(project) == before


def test_a_folder_where_metrics_csv_belongs(project):
    shutil.copytree(project / "good", project / "bad")
    (project / "bad" / "metrics.csv").unlink()
    (project / "bad" / "metrics.csv").mkdir()
    result = recommend(project, "bad")
    assert result.code == 2 and "is a directory" in result.err


def test_millisecond_timestamps_are_read_as_such_and_said(project):
    def to_millis(text: str) -> str:
        head, *rows = text.splitlines()
        return "\n".join([head] + [f"{int(r.split(',', 1)[0]) * 1000},{r.split(',', 1)[1]}"
                                   for r in rows]) + "\n"  # fmt: skip

    seconds = load(recommendations_path(project, "dev")).run("rightsizing")
    result = recommend(project, variant(project, to_millis))
    assert result.code == 0, result.err
    assert "timestamps are Unix milliseconds; read as such" in result.err
    millis = load(recommendations_path(project, "dev")).run("rightsizing")
    assert [r.id for r in millis.recommendations] == [r.id for r in seconds.recommendations]


def test_mixed_seconds_and_milliseconds_are_refused(project):
    result = recommend(project, variant(project, with_row("1780000200000,s1,,cpu_util_pct,5")))
    assert result.code == 2 and "mix Unix seconds and milliseconds" in result.err


def test_unknown_inventory_rows_warn_and_strict_refuses(project):
    def unknown(text: str) -> str:
        return (
            text.replace(
                "s1,dev-system,us-east-1,m7i.xlarge", "s1,ghost-pool,us-east-1,m7i.xlarge"
            ).replace("n2,dev-inference,us-east-1,g6.xlarge", "n2,dev-inference,mars-1,g6.xlarge")
            + "x1,dev-system,us-east-1,m99.huge,on-demand\n"
        )

    folder = variant(project, unknown, "inventory.csv")
    result = recommend(project, folder)
    assert result.code == 0, result.err
    assert "inventory rows with pools the stack does not declare: s1 (ghost-pool)" in result.err
    assert "regions the stack does not declare: n2 (mars-1)" in result.err
    assert "instance types the catalog does not know: x1 (m99.huge)" in result.err
    before = saved(project)
    strict = recommend(project, folder, "--strict")
    assert strict.code == 2 and "(--strict)" in strict.err and "ghost-pool" in strict.err
    assert saved(project) == before


def test_a_gpu_type_in_a_cpu_pool_is_named(project):
    def edit(text: str) -> str:
        return text.replace("dev-system,us-east-1,m7i.xlarge", "dev-system,us-east-1,p5.48xlarge")

    result = recommend(project, variant(project, edit, "inventory.csv"), "--strict")
    assert result.code == 2
    assert "GPU types in non-GPU pools: s1 (p5.48xlarge in cpu pool dev-system)" in result.err


def test_negative_service_time_is_refused(project):
    result = recommend(project, "good", "--service-time-ms", "-1")
    assert result.code == 2 and "--service-time-ms" in result.err


def test_the_replaced_file_is_kept_as_prev(project):
    first = saved(project)
    assert recommend(project, "good", "--headroom", "30").code == 0
    prev = recommendations_path(project, "dev").with_name("dev.json.prev")
    assert prev.read_bytes() == first and saved(project) != first


def without_resource(rid: str) -> Callable[[str], str]:
    return lambda text: "\n".join(r for r in text.splitlines() if f",{rid}," not in r) + "\n"


def test_a_run_that_knows_less_about_some_resources_is_refused_unless_replace(project):
    # s1's metrics stop (its exporter died): the other resources still right-size fine
    before = saved(project)
    informed = load(recommendations_path(project, "dev")).run("rightsizing")
    assert any("s1" in r.targets and r.kind != "not-enough-data" for r in informed.recommendations)
    folder = variant(project, without_resource("s1"))
    result = recommend(project, folder)
    assert result.code == 2, result.err
    assert "1 resource(s) with saved recommendations lack data in this run (s1)" in result.err
    assert saved(project) == before
    assert recommend(project, folder, "--replace").code == 0
    thin = load(recommendations_path(project, "dev")).run("rightsizing")
    assert [r.kind for r in thin.recommendations if "s1" in r.targets] == ["not-enough-data"]
