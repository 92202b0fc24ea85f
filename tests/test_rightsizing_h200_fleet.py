"""Issue 11's fleet, built from the H200 phases: the total recommended change never costs money,
the hot pods keep (no GPM), the idle ones go, and sharing follows the pool's role."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from components.facts.roles import PoolRole
from optimizers.catalog import from_moto_package
from optimizers.h200_fleet import FleetShape, Phases, synthesize
from optimizers.pricing import load_price_book
from optimizers.recommendation import Kind
from optimizers.rightsizing import right_size
from tests.rightsizing.fleet import settings
from tests.telemetry.fakes import SHARED_H200 as TRACES

MEANS = Path(__file__).parent / "telemetry" / "h200_phases.csv"


def _plan(phases: Phases, role: PoolRole | None):
    frame = synthesize(phases, FleetShape(role=role))
    end = frame.newest_timestamp()
    return frame, right_size(
        frame, catalog=from_moto_package(("us-east-1",)), prices=load_price_book(), end=end,
        lookback_s=86_400, settings=settings(),
    )  # fmt: skip


def _phases(source: str) -> Phases:
    if source == "means":
        return Phases.from_means(MEANS)
    if not (TRACES / "gpm_workloads.csv").is_file():
        pytest.skip(f"no H200 traces at {TRACES}")
    return Phases.from_traces(TRACES)


@pytest.mark.parametrize("source", ["means", "traces"])
@pytest.mark.parametrize("role", [None, PoolRole.INFERENCE])
def test_the_h200_fleet_never_costs_more(source, role):
    frame, recs = _plan(_phases(source), role)
    assert sorted(t for r in recs for t in r.targets) == sorted(frame.resources)
    assert all(r.monthly_saving_usd is not None and r.monthly_saving_usd >= 0 for r in recs)
    kinds = Counter(r.kind for r in recs)
    assert not {Kind.UPSIZE, Kind.SCALE_OUT} & set(kinds)
    assert kinds[Kind.REMOVE] == 5  # the idle pods holding a model
    hot = [r for r in recs if r.kind is Kind.KEEP and r.evidence.notes
           and r.evidence.notes[0].startswith("GPU busy-ness")]  # fmt: skip
    assert len(hot) == 21  # the counter reads 90%+, no GPM: keep, asking for GPM
    # pods holding more than 80 / 1.2 GiB of the 80 GiB GPU run today: no overload, no flag
    held = [r for r in recs if any(n.startswith("GPU memory peak") for n in r.evidence.notes)]
    assert held
    assert all(r.risk.level != "high" and r.kind is not Kind.UPSIZE for r in held)
    assert not any("overloaded" in n for r in recs for n in r.evidence.notes)
    for rec in recs:
        if rec.proposed.instance_type:
            assert from_moto_package(("us-east-1",)).get(rec.proposed.instance_type).gpu_count == 1
    before = sum(r.monthly_cost_before_usd for r in recs)
    saving = sum(r.monthly_saving_usd for r in recs)
    if role is None:
        assert Kind.SHARE not in kinds
        assert 0.02 < saving / before < 0.06  # per-pod right-sizing alone: the idle pods
        assert sum(r.evidence.share_if_inference_usd or 0 for r in recs) > saving
    else:
        assert kinds[Kind.SHARE] >= 20
        assert saving / before > 0.15
