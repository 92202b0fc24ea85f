"""`apply` of right-sizing kinds on prod's pools, computed purely (optimizers.apply)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aeon.engine.config import load_stack_config
from aeon.project import find_project
from components.settings import parse_settings
from optimizers.apply import plan_apply
from tests.apply.recs import rec, rightsizing_file


@pytest.fixture(scope="module")
def prod():
    project = find_project(Path(__file__).resolve().parents[1])
    return parse_settings(load_stack_config(project, "prod"), "prod")


def _share(replicas: int):
    return rec("inference-shared", "us-east-1", "share", "g6.xlarge", "g6.xlarge", rid="i-sh",
               count=replicas, replicas=replicas, risk="medium")  # fmt: skip


@pytest.mark.parametrize(("asked", "after"), [(2, 4), (4, 4), (6, 6)])
def test_share_never_lowers_time_slicing_replicas(prod, asked, after):
    recset = rightsizing_file([_share(asked)])
    plan = plan_apply(recset, prod, recset.recommendations, applied_at="2026-12-01T00:00:00Z")
    (edit,) = plan.edits
    assert edit.before.time_slicing_replicas == 4
    assert edit.after.time_slicing_replicas == after
    if asked < 4:
        assert any("stays 4 (it asks 2)" in n for n in edit.notes)
    else:
        assert not edit.notes
