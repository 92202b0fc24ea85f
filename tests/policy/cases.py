"""KICS-style cases: each policy's folder under fixtures/ holds small patches on the one clean plan.

    fixtures/<policy>/positive.patch.json   the clean plan with one fault: expected.json exactly
    fixtures/<policy>/negative.patch.json   the passing side of the rule ([] = the clean plan)
    fixtures/<policy>/expected.json         [{policy, urn, message}] of the positive plan
    fixtures/<policy>/<side>.config.json    policy config for that side, where the rule needs one

A patch is a list of RFC 6902 operations (add, remove, replace) on the plan seen as one object,
{resource name: the step's newState}: `/datasets-lifecycle/inputs/rules/0/expiration/days`
addresses a property, `/monthly` the whole resource (remove drops its step). Addressing by name
keeps a patch valid when resources are added to the clean plan; `replace` and `remove` fail on a
path that is not there, so a stale patch cannot pass silently.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.policy.plans import CLEAN_PLAN, COMPONENT, urn

FIXTURES = Path(__file__).parent / "fixtures"
POLICIES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())

# The fault plans named when the pack was specified are these policies' positive cases.
FAULTS = {
    "fault-ia-7-days": "s3-lifecycle-transitions-valid",
    "fault-spot-one-type-one-az": "asg-spot-diversified",
    "fault-public-bucket": "s3-public-access-blocked",
    "fault-gpu-in-cpu-pool": "gpu-types-in-gpu-pools",
}


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def clean() -> dict[str, Any]:
    return load(CLEAN_PLAN)


def _tokens(pointer: str) -> list[str]:
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer {pointer!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _apply(doc: Any, op: dict[str, Any]) -> None:
    *parents, last = _tokens(op["path"])
    for token in parents:
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    kind, in_list = op["op"], isinstance(doc, list)
    if kind == "add":
        if in_list:
            doc.insert(len(doc) if last == "-" else int(last), op["value"])
        else:
            doc[last] = op["value"]
        return
    if kind not in ("replace", "remove"):
        raise ValueError(f"unsupported patch op {kind!r} (add, remove, replace)")
    key = int(last) if in_list else last
    if not (0 <= key < len(doc) if in_list else key in doc):
        raise KeyError(f"{op['path']}: nothing there to {kind}")
    if kind == "replace":
        doc[key] = op["value"]
    else:
        del doc[key]


def apply_patch(plan: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of `plan` with the operations applied to its resources (by name)."""
    plan = copy.deepcopy(plan)
    names = [step["urn"].rsplit("::", 1)[1] for step in plan["steps"]]
    if len(set(names)) != len(names):
        raise ValueError("resource names repeat in the plan: a patch could not address them")
    states = {name: step["newState"] for name, step in zip(names, plan["steps"], strict=True)}
    for op in ops:
        _apply(states, op)
    plan["steps"] = [s for n, s in zip(names, plan["steps"], strict=True) if n in states]
    return plan


def case_plan(policy: str, side: str) -> dict[str, Any]:
    return apply_patch(clean(), load(FIXTURES / policy / f"{side}.patch.json"))


def case_config(policy: str, side: str) -> dict[str, Any] | None:
    path = FIXTURES / policy / f"{side}.config.json"
    return load(path) if path.is_file() else None


def expected(policy: str) -> list[tuple[str, str]]:
    return sorted((e["urn"], e["message"]) for e in load(FIXTURES / policy / "expected.json"))


def fault_plan(name: str) -> dict[str, Any]:
    return case_plan(FAULTS[name], "positive")


def step_of(plan: dict[str, Any], name: str) -> dict[str, Any]:
    """The newState of the resource named `name` (for tests that vary a plan in place)."""
    for step in plan["steps"]:
        if step["urn"].endswith(f"::{name}"):
            return step["newState"]
    raise KeyError(name)


ASG_URN = {
    n: urn("aws:autoscaling/group:Group", n, COMPONENT)
    for n in ("training", "inference", "system", "edge-cache-euw1")
}
