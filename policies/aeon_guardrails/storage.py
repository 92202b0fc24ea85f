"""S3 guardrails: lifecycle rules S3 accepts and that do not bill more than they save."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from .core import (
    BUCKETS,
    LIFECYCLES,
    PUBLIC_ACCESS_BLOCK,
    SSE_CONFIGS,
    Res,
    get,
    guardrail,
    items,
    number,
    show,
    truthy,
)
from .links import Referrers, identities

# Waterfall order: a transition may only move right (docs/aws-rules.md#s3-lifecycle).
WATERFALL = (
    "STANDARD",
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
FORBIDDEN = {
    ("INTELLIGENT_TIERING", "STANDARD_IA"),
    ("ONEZONE_IA", "STANDARD_IA"),
    ("ONEZONE_IA", "INTELLIGENT_TIERING"),
    ("ONEZONE_IA", "GLACIER_IR"),
}
# Minimum storage duration charges, in days
# (docs/aws-rules.md#s3-minimum-storage-duration-and-size).
MIN_DURATION_DAYS = {
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "GLACIER_IR": 90,
    "GLACIER": 90,
    "DEEP_ARCHIVE": 180,
}
# With varies_by_storage_class, objects under 128 KB still reach these two classes (the others
# refuse them), each object adding 40 KB of billed overhead and a transition request
# (docs/aws-rules.md#s3-minimum-storage-duration-and-size).
SMALL_OBJECT_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
MIN_BILLABLE_BYTES = 131072


def _rule_id(rule: Any, index: int) -> str:
    rid = get(rule, "id")
    return f"rule '{rid}'" if rid else f"rule #{index + 1}"


def _steps(rule: Any, noncurrent: bool) -> list[tuple[float, str]]:
    """(day, storage class) of a rule's transitions, ordered by day; date-based ones skipped."""
    key, day_key = (
        ("noncurrentVersionTransitions", "noncurrentDays")
        if noncurrent
        else ("transitions", "days")
    )
    steps = []
    for t in items(get(rule, key)):
        days = number(get(t, day_key))
        cls = get(t, "storageClass")
        if days is not None and isinstance(cls, str):
            steps.append((days, cls))
    return sorted(steps)


def _rules(res: Res) -> Iterable[tuple[str, Any]]:
    for i, rule in enumerate(items(res.props.get("rules"))):
        yield _rule_id(rule, i), rule


