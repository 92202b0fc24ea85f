"""The policy pack's copies of shared facts equal `components/facts`, so the two cannot drift.

The pack runs in its own virtualenv under the Pulumi CLI and imports nothing from the repository
(tests/test_layers.py checks that), so it keeps its own copies of the S3 rules, tag keys and pool
roles. This test is what ties each copy to the one the components, optimizers and CLI import.
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from types import ModuleType

from components.facts.eks import EKS_CALENDAR
from components.facts.roles import GPU_ROLES, PoolRole
from components.facts.s3 import (
    S3_FORBIDDEN_TRANSITIONS,
    S3_MIN_BILLABLE_BYTES,
    S3_MIN_STORAGE_DAYS,
    S3_MIN_TRANSITION_DAYS,
    S3_SMALL_OBJECT_CLASSES_WHEN_VARYING,
    S3_WATERFALL,
)
from components.facts.tags import COST_TAG_KEYS, POOL_ROLE_TAG, POOL_TAG, POOL_TAG_KEYS
from optimizers.costing.kinds.eks import support_on
from tests.policy.pack import import_guardrails

ROLES = [role.value for role in PoolRole]


def pack_module(name: str) -> ModuleType:
    """A module of the pack's own package (imported by location, as the CLI's working directory)."""
    import_guardrails()
    return importlib.import_module(name)


def guardrail_default(name: str, key: str):
    catalogue = {g.name: g for g in pack_module("aeon_guardrails").catalogue()}
    return catalogue[name].defaults()[key]


def test_s3_lifecycle_rules_match() -> None:
    storage = pack_module("aeon_guardrails.storage")
    assert storage.WATERFALL == S3_WATERFALL
    assert storage.MIN_TRANSITION_DAYS == S3_MIN_TRANSITION_DAYS
    assert storage.FORBIDDEN == S3_FORBIDDEN_TRANSITIONS
    assert storage.MIN_DURATION_DAYS == S3_MIN_STORAGE_DAYS
    assert storage.MIN_BILLABLE_BYTES == S3_MIN_BILLABLE_BYTES
    assert guardrail_default("s3-small-object-transition", "min_object_size_bytes") == (
        S3_MIN_BILLABLE_BYTES
    )


def test_small_object_rule_checks_the_classes_small_objects_reach() -> None:
    storage = pack_module("aeon_guardrails.storage")
    assert set(storage.SMALL_OBJECT_CLASSES) == set(S3_SMALL_OBJECT_CLASSES_WHEN_VARYING)


def test_tag_keys_match() -> None:
    core = pack_module("aeon_guardrails.core")
    cost = pack_module("aeon_guardrails.cost")
    assert (core.POOL_TAG, core.ROLE_TAG) == (POOL_TAG, POOL_ROLE_TAG)
    assert tuple(cost.REQUIRED) == COST_TAG_KEYS
    assert tuple(cost.POOL_KEYS) == POOL_TAG_KEYS
    assert tuple(guardrail_default("required-cost-tags", "required_tags")) == COST_TAG_KEYS
    assert tuple(guardrail_default("required-cost-tags", "pool_tags")) == POOL_TAG_KEYS


def test_pool_roles_match() -> None:
    core = pack_module("aeon_guardrails.core")
    fleet = pack_module("aeon_guardrails.fleet")
    assert list(fleet.ROLES) == ROLES
    assert list(core.GPU_ROLES) == [role.value for role in GPU_ROLES]
    # Tables keyed by role name every role, and nothing else.
    assert sorted(fleet.APPROVED) == sorted(ROLES)
    assert sorted(guardrail_default("asg-spot-diversified", "min_types_by_role")) == sorted(ROLES)


def test_eks_calendar_matches() -> None:
    eks = pack_module("aeon_guardrails.eks_support")
    copy = {v: tuple(date.fromisoformat(d) for d in ends) for v, ends in eks.CALENDAR.items()}
    assert copy == EKS_CALENDAR
    for policy in ("eks-version-standard-support", "eks-version-supported"):
        assert guardrail_default(policy, "calendar") == eks.CALENDAR


def test_eks_policies_judge_as_the_cost_model_prices() -> None:
    """Past standard support where the cost model bills extended support, past extended support
    where it warns that AWS upgrades the cluster, on every boundary of the calendar."""
    eks = pack_module("aeon_guardrails.eks_support")
    days = {d + timedelta(days=k) for ends in EKS_CALENDAR.values() for d in ends for k in (-1, 0)}
    versions = [*EKS_CALENDAR, "1.31.4", "1.20", "1.99", "2.0", "1", "latest", ""]
    for version in versions:
        for day in sorted(days):
            priced, why = support_on(version, day)
            expected = "ended" if "past its end of extended support" in why else priced
            support = eks.support_of(version, eks.CALENDAR, day)
            assert (support.phase if support else "standard") == expected, (version, day)
