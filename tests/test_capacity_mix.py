"""The spot / on-demand / committed mix of a pool: spot only where it is safe and diversified, the
base at the committed steady state, and a result the settings and the policy pack accept."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from components.settings import CapacityMix
from optimizers.capacity_mix import PoolMixInput, SpotFigures, plan_pool_mix
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
    assert any("commit 2 more" in r for r in decision.reasons)


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


def test_never_below_held_commitments_nor_above_max_size():
    held = plan_pool_mix(pool(committed=5, unit_commit_usd=9.9))
    assert held.proposed["committed"] == 5
    capped = plan_pool_mix(pool(demand=np.full(100, 50.0), interruptible=False))
    assert capped.proposed["committed"] == 16


def asg(decision, types, zones):
    from aeon_guardrails.core import Res

    proposed = decision.proposed
    return Res(
        type="aws:autoscaling/group:Group",
        urn="urn:pulumi:prod::aeon-infra::aws:autoscaling/group:Group::inference",
        name="inference",
        props={
            "availabilityZones": [f"us-east-1{z}" for z in "abcdef"[:zones]],
            "mixedInstancesPolicy": {
                "instancesDistribution": {
                    "onDemandBaseCapacity": float(proposed["committed"]),
                    "onDemandPercentageAboveBaseCapacity": float(
                        proposed["on_demand_percentage_above_base"]
                    ),
                },
                "launchTemplate": {"overrides": [{"instanceType": t} for t in types]},
            },
            "tags": [{"key": "aeon:pool", "value": "inference"},
                     {"key": "aeon:pool-role", "value": "inference"}],
        },
    )  # fmt: skip


@pytest.fixture(scope="module")
def fleet():
    import_guardrails()
    from aeon_guardrails import fleet

    return fleet


def test_the_policy_pack_accepts_what_the_planner_proposes(fleet):
    defaults = {"min_types_by_role": {"inference": 10}, "min_availability_zones": 2}
    for changes in ({}, {"instance_types": TEN[:4]}, {"zones": 1}):
        inp = pool(**changes)
        decision = plan_pool_mix(inp)
        res = asg(decision, inp.instance_types, inp.zones)
        assert list(sys.modules["aeon_guardrails.spot"].spot_diversified([res], defaults)) == []
        committed = {"pools": {"inference": {"committed": decision.proposed["committed"]}}}
        assert list(fleet.base_within_commitment(res, committed)) == []
