"""The sizing engine shared by every mode: measure, sort each resource to its decision, pack the
share candidates, and turn the decisions into recommendations (one per resource, share group or
scaled-out pool)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from components.facts.roles import PoolRole
from optimizers.catalog import InstanceSpec
from optimizers.recommendation import SizingRecommendation
from optimizers.rightsizing import decide
from optimizers.rightsizing.change_cost import cost_of
from optimizers.rightsizing.context import SizingContext, SizingInputs
from optimizers.rightsizing.decision import Decision, to_recommendation
from optimizers.rightsizing.measure import Needs, lacking_data, measure
from optimizers.rightsizing.packing import DEFAULT_BUDGET_S, PackResult, pack
from optimizers.rightsizing.scale_out import Saturated, scale_out
from optimizers.rightsizing.sharing import Member

ROLE_UNKNOWN = "role unknown: share not considered"


@dataclass(frozen=True, order=True)
class ShareKey:
    """Members share a GPU only within one pool and region."""

    pool: str
    region: str


def shareable(spec: InstanceSpec, need: Needs) -> bool:
    # Time-slicing rejects multi-GPU (tensor-parallel) pods; only one-GPU workloads share.
    return spec.has_gpu and spec.gpu_count == 1 and need.has_gpu_data and bool(need.busy_series)


class _Packer:
    """Packs pools one after another within one time budget for the whole plan."""

    def __init__(self, ctx: SizingContext, pools: int) -> None:
        self.ctx, self.left = ctx, max(1, pools)
        self.deadline = time.monotonic() + DEFAULT_BUDGET_S

    def __call__(self, members: list[Member]) -> list[PackResult]:
        budget = max(0.5, (self.deadline - time.monotonic()) / self.left)
        self.left = max(1, self.left - 1)
        info = self.ctx.resource(members[0].resource_id)
        rules = self.ctx.share_rules(info)
        found = pack(members, rules, self.ctx.start, self.ctx.inputs.end, budget)
        return [found[t] for t in sorted(found)]


def plan(inputs: SizingInputs) -> list[SizingRecommendation]:
    ctx = SizingContext.of(inputs)
    policy, frame = ctx.policy, inputs.frame
    needs = measure(frame, policy, ctx.start, inputs.end)
    decisions: list[Decision] = []
    sizable: list[str] = []
    share_members: dict[ShareKey, list[Member]] = {}
    role_unknown: dict[ShareKey, list[Member]] = {}
    for rid in sorted(frame.resources):
        info, need = frame.resources[rid], needs[rid]
        spec = inputs.catalog.get(info.instance_type)
        lacking = lacking_data(policy, need)
        if lacking or spec is None:
            reason = lacking or f"{info.instance_type} is not in the catalog"
            decisions.append(decide.not_enough_data(ctx, info, need, reason))
        elif policy.can_remove and decide.is_idle(spec, need):
            decisions.append(decide.remove(ctx, info, spec, need))
        elif policy.can_share and shareable(spec, need) and ctx.role(info) == PoolRole.INFERENCE:
            key = ShareKey(info.pool, info.region)
            share_members.setdefault(key, []).append(Member(rid, spec, need))
        else:
            if policy.can_share and shareable(spec, need) and ctx.role(info) is None:
                key = ShareKey(info.pool, info.region)
                role_unknown.setdefault(key, []).append(Member(rid, spec, need))
            sizable.append(rid)
    packer = _Packer(ctx, len(share_members) + len(role_unknown))
    for _, members in sorted(share_members.items()):
        for result in packer(members):
            for group in result.groups:
                if len(group.members) >= 2:
                    decisions.append(decide.share(ctx, group, result))
                else:
                    sizable.append(group.members[0].resource_id)
    missed = _missed_share(ctx, packer, role_unknown)
    saturated: dict[ShareKey, list[Saturated]] = {}
    for rid in sorted(sizable):
        info = frame.resources[rid]
        decision = decide.resize(ctx, info, needs[rid])
        if isinstance(decision, Saturated):
            saturated.setdefault(ShareKey(info.pool, info.region), []).append(decision)
            continue
        if rid in missed:
            decision = _with_missed_share(decision, *missed[rid])
        decisions.append(decision)
    decisions += [scale_out(ctx, items) for _, items in sorted(saturated.items())]
    recs = [to_recommendation(ctx, d) for d in decisions]
    return sorted(recs, key=lambda r: (r.region, r.pool, r.target))


def _missed_share(
    ctx: SizingContext, packer: _Packer, pools: dict[ShareKey, list[Member]]
) -> dict[str, tuple[str, float | None]]:
    """For members of pools whose role is unknown: the note, and their part of what sharing
    would save if the pool were declared an inference pool (None: nothing to share)."""
    out: dict[str, tuple[str, float | None]] = {}
    for key, members in sorted(pools.items()):
        for result in packer(members):
            for group in result.groups:
                ids = [m.resource_id for m in group.members]
                if len(ids) < 2:
                    out[ids[0]] = (ROLE_UNKNOWN, None)
                    continue
                saving = cost_of(decide.share(ctx, group, result).change).saving_usd
                each = None if saving is None else round(saving / len(ids), 2)
                note = (
                    f"{ROLE_UNKNOWN}: as an inference pool, {key.pool}'s {len(ids)} members "
                    f"{', '.join(ids)} would share one GPU"
                    + ("" if saving is None else f", saving ${saving:,.2f}/month")
                    + " (declare the pool, or give it a role: inventory `role` column, the "
                    "aeon:pool-role tag, or the pool_role label)"
                )
                out.update(dict.fromkeys(ids, (note, each)))
    return out


def _with_missed_share(decision: Decision, note: str, saving: float | None) -> Decision:
    return replace(decision, notes=(*decision.notes, note), missed_share_usd=saving)
