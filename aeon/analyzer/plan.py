"""Reading what `pulumi preview --json` prints into the engine's Resource model.

Every step with a `newState` is evaluated, deletes are skipped; stack and project come from the
URNs. Provider steps carry the provider's inputs (its `region` among them), from which each
resource's region follows as `aeon preview` reports it: its own `region` input, else its
provider's region (a default provider's: the `aws:region` config), else that of the resources it
depends on (a Kubernetes provider built from an EKS cluster); `global` for global services.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi.runtime.rpc import UNKNOWN

from aeon.analyzer.session import urn_name, urn_stack_project
from aeon.engine.model import GLOBAL_REGION, Resource
from aeon.engine.monitor import GLOBAL_TYPE_PREFIXES
from aeon.errors import UserError

SKIPPED_OPS = {"delete", "delete-replaced", "discard", "remove-pending-replace", "read-discard"}


@dataclass(frozen=True)
class Plan:
    project: str
    stack: str
    config: dict[str, str]
    resources: tuple[Resource, ...]


def _config_strings(config: Any) -> dict[str, str]:
    """The plan's `config` block as the CLI passes config: strings, objects as JSON."""
    if not isinstance(config, dict):
        return {}
    out = {}
    for key, value in config.items():
        if (
            isinstance(value, dict)
            and "value" in value
            and set(value) <= {"value", "secret", "object"}
        ):
            value = value["value"]
        out[key] = value if isinstance(value, str) else json.dumps(value)
    return out


def _tuple_map(value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        return {}
    return {k: tuple(v or ()) for k, v in value.items()}


def resources_from_plan(plan: dict[str, Any], source: str = "plan") -> Plan:
    steps = plan.get("steps")
    if not isinstance(steps, list):
        raise UserError(
            f"{source}: no `steps` list; expected the output of `pulumi preview --json`"
        )
    resources: list[Resource] = []
    seen_stack: set[tuple[str, str]] = set()
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise UserError(f"{source}: steps[{i}] is not an object")
        op, state = step.get("op"), step.get("newState")
        if op in SKIPPED_OPS or not isinstance(state, dict):
            continue
        urn = state.get("urn") or step.get("urn")
        if not isinstance(urn, str) or not urn.startswith("urn:pulumi:"):
            raise UserError(f"{source}: steps[{i}] has no valid urn (got {urn!r})")
        kind = state.get("type")
        if not isinstance(kind, str):
            raise UserError(f"{source}: steps[{i}] ({urn}) has no newState.type")
        seen_stack.add(urn_stack_project(urn))
        resources.append(
            Resource(
                urn=urn,
                type=kind,
                name=urn_name(urn),
                custom=bool(state.get("custom", True)),
                parent=state.get("parent") or None,
                provider=state.get("provider") or step.get("provider") or None,
                id=state.get("id") or None,
                inputs=dict(state.get("inputs") or {}),
                outputs=dict(state.get("outputs") or {}),
                dependencies=tuple(state.get("dependencies") or ()),
                property_dependencies=_tuple_map(state.get("propertyDependencies")),
            )
        )
    if not resources:
        raise UserError(f"{source}: no step has a newState; nothing to check")
    if len(seen_stack) != 1:
        listing = ", ".join(f"{s}/{p}" for s, p in sorted(seen_stack))
        raise UserError(f"{source}: steps belong to several stacks ({listing}); expected one")
    stack, project = next(iter(seen_stack))
    resources.sort(key=lambda r: r.urn)
    config = _config_strings(plan.get("config"))
    return Plan(project, stack, config, _with_regions(resources, config.get("aws:region")))


def _with_regions(resources: list[Resource], default_region: str | None) -> tuple[Resource, ...]:
    by_urn = {r.urn: r for r in resources}
    found: dict[str, str | None] = {}

    def known(value: object) -> str | None:
        return value if isinstance(value, str) and value and value != UNKNOWN else None

    def region_of(r: Resource, visiting: frozenset[str]) -> str | None:
        if r.urn in found:
            return found[r.urn]
        if r.urn in visiting:
            return None
        visiting = visiting | {r.urn}
        if r.type.startswith(GLOBAL_TYPE_PREFIXES):
            region = GLOBAL_REGION
        elif r.type == "pulumi:providers:aws":
            region = known(r.inputs.get("region")) or default_region
        elif r.type.startswith("aws:") and known(r.inputs.get("region")):
            region = r.inputs["region"]
        else:
            owners = [by_urn.get(r.provider.rsplit("::", 1)[0])] if r.provider else []
            owners += [by_urn.get(d) for d in r.dependencies]
            regions = (region_of(o, visiting) for o in owners if o is not None and o.custom)
            region = next((g for g in regions if g and g != GLOBAL_REGION), None)
        found[r.urn] = region
        return region

    return tuple(dataclasses.replace(r, region=region_of(r, frozenset())) for r in resources)


def load_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(f"plan file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"plan file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"plan file {path}: expected a JSON object (pulumi preview --json)")
    return resources_from_plan(data, str(path))
