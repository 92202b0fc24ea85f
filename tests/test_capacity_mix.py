"""The spot / on-demand / committed mix of a pool: spot only where it is safe and diversified, the
base at the committed steady state, and a result the settings and the policy pack accept."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.settings import CapacityMix
from optimizers.capacity_mix import MixOptions, PoolMixInput, SpotFigures, plan_pool_mix
from tests.apply.recs import REPO
from tests.policy.pack import import_guardrails

TEN = ["g6e.12xlarge", "g6e.24xlarge", "g6e.48xlarge", "g5.12xlarge", "g5.24xlarge",
       "g5.48xlarge", "g6.12xlarge", "g6.24xlarge", "g6.48xlarge", "g4dn.12xlarge"]  # fmt: skip


def pool(**changes):
    base = dict(
        pool="inference", role="inference", region="us-east-1", interruptible=True,
        instance_types=TEN, max_size=16, committed=0, on_demand_percentage_above_base=100,
        spot_allocation_strategy="lowest-price", capacity_rebalance=False, zones=3,
        # 2 units always, 6 in the 8 busy hours of each day, for a week
        demand=np.array(([2.0] * 16 + [6.0] * 8) * 7), unit_on_demand_usd=10.0,
        unit_commit_usd=6.2,
        spot=[SpotFigures(t, 60.0, "<5%") for t in TEN],
    )  # fmt: skip
    base.update(changes)
    return PoolMixInput(**base)


def test_interruptible_diversified_pool_goes_to_spot_above_a_committed_base():
    decision = plan_pool_mix(pool())
    assert decision.proposed == {
        "committed": 0,  # spot at 4.0 an hour beats committing at 6.2 even in the steady state
        "on_demand_percentage_above_base": 0,
        "spot_allocation_strategy": "price-capacity-optimized",
        "capacity_rebalance": True,
    }
    assert decision.monthly_saving_usd > 0
    CapacityMix(**decision.proposed)  # the settings accept it


def test_base_is_the_committed_steady_state_when_spot_is_risky():
    decision = plan_pool_mix(pool(spot=[SpotFigures(t, 60.0, ">20%") for t in TEN]))
    assert decision.spot_share_pct == 20  # 5% budget / 25% a month
    assert decision.proposed["on_demand_percentage_above_base"] == 80
    # above-base units cost 0.2 * 4 + 0.8 * 10 = 8.8 > 6.2: commit the 2 units always running
    assert decision.base_units == 2 and decision.purchase_units == 2
    assert any("buy 2 more" in r for r in decision.reasons)
    # the base stays at the commitments held until they are bought
    assert decision.proposed["committed"] == 0


@pytest.mark.parametrize(
    "changes,reason",
    [
        ({"interruptible": False}, "not interruptible"),
        ({"instance_types": TEN[:4]}, "spot needs 10 interchangeable types"),
        ({"zones": 1}, "needs 2"),
        ({"spot": [SpotFigures(t, 10.0, "<5%") for t in TEN]}, "under 20%"),
        ({"spot": []}, "no Spot Advisor figures"),
    ],
)
def test_no_spot_when_unsafe_or_not_worth_it(changes, reason):
    decision = plan_pool_mix(pool(**changes))
    assert decision.proposed["on_demand_percentage_above_base"] == 100
    assert any(reason in r for r in decision.reasons)


def test_the_base_stays_at_the_commitments_held_and_c_star_within_max_size():
    held = plan_pool_mix(pool(committed=5, unit_commit_usd=9.9))
    assert held.proposed["committed"] == 5 and held.purchase_units == 0
    capped = plan_pool_mix(pool(demand=np.full(100, 50.0), interruptible=False))
    assert capped.proposed["committed"] == 0  # never above what is held
    assert capped.base_units == 16 and capped.purchase_units == 16  # c* capped at max_size


def asg(name, role, capacity, types, zones):
    """The group a pool becomes, as the pack sees it (offline engine's camelCase inputs)."""
    from aeon_guardrails.core import Res

    distribution = {
        "onDemandBaseCapacity": float(capacity["committed"]),
        "onDemandPercentageAboveBaseCapacity": float(capacity["on_demand_percentage_above_base"]),
    }
    return Res(
        type="aws:autoscaling/group:Group",
        urn=f"urn:pulumi:prod::aeon-infra::aws:autoscaling/group:Group::{name}",
        name=name,
        props={
            "availabilityZones": [f"us-east-1{z}" for z in "abcdef"[:zones]],
            "mixedInstancesPolicy": {
                "instancesDistribution": distribution,
                "launchTemplate": {"overrides": [{"instanceType": t} for t in types]},
            },
            "tags": [{"key": "aeon:pool", "value": name}, {"key": "aeon:pool-role", "value": role}],
        },
    )


@pytest.fixture(scope="module")
def fleet():
    import_guardrails()
    from aeon_guardrails import fleet

    return fleet


@pytest.fixture(scope="module")
def commitments():
    import_guardrails()
    from aeon_guardrails import commitments

    return commitments


def test_the_policy_pack_accepts_what_the_planner_proposes(fleet, commitments):
    defaults = {"min_types_by_role": {"inference": 10}, "min_availability_zones": 2}
    for changes in ({}, {"instance_types": TEN[:4]}, {"zones": 1}):
        inp = pool(**changes)
        decision = plan_pool_mix(inp)
        res = asg("inference", "inference", decision.proposed, inp.instance_types, inp.zones)
        assert list(sys.modules["aeon_guardrails.spot"].spot_diversified([res], defaults)) == []
        committed = {"pools": {"inference": {"committed": decision.proposed["committed"]}}}
        assert list(commitments.base_within_commitment(res, committed)) == []


# --- every pool of a stack at once, against the pack's own stack check -------------------------

CPU_TYPES = ["m7i.large", "m6i.large", "m7a.large", "m6a.large", "m5.large", "c7i.large",
             "c6i.large", "c7a.large", "c6a.large", "c5.large", "r7i.large",
             "r6i.large"]  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pools=st.lists(
        st.tuples(
            st.sets(st.sampled_from(CPU_TYPES), min_size=1, max_size=7),
            st.booleans(),  # interruptible
            st.sampled_from([0, 50, 100]),  # on-demand percentage above the base today
            st.integers(0, 2),  # committed
        ),
        min_size=1,
        max_size=4,
    ),
    seed=st.integers(0, 1000),
)
def test_whatever_the_pools_the_pack_accepts_the_mix_and_the_base_stays(fleet, pools, seed):
    from optimizers.capacity_mix.recommend import plan_mix
    from optimizers.capacity_mix.usage import PoolDemand, PoolUsage
    from optimizers.catalog import from_moto_package
    from optimizers.pricing import load_price_book
    from tests.rightsizing.fleet import pool as pool_dict
    from tests.rightsizing.fleet import settings as stack

    rng = np.random.default_rng(seed)
    dicts = [
        pool_dict(f"p{i}", sorted(types), role="cpu", interruptible=interruptible, max_size=10,
                  capacity={"committed": held, "on_demand_percentage_above_base": od})
        for i, (types, interruptible, od, held) in enumerate(pools)
    ]  # fmt: skip
    try:
        settings_ = stack(*dicts)
    except ValueError:  # a pool the settings refuse (e.g. mixed architectures) is not a case
        return
    usage = PoolUsage("test", 0, 48, {
        p.name: PoolDemand(p.name, rng.integers(0, 6, 48).astype(float), 0.1, "test")
        for p in settings_.pools
    })  # fmt: skip
    recs = plan_mix(usage, settings_, load_price_book(), None,
                    from_moto_package(("us-east-1",)), lambda p, t: 2, MixOptions())  # fmt: skip
    after = {r.pool: r.proposed.capacity for r in recs}
    assert all(after[p.name].committed == p.capacity.committed for p in settings_.pools)
    offerings = json.loads((REPO / "policies/config/prod.json").read_text())
    cfg = {
        "min_types_by_role": {"cpu": 10}, "min_availability_zones": 2,
        "primary_region": "us-east-1",
        "region_offerings": offerings["asg-spot-diversified"]["region_offerings"],
    }  # fmt: skip
    groups = [
        asg(p.name, "cpu", after[p.name].model_dump(), p.instance_types, zones=2)
        for p in settings_.pools
    ]
    from aeon_guardrails.spot import spot_diversified

    assert list(spot_diversified(groups, cfg)) == []  # every pool of the stack was planned
    for p in settings_.pools:  # spot only grows for safe pools, and only where it is safe
        if not p.interruptible:
            assert after[p.name].on_demand_percentage_above_base == 100
