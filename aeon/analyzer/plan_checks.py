"""What a plan must be before the policy pack sees it: a graph the engine could have produced.

Per step, as it streams by: a known `op`, a `urn` of this stack, `newState` an object whose
`inputs`/`outputs` are objects and whose properties the policies read have the JSON type they
expect (a policy that meets `maxSize: "ten"` would otherwise skip the resource and pass it). Over
the whole plan: one evaluated step per URN, every parent declared, no parent cycle. Each problem is
a PlanError naming the step (index, URN and line in the file) and what to fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from components.facts.files import UnreadableFile

# Step ops of the Pulumi engine (apitype.OpType).
KNOWN_OPS = frozenset(
    {
        "same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced",
        "read", "read-replacement", "refresh", "discard", "discard-replaced",
        "remove-pending-replace", "import", "import-replacement",
    }
)  # fmt: skip
# Steps that remove a resource: there is nothing new to evaluate.
REMOVING_OPS = frozenset(
    {"delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"}
)
# With --show-replacement-steps one replacement is shown as several steps of one URN.
REPLACING_OPS = frozenset(
    {"replace", "create-replacement", "read-replacement", "import-replacement"}
)
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # a value not known during preview
SECRET = "[secret]"

NUMBER, STRING, LIST, OBJECT, BOOL = "a number", "a string", "a list", "an object", "true/false"
_ANY_TAGS = {"tags": (OBJECT, LIST), "region": (STRING,)}
# The properties the policy pack reads and the JSON types it needs them in (policies/).
PROPERTY_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "aws:autoscaling/group:Group": {
        "maxSize": (NUMBER,), "minSize": (NUMBER,), "desiredCapacity": (NUMBER,),
        "mixedInstancesPolicy": (OBJECT,), "vpcZoneIdentifiers": (LIST,),
        "availabilityZones": (LIST,), "defaultInstanceWarmup": (NUMBER,),
    },
    "aws:autoscaling/policy:Policy": {
        "policyType": (STRING,), "estimatedInstanceWarmup": (NUMBER,), "cooldown": (NUMBER,),
        "scalingAdjustment": (NUMBER,), "stepAdjustments": (LIST,),
    },
    "aws:autoscaling/schedule:Schedule": {
        "recurrence": (STRING,), "minSize": (NUMBER,), "maxSize": (NUMBER,),
        "desiredCapacity": (NUMBER,),
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        "instanceType": (STRING,), "blockDeviceMappings": (LIST,), "metadataOptions": (OBJECT,),
    },
    "aws:ec2/instance:Instance": {"instanceType": (STRING,), "ebsBlockDevices": (LIST,)},
    "aws:eks/nodeGroup:NodeGroup": {"instanceTypes": (LIST,), "scalingConfig": (OBJECT,)},
    "aws:ebs/volume:Volume": {"encrypted": (BOOL,), "size": (NUMBER,)},
    "aws:budgets/budget:Budget": {"budgetType": (STRING,), "limitAmount": (NUMBER,)},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"threshold": (NUMBER,)},
    "aws:ec2/securityGroup:SecurityGroup": {"ingress": (LIST,)},
    "aws:ec2/securityGroupRule:SecurityGroupRule": {
        "fromPort": (NUMBER,), "toPort": (NUMBER,), "cidrBlocks": (LIST,), "protocol": (STRING,),
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        "fromPort": (NUMBER,), "toPort": (NUMBER,), "ipProtocol": (STRING,),
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        "rules": (LIST,), "transitionDefaultMinimumObjectSize": (STRING,),
    },
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {
        "rules": (LIST,), "transitionDefaultMinimumObjectSize": (STRING,),
    },
    "kubernetes:core/v1:ResourceQuota": {"spec": (OBJECT,)},
}  # fmt: skip


# For each tuple of wanted kinds, the Python types that fit it outright (bool is not a number).
_ACCEPTED: dict[tuple[str, ...], frozenset[type]] = {}


class PlanError(UnreadableFile):
    """A plan whose structure the engine could not have produced (exit 2)."""


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return LIST
    if isinstance(value, dict):
        return OBJECT
    return "null"


_PYTHON_TYPES = {
    NUMBER: (int, float), STRING: (str,), LIST: (list,), OBJECT: (dict,), BOOL: (bool,),
}  # fmt: skip


def _fits(value: Any, wanted: tuple[str, ...]) -> bool:
    if value is None or type(value) in _ACCEPTED[wanted]:  # the common case, quickly
        return True
    if value == UNKNOWN or value == SECRET:
        return True
    if isinstance(value, dict) and "4dabf18193072939515e22adb298388d" in value:
        return True  # a secret in the engine's envelope
    kind = _kind(value)
    if kind in wanted:
        return True
    if NUMBER in wanted and kind == STRING:  # the provider takes numbers as numeric strings too
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    return False


for _table in (_ANY_TAGS, *PROPERTY_TYPES.values()):
    for _kinds in _table.values():
        _ACCEPTED[_kinds] = frozenset(t for k in _kinds for t in _PYTHON_TYPES[k])


class PlanChecker:
    """Feed every step to `step()`, then call `finish()`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.where: dict[str, tuple[int, int | None, str]] = {}  # urn -> (index, line, op)
        self.parents: dict[str, str] = {}
        self.stacks: set[tuple[str, str]] = set()

    def _fail(self, index: int, line: int | None, urn: str | None, problem: str) -> PlanError:
        named = f" ({urn})" if urn else ""
        at = f" line {line}" if line is not None else ""
        return PlanError(f"{self.source}{at}: steps[{index}]{named}: {problem}")

    def step(self, index: int, line: int | None, step: Any) -> dict[str, Any] | None:
        """The step's newState when it is to be evaluated, None for a removal; PlanError when
        the step is malformed."""
        if not isinstance(step, dict):
            raise self._fail(index, line, None, f"expected an object, got {_kind(step)}")
        op = step.get("op")
        if op not in KNOWN_OPS:
            raise self._fail(
                index, line, step.get("urn") if isinstance(step.get("urn"), str) else None,
                f"unknown op {op!r}; the engine's ops: {', '.join(sorted(KNOWN_OPS))}",
            )  # fmt: skip
        state = step.get("newState")
        if op in REMOVING_OPS or state is None:
            return None
        if not isinstance(state, dict):
            raise self._fail(index, line, None, f"newState must be an object, got {_kind(state)}")
        urn = state.get("urn") or step.get("urn")
        if not isinstance(urn, str) or not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
            raise self._fail(index, line, None, f"no valid urn (got {urn!r})")
        if not isinstance(state.get("type"), str):
            raise self._fail(index, line, urn, "newState.type must be a string")
        for key in ("inputs", "outputs", "propertyDependencies"):
            if state.get(key) is not None and not isinstance(state[key], dict):
                raise self._fail(
                    index, line, urn, f"newState.{key} must be an object, got {_kind(state[key])}"
                )
        for key in ("parent", "provider", "id"):
            if state.get(key) is not None and not isinstance(state[key], str):
                raise self._fail(index, line, urn, f"newState.{key} must be a string")
        deps = state.get("dependencies")
        if deps is not None and not (
            isinstance(deps, list) and all(isinstance(d, str) for d in deps)
        ):
            raise self._fail(index, line, urn, "newState.dependencies must be a list of URNs")
        self._check_properties(index, line, urn, state["type"], state.get("inputs") or {})
        self._record(index, line, urn, op, state.get("parent") or None)
        return state

    def _check_properties(
        self, index: int, line: int | None, urn: str, type_: str, inputs: Mapping[str, Any]
    ) -> None:
        wanted = PROPERTY_TYPES.get(type_)
        for table in (_ANY_TAGS, wanted) if wanted else (_ANY_TAGS,):
            for key, kinds in table.items():
                value = inputs.get(key)
                if not _fits(value, kinds):
                    raise self._fail(
                        index, line, urn,
                        f"inputs.{key} must be {' or '.join(kinds)} (the policies read it so), "
                        f"got {_kind(value)} {value!r:.60}",
                    )  # fmt: skip

    def _record(self, index: int, line: int | None, urn: str, op: str, parent: str | None) -> None:
        seen = self.where.get(urn)
        if seen is not None:
            first_index, first_line, first_op = seen
            if not (op in REPLACING_OPS and first_op in REPLACING_OPS and op != first_op):
                raise self._fail(
                    index, line, urn,
                    f"the URN is already declared by steps[{first_index}]"
                    + (f" (line {first_line})" if first_line is not None else "")
                    + "; URNs are unique in a plan",
                )  # fmt: skip
        self.where[urn] = (index, line, op)
        head = urn.split("::")
        self.stacks.add((head[0].removeprefix("urn:pulumi:"), head[1]))
        if parent:
            self.parents[urn] = parent

    def finish(self) -> None:
        """Checks over the whole plan: parents exist, no cycle, one stack."""
        if not self.where:
            raise PlanError(f"{self.source}: no step has a newState; nothing to check")
        if len(self.stacks) != 1:
            listing = ", ".join(f"{s}/{p}" for s, p in sorted(self.stacks))
            raise PlanError(f"{self.source}: steps belong to several stacks ({listing})")
        for urn, parent in self.parents.items():
            if parent not in self.where:
                index, line, _ = self.where[urn]
                raise self._fail(
                    index, line, urn, f"its parent {parent} is not declared by any step"
                )
        done: set[str] = set()
        for start in self.parents:
            path: list[str] = []
            on_path: set[str] = set()
            node: str | None = start
            while node is not None and node not in done:
                if node in on_path:
                    cycle = path[path.index(node) :]
                    index, line, _ = self.where[node]
                    raise self._fail(
                        index, line, node,
                        "parent cycle: " + " -> ".join(u.rsplit("::", 1)[-1] for u in cycle),
                    )  # fmt: skip
                path.append(node)
                on_path.add(node)
                node = self.parents.get(node)
            done.update(path)
