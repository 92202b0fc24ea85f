"""What every guardrail shares: the catalogue entry, resource views, tags and exemptions.

A guardrail is one function plus its metadata (`Guardrail`). Resource guardrails yield messages for
one resource; stack guardrails yield `(urn, message)` pairs. `to_pulumi_policy` wraps either kind in
a pulumi-policy object and applies the one exemption mechanism: a resource whose tags carry
`aeon:override-reason` (non-empty) and `aeon:override-expires` (an ISO date in the future) is not
reported under the guardrail's level; its findings are handed to the advisory `policy-exemptions`
stack policy, which reports them marked as exempted, with reason and expiry.

Property values arrive through pulumi-policy's unknown-checking proxies (Mapping / Sequence, not
dict / list): reading a value unknown during preview raises, which the SDK turns into its "can't run
during preview" diagnostic rather than a false verdict.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from . import speed

OVERRIDE_REASON = "aeon:override-reason"
OVERRIDE_EXPIRES = "aeon:override-expires"
POOL_TAG = "aeon:pool"
ROLE_TAG = "aeon:pool-role"
EXEMPTED_PREFIX = "exempted"

ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
LIFECYCLES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
GPU_ROLES = ("training", "inference")
GPU_FAMILY = re.compile(r"^(p\d+[a-z]*|g\d+[a-z]*|gr\d+[a-z]*)$")

LEVELS = {
    "advisory": EnforcementLevel.ADVISORY,
    "mandatory": EnforcementLevel.MANDATORY,
    "disabled": EnforcementLevel.DISABLED,
}
SEVERITIES = {s.value: s for s in Severity}


@dataclass(frozen=True)
class Res:
    """What a guardrail sees of one resource (props are inputs; for stack checks, the state)."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any] | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def tags(self) -> dict[str, Any]:
        return tags_of(self.props)

    @property
    def role(self) -> str | None:
        return self.tags.get(ROLE_TAG)

    @property
    def pool(self) -> str | None:
        return self.tags.get(POOL_TAG)

    def depends_on(self, urn: str, prop: str | None = None) -> bool:
        if prop is not None and urn in self.property_dependencies.get(prop, ()):
            return True
        return urn in self.dependencies


Finding = str
ResourceCheck = Callable[[Res, Mapping[str, Any]], Iterable[Finding]]
StackCheck = Callable[[list[Res], Mapping[str, Any]], Iterable[tuple[str | None, Finding]]]


@dataclass(frozen=True)
class Guardrail:
    name: str
    description: str  # what is checked, then "Remediation: ..."
    enforcement: str
    severity: str
    check: ResourceCheck | StackCheck
    kind: str = "resource"  # or "stack"
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # JSON Schema per key
    # How a config key is relaxed ("lower", "higher", "wider" list, "narrower" list): a stack
    # config that relaxes it must carry a `reason` (tests/test_policy_config.py).
    relaxes: Mapping[str, str] = field(default_factory=dict)

    def schema(self) -> PolicyConfigSchema:
        props = {key: dict(spec) for key, spec in self.config.items()}
        props["reason"] = {"type": "string", "description": "why this stack relaxes a default"}
        return PolicyConfigSchema(properties=props)

    def defaults(self) -> dict[str, Any]:
        return {k: spec["default"] for k, spec in self.config.items() if "default" in spec}


REGISTRY: list[Guardrail] = []


def guardrail(
    name: str,
    description: str,
    *,
    severity: str,
    enforcement: str = "mandatory",
    kind: str = "resource",
    config: Mapping[str, Mapping[str, Any]] | None = None,
    relaxes: Mapping[str, str] | None = None,
) -> Callable:
    """Register the decorated check in the catalogue."""

    def register(fn: Callable) -> Callable:
        REGISTRY.append(
            Guardrail(
                name=name,
                description=description,
                enforcement=enforcement,
                severity=severity,
                check=fn,
                kind=kind,
                config=config or {},
                relaxes=relaxes or {},
            )
        )
        return fn

    return register