@guardrail(
    "s3-lifecycle-transitions-valid",
    "S3 lifecycle transitions must be ones S3 accepts: STANDARD_IA and ONEZONE_IA not before day "
    "30 (noncurrent versions too), classes in waterfall order, never back to STANDARD. "
    "Remediation: move IA transitions to day 30 or later (or use INTELLIGENT_TIERING earlier) and "
    "order the transitions STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, "
    "DEEP_ARCHIVE.",
    severity="high",
)
def transitions_valid(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in LIFECYCLES:
        return
    for rid, rule in _rules(res):
        for noncurrent in (False, True):
            what = "noncurrent-version transition" if noncurrent else "transition"
            steps = _steps(rule, noncurrent)
            for days, cls in steps:
                if cls == "STANDARD":
                    yield (
                        f"{rid}: {what} to STANDARD on day {days:g}: S3 never transitions back to "
                        "STANDARD"
                    )
                minimum = MIN_TRANSITION_DAYS.get(cls)
                if minimum is not None and days < minimum:
                    yield (
                        f"{rid}: {what} to {cls} after {days:g} days; S3 requires at least "
                        f"{minimum} days"
                    )
            for (d1, c1), (d2, c2) in zip(steps, steps[1:], strict=False):
                if c1 not in WATERFALL or c2 not in WATERFALL or c2 == "STANDARD":
                    continue
                if WATERFALL.index(c2) <= WATERFALL.index(c1) or (c1, c2) in FORBIDDEN:
                    yield (
                        f"{rid}: {what} from {c1} (day {d1:g}) to {c2} (day {d2:g}) is not allowed "
                        f"by the S3 waterfall"
                    )


def _expiry(rule: Any, noncurrent: bool) -> float | None:
    if noncurrent:
        return number(get(rule, "noncurrentVersionExpiration", "noncurrentDays"))
    return number(get(rule, "expiration", "days"))


@guardrail(
    "s3-minimum-duration-trap",
    "No S3 lifecycle expiry or next transition before the current class's minimum storage "
    "duration (STANDARD_IA and ONEZONE_IA 30 days, GLACIER_IR and GLACIER 90, DEEP_ARCHIVE 180): "
    "the early-deletion charge bills the full minimum anyway. Remediation: keep objects in a class "
    "at least its minimum duration, or skip that class.",
    severity="medium",
)
def minimum_duration(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in LIFECYCLES:
        return
    for rid, rule in _rules(res):
        for noncurrent in (False, True):
            what = "noncurrent " if noncurrent else ""
            steps = _steps(rule, noncurrent)
            for (d1, c1), (d2, c2) in zip(steps, steps[1:], strict=False):
                minimum = MIN_DURATION_DAYS.get(c1)
                if minimum is not None and d2 - d1 < minimum:
                    yield (
                        f"{rid}: {what}objects move from {c1} to {c2} after {d2 - d1:g} days in "
                        f"{c1}; {c1} bills a minimum of {minimum} days"
                    )
            expiry = _expiry(rule, noncurrent)
            if steps and expiry is not None:
                d1, c1 = steps[-1]
                minimum = MIN_DURATION_DAYS.get(c1)
                if minimum is not None and expiry - d1 < minimum:
                    yield (
                        f"{rid}: {what}objects expire {expiry - d1:g} days after entering {c1} "
                        f"(day {expiry:g}); {c1} bills a minimum of {minimum} days"
                    )


@guardrail(
    "s3-noncurrent-versions-expire",
    "Every S3 lifecycle configuration expires noncurrent versions (NoncurrentVersionExpiration) "
    "within a bound, so versioned buckets do not keep every overwrite forever. Remediation: add "
    "noncurrentVersionExpiration.noncurrentDays to an enabled rule.",
    severity="medium",
    config={"max_noncurrent_days": {"type": "number", "default": 365, "minimum": 1}},
    relaxes={"max_noncurrent_days": "higher"},
)
def noncurrent_expire(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in LIFECYCLES:
        return
    limit = float(cfg["max_noncurrent_days"])
    days = [
        _expiry(rule, True)
        for _, rule in _rules(res)
        if get(rule, "status", default="Enabled") == "Enabled"
    ]
    days = [d for d in days if d is not None]
    if not days:
        yield (
            "no enabled rule sets NoncurrentVersionExpiration; noncurrent versions are kept forever"
        )
    elif min(days) > limit:
        shortest = min(days)
        yield (
            f"NoncurrentVersionExpiration after {shortest:g} days exceeds the limit of "
            f"{limit:g} days"
        )


def _size_floor(rule: Any) -> float:
    direct = number(get(rule, "filter", "objectSizeGreaterThan"))
    nested = number(get(rule, "filter", "and", "objectSizeGreaterThan"))
    return max(v for v in (direct, nested, 0.0) if v is not None)


@guardrail(
    "s3-small-object-transition",
    "With transitionDefaultMinimumObjectSize varies_by_storage_class S3 moves objects under 128 KB "
    "to GLACIER and DEEP_ARCHIVE, where each carries 40 KB of billed overhead and costs a "
    "transition request: for small objects more than the move saves. Remediation: filter such "
    "rules with objectSizeGreaterThan of at least 131072, or keep all_storage_classes_128K.",
    severity="medium",
    config={"min_object_size_bytes": {"type": "number", "default": MIN_BILLABLE_BYTES}},
    relaxes={"min_object_size_bytes": "lower"},
)
def small_objects(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in LIFECYCLES:
        return
    if res.props.get("transitionDefaultMinimumObjectSize") != "varies_by_storage_class":
        return
    floor = float(cfg["min_object_size_bytes"])
    for rid, rule in _rules(res):
        classes = {c for _, c in _steps(rule, False) + _steps(rule, True)}
        for cls in sorted(classes & set(SMALL_OBJECT_CLASSES)):
            size = _size_floor(rule)
            if size < floor:
                yield (
                    f"{rid}: moves objects to {cls} with TransitionDefaultMinimumObjectSize "
                    f"varies_by_storage_class but ObjectSizeGreaterThan is {size:g}; "
                    f"the minimum is {floor:g} bytes"
                )


def _attached(resources: list[Res], types: tuple[str, ...]):
    """Each bucket with the resources of `types` attached to it (by dependency, name or id)."""
    attached = Referrers((r for r in resources if r.type in types), "bucket")
    for bucket in (r for r in resources if r.type in BUCKETS):
        yield bucket, attached.of(bucket, identities(bucket, "bucket", "id"))


PUBLIC_ACCESS_FLAGS = {
    "blockPublicAcls": "BlockPublicAcls",
    "ignorePublicAcls": "IgnorePublicAcls",
    "blockPublicPolicy": "BlockPublicPolicy",
    "restrictPublicBuckets": "RestrictPublicBuckets",
}


@guardrail(
    "s3-public-access-blocked",
    "Every S3 bucket has a public access block with BlockPublicAcls, IgnorePublicAcls, "
    "BlockPublicPolicy and RestrictPublicBuckets all true. Remediation: add an "
    "aws.s3.BucketPublicAccessBlock for the bucket with the four flags set to true.",
    severity="critical",
    kind="stack",
)
def public_access_blocked(resources: list[Res], cfg: Mapping[str, Any]):
    for bucket, blocks in _attached(resources, (PUBLIC_ACCESS_BLOCK,)):
        if not blocks:
            yield bucket.urn, "bucket has no public access block (all four flags must be true)"
            continue
        for block in blocks:
            for prop, aws_name in PUBLIC_ACCESS_FLAGS.items():
                value = block.props.get(prop)
                if not truthy(value):
                    yield (
                        bucket.urn,
                        f"public access block sets {aws_name} to {show(value)}; required: true",
                    )


@guardrail(
    "s3-data-bucket-lifecycle",
    "Every data bucket has a lifecycle configuration, so objects tier down and expire. "
    "Remediation: give the bucket an aws.s3.BucketLifecycleConfiguration "
    "(settings storage.lifecycle).",
    severity="medium",
    kind="stack",
    config={
        "exempt_name_patterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "fnmatch patterns of resource names that are not data buckets",
        }
    },
    relaxes={"exempt_name_patterns": "wider"},
)
def data_bucket_lifecycle(resources: list[Res], cfg: Mapping[str, Any]):
    patterns = list(cfg["exempt_name_patterns"])
    for bucket, lifecycles in _attached(resources, LIFECYCLES):
        if any(fnmatch.fnmatch(bucket.name, p) for p in patterns):
            continue
        if not lifecycles:
            yield (
                bucket.urn,
                (
                    "bucket has no lifecycle configuration "
                    "(aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration)"
                ),
            )


SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


@guardrail(
    "s3-encrypted",
    "Every S3 bucket has a server-side encryption configuration with a default SSEAlgorithm "
    "(AES256, aws:kms or aws:kms:dsse). Remediation: add an "
    "aws.s3.BucketServerSideEncryptionConfiguration for the bucket.",
    severity="high",
    kind="stack",
)
def s3_encrypted(resources: list[Res], cfg: Mapping[str, Any]):
    for bucket, configs in _attached(resources, SSE_CONFIGS):
        algorithms = [
            get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
            for c in configs
            for rule in items(c.props.get("rules"))
        ]
        if not configs:
            yield bucket.urn, "bucket has no server-side encryption configuration"
        elif not any(a in SSE_ALGORITHMS for a in algorithms):
            found = ", ".join(str(a) for a in algorithms) or "none"
            yield (
                bucket.urn,
                f"SSEAlgorithm is {found}; required one of {', '.join(SSE_ALGORITHMS)}",
            )
