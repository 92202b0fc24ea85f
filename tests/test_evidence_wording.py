"""What recommendations and commands say is what happened: a discount is a percentage, a move to a
larger type is not a downsize, a dry run applies nothing, preview's time is the wall time."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from optimizers.catalog import from_moto_package
from optimizers.pricing import COMMIT_1Y, ONDEMAND, SPOT_SAVING, Figure, PriceBook
from optimizers.recommendation import Kind
from optimizers.rightsizing.decide import _kind_of_move
from tests.apply.recs import make_project
from tests.helpers import REPO, run_cli


def book(**figures: str) -> PriceBook:
    return PriceBook(
        {("us-east-1", "g6e.12xlarge", k): Figure(v, "test", "2026-11") for k, v in figures.items()}
    )


def test_a_spot_saving_is_evidence_as_a_percentage_not_a_price():
    paid = book(**{ONDEMAND: "10.0", SPOT_SAVING: "56"}).price_paid(
        "g6e.12xlarge", "us-east-1", "spot"
    )
    assert round(paid.usd_per_hour, 6) == 4.4
    saving = next(f for f in paid.figures if f.discount_pct is not None)
    assert saving.discount_pct == 56.0 and saving.usd_per_hour is None
    assert [f.usd_per_hour for f in paid.figures if f.discount_pct is None] == [10.0]


def test_a_commitment_discount_is_a_percentage_too():
    paid = book(**{ONDEMAND: "10.0", COMMIT_1Y: "40"}).price_paid(
        "g6e.12xlarge", "us-east-1", "committed"
    )
    assert round(paid.usd_per_hour, 6) == 6.0
    assert {(f.usd_per_hour, f.discount_pct) for f in paid.figures} == {(10.0, None), (None, 40.0)}


def test_a_move_to_a_larger_type_is_an_upsize_and_says_why():
    specs = from_moto_package(("us-east-1",))
    cur, bigger = specs.get("g6e.12xlarge"), specs.get("g6e.24xlarge")
    notes: list[str] = []
    assert _kind_of_move(cur, bigger, notes) is Kind.UPSIZE
    assert "g6e.24xlarge is larger than g6e.12xlarge yet cheaper" in notes[0]
    assert _kind_of_move(bigger, cur, []) is Kind.DOWNSIZE
    assert _kind_of_move(cur, specs.get("g5.12xlarge"), []) is Kind.CHANGE_FAMILY


def test_apply_dry_run_says_would_apply(tmp_path):
    root = make_project(tmp_path)
    result = run_cli("apply", "--stack", "prod", "--cwd", str(root), "--dry-run")
    assert result.code == 0
    assert re.search(
        r"^would apply \d+ recommendation\(s\) to \d+ pool\(s\) \(dry run", result.out, re.M
    )
    assert "would write" in result.err


def test_preview_reports_the_wall_time_the_user_waited():
    started = time.monotonic()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("aeon")), "preview", "--stack", "dev", "--no-policies"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    waited = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    said = float(re.search(r"offline in ([\d.]+) s \(program ([\d.]+) s\)", done.stderr)[1])
    # From process start to the line, so at most the wait and short of it only by the exit.
    assert waited - 1.0 <= said <= waited + 0.1, (said, waited)


def test_schema_takes_format_and_cwd(tmp_path):
    result = run_cli("schema", "--format", "json", "--cwd", str(tmp_path), "--out", "s.json")
    assert result.code == 0 and (tmp_path / "s.json").is_file()
    assert run_cli("catalog", "show", "--cwd", str(tmp_path / "nope")).code == 2