# --- values -------------------------------------------------------------------------------------


def is_map(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def items(value: Any) -> list[Any]:
    return list(value) if is_list(value) else []


def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """Walk maps and lists; a missing step gives `default` (an unknown one still raises)."""
    node = value
    for step in path:
        if isinstance(step, int):
            if not is_list(node) or step >= len(node):
                return default
            node = node[step]
        else:
            if not is_map(node) or step not in node:
                return default
            node = node[step]
        if node is None:
            return default
    return node


def known(fn: Callable[[], Any], default: Any = None) -> Any:
    """Evaluate `fn` where an unknown value should count as "not this one", not abort the check."""
    try:
        return fn()
    except UnknownValueError:
        return default


def number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def show(value: Any) -> str:
    """A value as AWS documents spell it: true/false lowercase, unset when absent."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def tags_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """Tags as a map: ASGs carry a list of {key, value, propagateAtLaunch}, others a map."""
    tags = props.get("tags") if is_map(props) else None
    if is_map(tags):
        return {k: tags[k] for k in tags}
    if is_list(tags):
        return {t.get("key"): t.get("value") for t in tags if is_map(t)}
    return {}


def family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def is_gpu_type(instance_type: str, cfg: Mapping[str, Any] | None = None) -> bool:
    for offered in get(cfg or {}, "region_offerings", default={}).values():
        if instance_type in get(offered, "gpu", default={}):
            return True
    return bool(GPU_FAMILY.match(family(instance_type)))


def instance_types(res: Res) -> list[str]:
    """Types a group, launch template or node group may launch."""
    props = res.props
    found: list[str] = []
    if res.type == ASG:
        for override in items(get(props, "mixedInstancesPolicy", "launchTemplate", "overrides")):
            t = get(override, "instanceType")
            if isinstance(t, str):
                found.append(t)
    elif res.type in (LAUNCH_TEMPLATE, "aws:ec2/instance:Instance"):
        t = props.get("instanceType")
        if isinstance(t, str):
            found.append(t)
    elif res.type == NODE_GROUP:
        found.extend(t for t in items(props.get("instanceTypes")) if isinstance(t, str))
    return found


def region_of(res: Res, cfg: Mapping[str, Any] | None = None) -> str | None:
    """The resource's own `region` input, else its provider's, else the stack's primary region."""
    own = res.props.get("region") if is_map(res.props) else None
    if isinstance(own, str) and own:
        return own
    if res.provider_props is not None:
        region = res.provider_props.get("region")
        if isinstance(region, str) and region:
            return region
    primary = get(cfg or {}, "primary_region")
    return primary if isinstance(primary, str) and primary else None


# --- exemptions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exemption:
    reason: str
    expires: str


def exemption_of(props: Mapping[str, Any], today: dt.date | None = None) -> Exemption | str | None:
    """An Exemption when both override tags are valid; a string saying why not when present."""
    tags = known(lambda: tags_of(props), {})
    reason, expires = tags.get(OVERRIDE_REASON), tags.get(OVERRIDE_EXPIRES)
    if reason is None and expires is None:
        return None
    if not isinstance(reason, str) or not reason.strip():
        return f"override ignored: {OVERRIDE_REASON} is empty"
    try:
        until = dt.date.fromisoformat(str(expires))
    except ValueError:
        return f"override ignored: {OVERRIDE_EXPIRES} {expires!r} is not an ISO date"
    if until <= (today or dt.date.today()):
        return f"override ignored: it expired on {until.isoformat()}"
    return Exemption(reason=reason.strip(), expires=until.isoformat())


class ExemptionLedger:
    """Findings withheld because of an override, reported by `policy-exemptions` at AnalyzeStack.

    The CLI calls Analyze for every resource and then AnalyzeStack once, possibly from several
    threads; the ledger is drained (and emptied) by the stack policy.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[tuple[str, str, str, Exemption]] = []

    def add(self, urn: str, policy: str, message: str, exemption: Exemption) -> None:
        with self._lock:
            self._entries.append((urn, policy, message, exemption))

    def drain(self) -> list[tuple[str, str, str, Exemption]]:
        with self._lock:
            entries, self._entries = self._entries, []
        return sorted(entries, key=lambda e: (e[0], e[1], e[2]))


LEDGER = ExemptionLedger()


def exempted_message(policy: str, message: str, exemption: Exemption) -> str:
    return (
        f"{EXEMPTED_PREFIX} [{policy}] {message} "
        f"(reason: {exemption.reason}; expires: {exemption.expires})"
    )


# --- adapters to pulumi-policy ------------------------------------------------------------------


def _provider_props(args: Any) -> Mapping[str, Any] | None:
    provider = getattr(args, "provider", None)
    return provider.props if provider is not None else None


def _new_stack_view(resource: Any) -> Res:
    return Res(
        type=resource.resource_type,
        urn=resource.urn,
        name=resource.name,
        props=resource.props,
        provider_props=resource.provider.props if resource.provider is not None else None,
        dependencies=tuple(d.urn for d in resource.dependencies),
        property_dependencies={
            k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()
        },
    )


# Every stack policy of a request sees the same resources: their views are built once (by the
# properties object, which the speed shim makes the same for every policy of a request).
_stack_view = speed.per_request(_new_stack_view, "stack-view", lambda r: r.props)


def _with_defaults(rail: Guardrail, config: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = rail.defaults()
    merged.update(config or {})
    return merged


def to_pulumi_policy(rail: Guardrail, ledger: ExemptionLedger = LEDGER):
    level = LEVELS[rail.enforcement]
    severity = SEVERITIES[rail.severity]

    def report(report_violation, urn: str, props: Mapping[str, Any], message: str) -> None:
        exemption = exemption_of(props)
        if isinstance(exemption, Exemption):
            ledger.add(urn, rail.name, message, exemption)
        elif isinstance(exemption, str):
            report_violation(f"{message} ({exemption})", urn or None)
        else:
            report_violation(message, urn or None)

    if rail.kind == "resource":

        def validate_resource(args, report_violation) -> None:
            res = Res(args.resource_type, args.urn, args.name, args.props, _provider_props(args))
            cfg = _with_defaults(rail, args.get_config())
            for message in rail.check(res, cfg):
                report(report_violation, args.urn, args.props, message)

        return ResourceValidationPolicy(
            name=rail.name,
            description=rail.description,
            validate=validate_resource,
            enforcement_level=level,
            config_schema=rail.schema(),
            severity=severity,
        )

    def validate_stack(args, report_violation) -> None:
        views = [_stack_view(r) for r in args.resources]
        by_urn = {v.urn: v for v in views}
        cfg = _with_defaults(rail, args.get_config())
        for urn, message in rail.check(views, cfg):
            target = by_urn.get(urn or "")
            props = target.props if target is not None else {}
            report(report_violation, urn or "", props, message)

    return StackValidationPolicy(
        name=rail.name,
        description=rail.description,
        validate=validate_stack,
        enforcement_level=level,
        config_schema=rail.schema(),
        severity=severity,
    )


def exemptions_policy(ledger: ExemptionLedger = LEDGER):
    """Runs last: reports every withheld finding, so an exemption is visible, never silent."""

    def validate(args, report_violation) -> None:
        for urn, policy, message, exemption in ledger.drain():
            report_violation(exempted_message(policy, message, exemption), urn or None)

    return StackValidationPolicy(
        name="policy-exemptions",
        description=(
            "Findings of other policies withheld by an override (tags aeon:override-reason and "
            "aeon:override-expires). Remediation: fix the resource before the override expires."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
    )
