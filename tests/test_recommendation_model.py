"""The shared recommendation model: one union by kind, and the saved file of planner runs."""

from __future__ import annotations

import copy
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aeon.output import report_data
from optimizers.errors import InputError
from optimizers.recommendation import (
    RECOMMENDATION,
    Kind,
    PlannerRun,
    RecommendationsFile,
    SizingRecommendation,
    load,
    parse,
    record_run,
    save,
)
from optimizers.recommendation.commitments import Commitment
from optimizers.recommendation.lifecycle import Transition
from tests.apply.recs import prod_set, rec, rightsizing_file
from tests.planners.samples import commit, every_new_kind


def test_every_kind_round_trips_through_json_to_its_own_class():
    for original in [*prod_set().recommendations, *every_new_kind()]:
        text = json.dumps(original.model_dump(mode="json"))
        back = RECOMMENDATION.validate_json(text)
        assert type(back) is type(original) and back == original
    assert {str(r.kind) for r in every_new_kind()} == {
        "commit", "capacity-mix", "lifecycle", "batching", "revert"
    }  # fmt: skip


def test_the_kind_picks_the_shapes():
    doc = commit().model_dump(mode="json")
    doc["kind"] = "downsize"  # a commitment's shapes are not a right-sizing's
    with pytest.raises(ValidationError):
        RECOMMENDATION.validate_python(doc)
    doc["kind"] = "nonsense"
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        RECOMMENDATION.validate_python(doc)


def test_money_fields_add_up_and_are_all_or_nothing():
    doc = commit().model_dump(mode="json")
    with pytest.raises(ValidationError, match="saving"):
        RECOMMENDATION.validate_python({**doc, "monthly_saving_usd": 1.0})
    with pytest.raises(ValidationError, match="all set when priced"):
        RECOMMENDATION.validate_python({**doc, "monthly_cost_after_usd": None})
    unpriced = {**doc, "priced": False, "monthly_cost_before_usd": None,
                "monthly_cost_after_usd": None, "monthly_saving_usd": None}  # fmt: skip
    assert RECOMMENDATION.validate_python(unpriced).priced is False


def test_kind_specific_rules():
    plan = dict(type="compute-savings-plan", region=None, term="3y", payment="all-upfront",
                usd_per_hour=120.0)  # fmt: skip
    assert Commitment(**plan, instance_type=None, units=None).units is None
    with pytest.raises(ValidationError, match="compute-savings-plan"):
        Commitment(**plan, instance_type="p5.48xlarge", units=3)
    with pytest.raises(ValidationError, match="lifecycle storage class"):
        Transition(days=30, storage_class="STANDARD")  # nothing transitions back to STANDARD
    # scale-out (issue 11) costs money: a negative saving, instances to add of the pool's type
    more = rec("inference", "us-east-1", "scale-out", "p5.4xlarge", "p5.4xlarge", new_count=2,
               saving=-600.0)  # fmt: skip
    assert more.kind is Kind.SCALE_OUT and more.proposed_text() == "+2 x p5.4xlarge"
    removal = rec("system", "us-east-1", "remove", "m7i.xlarge", None, new_count=0)
    with pytest.raises(ValidationError, match="remove"):
        SizingRecommendation.model_validate(
            {**removal.model_dump(), "proposed": {"instance_type": "m7i.large", "count": 0}}
        )


def _run(planner: str, recs, when: str = "2026-11-29T00:00:00Z") -> PlannerRun:
    return PlannerRun(planner=planner, generated_at=when, inputs_hash="sha256:x",
                      recommendations=recs)  # fmt: skip


def test_a_run_replaces_only_its_own_planners_entry(tmp_path):
    path = tmp_path / ".aeon" / "recommendations" / "prod.json"
    save(prod_set(), path)
    sizing = load(path).run("rightsizing")
    record_run(path, "prod", _run("commitments", [commit()]))
    record_run(path, "prod", _run("commitments", [], "2026-11-30T00:00:00Z"))
    saved = load(path)
    assert [r.planner for r in saved.runs] == ["rightsizing", "commitments"]
    assert saved.run("rightsizing") == sizing  # untouched
    assert saved.run("commitments").recommendations == []  # replaced, not appended
    assert saved.recommendations == sizing.recommendations


def test_version_one_files_still_read(tmp_path):
    old = rightsizing_file(prod_set().recommendations).runs[0]
    v1 = {
        "version": 1, "stack": "prod", "generated_at": old.generated_at,
        "inputs_hash": old.inputs_hash, "mode": "krr", "source": "cloudwatch",
        "catalog_source": "moto", "utilization": [],
        "recommendations": [r.model_dump(mode="json") for r in old.recommendations],
    }  # fmt: skip
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(v1))
    saved = load(path)
    (run,) = saved.runs
    assert (run.planner, run.mode, run.source) == ("rightsizing", "krr", "cloudwatch")
    assert run.inputs["catalog"] == "moto" and run.recommendations == old.recommendations
    record_run(path, "prod", _run("commitments", [commit()]))  # upgrades it, keeping the run
    assert [r.planner for r in load(path).runs] == ["rightsizing", "commitments"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not a recommendations file"),
        ('{"version": 3, "stack": "prod", "runs": []}', "not a recommendations file"),
        ('{"version": 2, "stack": "dev", "runs": []}', "holds stack 'dev'"),
    ],
)
def test_a_file_it_cannot_read_is_never_overwritten(tmp_path, text, message):
    path = tmp_path / "prod.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        record_run(path, "prod", _run("commitments", [commit()]))
    assert path.read_text() == text


def test_a_newer_format_is_named(tmp_path):
    path = tmp_path / "prod.json"
    path.write_text('{"version": 3, "stack": "prod", "runs": []}')
    with pytest.raises(InputError, match="format version 3.*newer aeon"):
        load(path)


def test_two_planners_recording_at_once_both_land(tmp_path):
    path = tmp_path / "prod.json"
    names = [f"planner-{i}" for i in range(8)]
    threads = [
        threading.Thread(target=record_run, args=(path, "prod", _run(n, [commit()]))) for n in names
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.planner for r in load(path).runs) == names


def test_one_entry_per_planner():
    run = _run("rightsizing", [])
    with pytest.raises(ValidationError, match="more than one entry"):
        RecommendationsFile(stack="prod", runs=[run, run])


_DELETE = object()
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


_VALID = RecommendationsFile(
    stack="prod", runs=[*prod_set().runs, _run("commitments", every_new_kind())]
).model_dump(mode="json")
_PATHS = [p for p in _paths(_VALID) if p]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _json | st.just(_DELETE)), max_size=3))
def test_a_damaged_file_is_refused_with_a_value_error_never_a_crash(edits):
    doc = copy.deepcopy(_VALID)
    for path, value in edits:
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value is _DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed the place
    try:
        parsed = parse(json.dumps(doc))
    except ValueError:
        return  # refused: the CLI says so (exit 2)
    report_data.build(parsed)  # whatever parses, the report can show
