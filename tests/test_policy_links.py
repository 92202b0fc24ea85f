"""The stack policies' indexes give exactly what scanning every candidate gave.

Linking a bucket to its lifecycle, a group to its schedules and policies, an alarm to its policy
(policies/aeon_guardrails/links.py) and a workload to its PodDisruptionBudget (workloads.py) once
scanned every candidate for every target, minutes on a 20,000-resource stack. The scans are kept
here as the specification, and random resources, names shared or not, dependencies or not,
values unknown during preview or not, must get the same answers from the indexes, including
whether the answer meets an unknown value (which the SDK reports as "can't run during preview").
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from tests.policy.pack import import_guardrails

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
guardrails = import_guardrails()
core, links, workloads = guardrails.core, guardrails.links, guardrails.workloads

URNS = [f"urn:pulumi:s::p::t::r{i}" for i in range(6)]
VALUES = st.sampled_from(["a", "b", "c", "", UNKNOWN, None, 3.0, ["a", UNKNOWN]])


def _res(type_: str, index: int, props: dict[str, Any], deps, prop_deps) -> Any:
    return core.Res(
        type=type_,
        urn=URNS[index],
        name=["a", "b", "c", "r3", "r4", "r5"][index],
        props=unknown_checking_proxy(deserialize_properties(props)),
        dependencies=tuple(deps),
        property_dependencies={"ref": tuple(prop_deps)},
    )


@st.composite
def resources(draw, type_: str, props: st.SearchStrategy) -> list[Any]:
    indexes = draw(st.lists(st.integers(0, 5), unique=True, max_size=6))
    urns = st.lists(st.sampled_from(URNS), max_size=3)
    return [_res(type_, i, draw(props), draw(urns), draw(urns)) for i in indexes]


def outcome(fn) -> tuple:
    try:
        return ("answer", fn())
    except UnknownValueError:
        return ("unknown",)


# --- the scans the indexes replace -------------------------------------------------------------


def scanned_referrers(target, candidates, prop, names) -> list:
    wanted = {n for n in names if isinstance(n, str) and n}
    found = []
    for cand in candidates:
        if cand.depends_on(target.urn, prop):
            found.append(cand)
            continue
        value = core.known(lambda c=cand: c.props.get(prop))
        if isinstance(value, str) and value in wanted:
            found.append(cand)
    return found


def scanned_target(item, targets, prop, key):
    for target in targets:
        if scanned_referrers(target, [item], prop, links.identities(target, key)):
            return target
    return None


def scanned_budget(budgets, namespace, labels) -> bool:
    return any(ns == namespace and workloads._matches(sel, labels) for ns, sel in budgets)


# --- properties -------------------------------------------------------------------------------


REFERRING = st.fixed_dictionaries({}, optional={"ref": VALUES, "name": VALUES, "id": VALUES})


@settings(max_examples=300, deadline=None)
@given(resources("target", REFERRING), resources("referrer", REFERRING))
def test_referrers_are_what_a_scan_finds(targets, candidates):
    index = links.Referrers(candidates, "ref")
    for target in targets:
        names = links.identities(target, "name", "id")
        expected = scanned_referrers(target, candidates, "ref", names)
        assert [c.urn for c in index.of(target, names)] == [c.urn for c in expected]


@settings(max_examples=300, deadline=None)
@given(resources("group", REFERRING), resources("policy", REFERRING))
def test_the_first_target_is_what_a_scan_finds(groups, items):
    index = links.Targets(groups, "name")
    for item in items:
        found = index.first(item, "ref")
        expected = scanned_target(item, groups, "ref", "name")
        assert (found.urn if found else None) == (expected.urn if expected else None)


# Few shapes, densely: a selector's first pair known or not, a workload's label unknown or not.
LABELS = st.sampled_from(
    [{}, {"app": "x"}, {"app": "y"}, {"app": UNKNOWN}, {"app": None}, {"app": 1.0},
     {"tier": "x"}, {"app": "x", "tier": "y"}, {"tier": "y", "app": "x"},
     {"app": "x", "tier": UNKNOWN}, {"tier": UNKNOWN, "app": "x"}]
)  # fmt: skip
SELECTORS = st.one_of(  # (an unknown selector stops the policy before any matching: not here)
    st.builds(lambda labels: {"matchLabels": labels}, LABELS),
    st.sampled_from([None, {}, {"matchLabels": UNKNOWN}, {"matchLabels": ["app"]}]),
)
NAMESPACES = st.sampled_from(["ml", "web"])
PDB = st.builds(
    lambda ns, sel: {"metadata": {"namespace": ns}, "spec": {"selector": sel}},
    NAMESPACES,
    SELECTORS,
)


@settings(max_examples=400, deadline=None)
@given(
    resources(workloads.PDB, PDB),
    st.lists(st.tuples(NAMESPACES, st.one_of(LABELS, st.just(UNKNOWN), st.none())), max_size=4),
)
def test_budget_matching_is_what_a_scan_finds(pdbs, workloads_labels):
    budgets = outcome(
        lambda: [(workloads._namespace(r), core.get(r.props, "spec", "selector")) for r in pdbs]
    )
    index = outcome(lambda: workloads._Budgets(pdbs))
    assert budgets[0] == index[0]
    if budgets[0] == "unknown":
        return
    for namespace, raw in workloads_labels:
        labels = core.known(
            lambda r=raw: unknown_checking_proxy(deserialize_properties({"l": r}))["l"]
        )
        expected = outcome(lambda ns=namespace, lb=labels: scanned_budget(budgets[1], ns, lb))
        assert outcome(lambda ns=namespace, lb=labels: index[1].select(ns, lb)) == expected
