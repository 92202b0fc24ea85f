"""Property: every proposed lifecycle passes the policy pack's storage policies and the stack
settings, and costs no more than the current one unless the current one archives data still read.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.settings import Lifecycle as SettingsLifecycle
from optimizers.service_prices import load_service_prices
from optimizers.storage import rules
from optimizers.storage.lifecycle import Lifecycle, Transition, to_settings_tiers
from optimizers.storage.plan import plan_bucket
from tests.policy.cases import clean, step_of
from tests.policy.harness import pack_session, run_plan
from tests.storage_fixtures import profile

PRICES = load_service_prices()


@pytest.fixture(scope="module")
def session():
    with pack_session() as started:
        yield started


def _policy_findings(session, lifecycle: Lifecycle) -> list[tuple[str, str]]:
    plan = clean()
    rule = step_of(plan, "datasets-lifecycle")["inputs"]["rules"][0]
    rule["transitions"] = [
        {"days": float(t.days), "storageClass": t.storage_class} for t in lifecycle.transitions
    ]
    if lifecycle.expiration_days is None:
        rule.pop("expiration", None)
    else:
        rule["expiration"] = {"days": float(lifecycle.expiration_days)}
    report = run_plan(session, plan)
    return [(v.policy, v.message) for v in report.violations if v.policy.startswith("s3-")]


@st.composite
def buckets(draw):
    ages = draw(st.integers(20, 500))
    kind = draw(st.sampled_from(["flat", "decay", "cliff"]))
    cliff = draw(st.integers(1, ages))
    per_age = {
        "flat": lambda a: 100.0,
        "decay": lambda a: 100.0 * np.exp(-a / (ages / 3)),
        "cliff": lambda a: 100.0 if a < cliff else 5.0,
    }[kind]
    hot = draw(st.integers(0, ages))
    rate = draw(st.sampled_from([0.0, 0.0005, 0.01, 0.3]))
    tail = draw(st.sampled_from([0.0, 0.0, 0.002]))
    read = lambda a: rate if a < hot else tail  # noqa: E731
    size = draw(st.sampled_from([200_000, 4 << 20, 512 << 20]))
    return profile(
        ages, per_age=per_age, size=size, read=read, small_per_age=draw(st.integers(0, 50))
    )


@st.composite
def current_lifecycles(draw, ages: int):
    """A valid current lifecycle (the settings accept it), possibly archiving read data."""
    steps, day, previous = [], 0, rules.STANDARD
    for _ in range(draw(st.integers(0, 3))):
        options = [c for c in rules.TRANSITION_CLASSES if rules.transition_allowed(previous, c)]
        if not options:
            break
        cls = draw(st.sampled_from(options))
        gap = 1 if previous == rules.STANDARD else rules.min_gap_days(previous)
        day = max(day + gap, rules.min_transition_day(cls))
        day += draw(st.integers(0, 60))
        steps.append(Transition(days=day, storage_class=cls))
        previous = cls
    last_gap = 1 if previous == rules.STANDARD else rules.min_gap_days(previous)
    expire = draw(st.one_of(st.none(), st.integers(day + last_gap, day + last_gap + 400)))
    return Lifecycle(transitions=steps, expiration_days=expire)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_proposals_are_valid_and_never_cost_more_than_a_safe_current(session, data):
    bucket = data.draw(buckets())
    current = data.draw(current_lifecycles(bucket.ages))
    assume_valid = not current.problems()
    plan = plan_bucket(bucket, PRICES, "us-east-1", current=current, horizon_days=400)
    proposed = plan.proposed
    assert proposed.problems() == []
    assert proposed.expiration_days == current.expiration_days  # retention never changes
    SettingsLifecycle(
        tiers=to_settings_tiers(proposed),
        expire_after_days=proposed.expiration_days,
        noncurrent_expire_after_days=30,
    )
    assert _policy_findings(session, proposed) == []
    breaks = plan.evidence["reads_broken_per_month"]["current"]
    if assume_valid and breaks == 0:
        assert plan.monthly_cost_after_usd <= plan.monthly_cost_before_usd + 0.01
    else:
        assert plan.changed
    assert plan.evidence["reads_broken_per_month"]["proposed"] == 0
    assert not proposed.archives() or not any(
        t.days <= (bucket.read_days + bucket.invalid_object_state).nonzero()[0].max(initial=-1)
        for t in proposed.transitions
        if t.storage_class in rules.ARCHIVE_CLASSES
    )
