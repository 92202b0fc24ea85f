"""Planners and telemetry sources come from their registries alone: a throwaway planner and a
throwaway source, registered here, get their flags and help in `aeon recommend`, run end to end,
and write their own entry of the saved file beside the right-sizing one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from aeon.cli import invoke
from optimizers.options import Options, flag_conflicts
from optimizers.planners import PLANNERS, TELEMETRY, Planner, option_owners, register
from optimizers.recommendation import Kind, load, recommendations_path
from optimizers.telemetry import SOURCES, ResourceInfo, TelemetryFrame
from optimizers.telemetry.frame import Purchase
from optimizers.telemetry.registry import TelemetrySource
from optimizers.telemetry.registry import register as register_source
from tests.planners.samples import commit
from tests.rightsizing.fleet import Fleet, noisy, write_csv

REPO = Path(__file__).resolve().parents[1]


class ToySourceOptions(Options):
    toy_machines: int = Field(1, ge=1, description="How many toy machines to invent.")


class ToySource(TelemetrySource):
    name = "toy-source"
    description = "invents machines (a test)"
    Options = ToySourceOptions

    def _load(self, request, options: ToySourceOptions) -> TelemetryFrame:
        resources = {
            f"toy-{i}": ResourceInfo(f"toy-{i}", "dev-system", "us-east-1", "m7i.large",
                                     Purchase.ON_DEMAND)
            for i in range(options.toy_machines)
        }  # fmt: skip
        return TelemetryFrame(self.name, resources, {})


class ToyOptions(Options):
    toy_budget_usd: float = Field(100.0, gt=0, description="What the toy may spend a month.")
    toy_strict: bool = Field(False, description="Whether the toy is strict.")


class ToyPlanner(Planner):
    name = "toy"
    title = "Toy"
    description = "Commits to whatever the telemetry holds (a test)."
    Options = ToyOptions
    inputs = (TELEMETRY,)
    kinds = frozenset({Kind.COMMIT})

    def plan(self, inputs, options: ToyOptions):
        assert options.toy_budget_usd == 250.0
        return [commit()] if inputs.get(TELEMETRY).frame.resources else []


@pytest.fixture
def toys():
    register(ToyPlanner)
    register_source(ToySource)
    yield
    del PLANNERS["toy"], SOURCES["toy-source"]


@pytest.fixture
def project(tmp_path):
    shutil.copy(REPO / "Pulumi.yaml", tmp_path)
    shutil.copy(REPO / "Pulumi.dev.yaml", tmp_path)
    fleet = Fleet(days=1)
    fleet.add("s1", "dev-system", "m7i.xlarge", cpu=noisy(10, 3, 2), mem_gib=3)
    write_csv(fleet, tmp_path / "telemetry")
    return tmp_path


def test_throwaway_planner_and_source_show_in_help_with_their_flags(toys, capsys):
    assert invoke(["recommend", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "|toy>" in out and "toy: Commits to whatever" in out  # the last of the sorted choices
    assert "cloudwatch|csv|nvml|prometheus|toy-source" in out
    assert "--toy-budget-usd <float> What the toy may spend a month. [toy planner]" in out
    assert "--toy-strict / --no-toy-strict Whether the toy is strict. [toy planner]" in out
    assert "--toy-machines <int> How many toy machines to invent. [toy-source source]" in out


def test_throwaway_planner_runs_and_keeps_the_other_entries(toys, project, capsys):
    base = ["recommend", "--stack", "dev", "--cwd", str(project), "--format", "json"]
    assert invoke([*base, "--source", "csv", "--input", str(project / "telemetry")]) == 0
    sizing = load(recommendations_path(project, "dev")).run("rightsizing")
    capsys.readouterr()
    code = invoke([*base, "--planner", "toy", "--source", "toy-source", "--toy-machines", "2",
                   "--toy-budget-usd", "250", "--toy-strict"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)  # only the run just made
    assert doc["planner"] == "toy" and [r["kind"] for r in doc["recommendations"]] == ["commit"]
    assert doc["options"] == {
        "toy_budget_usd": 250.0, "toy_strict": True, "source": "toy-source", "input_dir": None,
        "lookback": "14d", "region": None, "inventory": None, "strict": False, "toy_machines": 2,
    }  # fmt: skip
    saved = load(recommendations_path(project, "dev"))
    assert [r.planner for r in saved.runs] == ["rightsizing", "toy"]
    assert saved.run("rightsizing") == sizing
    # apply writes what it knows: right-sizing into the pools, the commitment to buy as a purchase
    assert invoke(["apply", "--stack", "dev", "--cwd", str(project), "--format", "json"]) == 0
    applied = json.loads(capsys.readouterr().out)
    assert list(applied["purchases"]) == [doc["recommendations"][0]["id"]]
    assert "commit" not in {s["kind"] for s in applied["skipped"]}
    assert invoke(["report", "--stack", "dev", "--cwd", str(project), "--format", "md"]) == 0
    report = capsys.readouterr().out
    assert report.startswith("# Recommendations report: dev")
    assert "Right-sizing: generated" in report and "Toy: generated" in report


def test_a_flag_of_another_planner_or_source_is_a_user_error(toys, project, capsys):
    base = ["recommend", "--stack", "dev", "--cwd", str(project), "--source", "csv", "--input",
            str(project / "telemetry")]  # fmt: skip
    assert invoke([*base, "--toy-budget-usd", "5"]) == 2
    assert "--toy-budget-usd does not apply here: it is an option of the toy planner" in (
        capsys.readouterr().err
    )
    assert invoke([*base, "--url", "http://x"]) == 2
    err = capsys.readouterr().err
    assert "--url does not apply here: it is an option of the prometheus source" in err
    assert not recommendations_path(project, "dev").exists()


def test_registered_flags_mean_one_thing():
    """Every registered planner, input and source: a flag shared by two owners agrees."""
    table, problems = flag_conflicts(option_owners())
    assert problems == []
    # one --lookback for telemetry, billing and request-rate windows, each with its own default
    assert table["lookback"].owners == (
        "billing input",
        "pool-usage input",
        "serving-load input",
        "telemetry input",
    )
    assert table["lookback"].defaults == (None, None, None, "14d")


def test_two_declarations_of_one_flag_that_differ_are_caught():
    class A(BaseModel):
        window: int = Field(3, description="Hours to look at.")

    class B(BaseModel):
        window: str = Field("3h", description="Hours to look at.")

    class C(BaseModel):
        window: int = Field(5, description="Hours to look at.")

    table, problems = flag_conflicts([("a planner", A), ("c planner", C)])
    assert problems == [] and table["window"].owners == ("a planner", "c planner")
    assert "(default: a planner 3; c planner 5)" in table["window"].help
    _, problems = flag_conflicts([("a planner", A), ("b planner", B)])
    assert len(problems) == 1 and problems[0].startswith("--window: the b planner declares str")
    _, problems = flag_conflicts([("a planner", A)], reserved=("window",))
    assert problems == ["--window of the a planner is a flag of the command itself"]


def test_a_conflicting_planner_breaks_the_command_loudly(toys, capsys):
    class Clash(ToyPlanner):
        name = "clash"

        class Options(Options):
            lookback: int = Field(7, description="Days.")

    register(Clash)
    try:
        assert invoke(["recommend", "--help"]) == 3
        assert "FlagConflict: --lookback" in capsys.readouterr().err
    finally:
        del PLANNERS["clash"]
