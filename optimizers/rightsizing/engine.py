"""The sizing engine shared by every mode: measure, sort each resource to its decision, pack the
share candidates, and turn the decisions into recommendations (one per resource or share group)."""

from __future__ import annotations

from dataclasses import dataclass

from components.settings import Pool, PoolRole
from optimizers.catalog import InstanceSpec
from optimizers.recommendation import SizingRecommendation
from optimizers.rightsizing import decide
from optimizers.rightsizing.context import SizingContext, SizingInputs
from optimizers.rightsizing.decision import Decision, to_recommendation
from optimizers.rightsizing.measure import Needs, lacking_data, measure
from optimizers.rightsizing.sharing import Member, pack


@dataclass(frozen=True, order=True)
class ShareKey:
    """Members share a GPU only within one pool and region."""

    pool: str
    region: str


def share_eligible(spec: InstanceSpec, need: Needs, pool: Pool | None) -> bool:
    # Time-slicing rejects multi-GPU (tensor-parallel) pods; training pools stay unshared.
    return (
        pool is not None
        and pool.role == PoolRole.INFERENCE
        and spec.has_gpu
        and spec.gpu_count == 1
        and need.has_gpu_data
        and bool(need.busy_series)
    )


def plan(inputs: SizingInputs) -> list[SizingRecommendation]:
    ctx = SizingContext.of(inputs)
    policy, frame = ctx.policy, inputs.frame
    needs = measure(frame, policy, ctx.start, inputs.end)
    decisions: list[Decision] = []
    sizable: list[str] = []
    share_members: dict[ShareKey, list[Member]] = {}
    for rid in sorted(frame.resources):
        info, need = frame.resources[rid], needs[rid]
        spec = inputs.catalog.get(info.instance_type)
        lacking = lacking_data(policy, need)
        if lacking or spec is None:
            reason = lacking or f"{info.instance_type} is not in the catalog"
            decisions.append(decide.not_enough_data(ctx, info, need, reason))
        elif policy.can_remove and decide.is_idle(spec, need):
            decisions.append(decide.remove(ctx, info, spec, need))
        elif policy.can_share and share_eligible(spec, need, ctx.pool(info)):
            key = ShareKey(info.pool, info.region)
            share_members.setdefault(key, []).append(Member(rid, spec, need))
        else:
            sizable.append(rid)
    for key, members in sorted(share_members.items()):
        rules = ctx.share_rules(ctx.pools.get(key.pool))
        for group in pack(members, rules, ctx.start, inputs.end):
            if len(group.members) >= 2:
                decisions.append(decide.share(ctx, group))
            else:
                sizable.append(group.members[0].resource_id)
    for rid in sorted(sizable):
        decisions.append(decide.resize(ctx, frame.resources[rid], needs[rid]))
    recs = [to_recommendation(ctx, d) for d in decisions]
    return sorted(recs, key=lambda r: (r.region, r.pool, r.target))
