"""One decision function per kind: not-enough-data, remove, share, and resize (which keeps,
upsizes, downsizes or changes family). Each returns a typed Decision; nothing here prices a
change into money or writes evidence (decision.to_recommendation does)."""

from __future__ import annotations

from optimizers.catalog import InstanceSpec
from optimizers.recommendation import Kind, Risk, SizingCurrent, SizingProposed
from optimizers.rightsizing.candidates import Fit, candidates
from optimizers.rightsizing.change_cost import PriceChange, removed
from optimizers.rightsizing.context import SizingContext
from optimizers.rightsizing.decision import Decision
from optimizers.rightsizing.measure import Needs
from optimizers.rightsizing.packing import PackResult
from optimizers.rightsizing.projection import Projection, preallocated_note, project
from optimizers.rightsizing.risk import confidence_of, risk_of
from optimizers.rightsizing.saturation import (
    Saturation,
    Verdict,
    counter_only_note,
    saturation,
    unjudged_latency_note,
)
from optimizers.rightsizing.scale_out import Saturated
from optimizers.rightsizing.sharing import Group, check
from optimizers.telemetry.frame import ResourceInfo

IDLE_BUSY_PCT = 1.0  # P99.5 busy-ness at or under this over the window: the capacity is idle
MIN_SAVING_FRACTION = 0.01  # a change saving less than 1% is not worth its risk


def not_enough_data(ctx: SizingContext, info: ResourceInfo, need: Needs, why: str) -> Decision:
    price = ctx.price(info.instance_type, info)
    return Decision.for_resource(
        Kind.NOT_ENOUGH_DATA, info,
        proposed=SizingProposed(instance_type=info.instance_type, count=1),
        change=PriceChange((price,), (price,)),
        risk=Risk(level="low", notes=[f"not enough data: {why}; nothing changes"]),
        confidence=None, need=need, notes=(why,),
    )  # fmt: skip


def is_idle(spec: InstanceSpec, need: Needs) -> bool:
    if spec.has_gpu and need.gpu_busy_pct:
        return need.gpu_busy_max <= IDLE_BUSY_PCT
    return not spec.has_gpu and need.cpu_busy_pct is not None and need.cpu_busy_pct <= IDLE_BUSY_PCT


def remove(ctx: SizingContext, info: ResourceInfo, spec: InstanceSpec, need: Needs) -> Decision:
    conf = confidence_of(need.span_s)
    what = "GPU" if spec.has_gpu else "CPU"
    busy = need.gpu_busy_max if spec.has_gpu else need.cpu_busy_pct
    notes = (f"{what} busy-ness p{ctx.policy.busy_percentile:g} {busy:.2f}% <= "
             f"{IDLE_BUSY_PCT:g}% over the whole window",)  # fmt: skip
    risk_notes = ["the capacity goes away; the pool's autoscaler brings it back on demand"]
    if spec.has_gpu and need.gpu_mem_peak_gib and max(need.gpu_mem_peak_gib) > 1:
        risk_notes.append(
            f"{max(need.gpu_mem_peak_gib):.1f} GiB of GPU memory is resident (a loaded model): "
            "the next request pays a cold start (instance launch plus model load)"
        )
    pool = ctx.pool(info)
    if pool is not None and pool.min_size > 0:
        risk_notes.append(f"pool {pool.name} has min_size {pool.min_size}: lower it to apply")
    price = ctx.price(info.instance_type, info)
    return Decision.for_resource(
        Kind.REMOVE, info,
        proposed=SizingProposed(instance_type=None, count=0),
        change=PriceChange((price,), (removed(price),), info.purchase.value == "committed"),
        risk=risk_of(Kind.REMOVE, conf, risk_notes), confidence=conf, need=need, notes=notes,
        projected={"busy_pct": round(float(busy or 0), 4)},
    )  # fmt: skip


def share(ctx: SizingContext, group: Group, packing: PackResult | None = None) -> Decision:
    members = group.members
    first = ctx.resource(members[0].resource_id)
    infos = [ctx.resource(m.resource_id) for m in members]
    conf = confidence_of(min(m.need.span_s for m in members))
    group = cheapest_host(ctx, group, first)
    host = group.host.instance_type
    before = [ctx.price(i.instance_type, i) for i in infos]
    # The host keeps running; the others go. Committed members stay paid until their term ends.
    after = [ctx.price(host, first)] + [
        (p if i.purchase.value == "committed" else removed(p))
        for i, p in zip(infos[1:], before[1:], strict=True)
    ]
    projected = group.projected
    notes = [
        f"members' busy-ness aligned in time; p{ctx.policy.busy_percentile:g} of the sum "
        f"{projected.get('summed_gpu_busy_pct', 0):.1f}%",
        "summed GPU memory peak plus headroom "
        f"{projected.get('gpu_mem_need_gib', 0):.1f} GiB "
        f"on one {group.host.gpu_name} ({group.host.gpu_memory_gib_each:.1f} GiB)",
    ]
    pool = ctx.pool(first)
    rules = ctx.share_rules(first)
    if pool is None:
        notes.append(
            f"pool {first.pool} is not in the stack; its role ({ctx.role(first)}) comes from "
            "the fleet's inventory or tags"
        )
    if rules.latency_target_ms is not None:
        assumed = "measured" if ctx.inputs.service_time_ms else "assumed (a tenth of the target)"
        notes.append(
            f"latency: M/G/1 on the summed load, service time {rules.service_ms:g} ms "
            f"{assumed}; predicted p95 {projected.get('predicted_p95_latency_ms', 0):.1f} ms "
            f"vs target {rules.latency_target_ms:g} ms ({rules.target_origin})"
        )
    if packing is not None:
        notes.append(
            f"packing ({packing.method}{', optimal' if packing.optimal else ''}): "
            f"{packing.hosts} GPUs for the pool's {sum(len(g.members) for g in packing.groups)} "
            f"{group.host.instance_type} members; first-fit decreasing {packing.ffd_groups}; "
            f"lower bound {packing.bound.describe()}"
            + ("; the search stopped at its time budget" if packing.cut_short else "")
        )
        projected = {
            **projected,
            "pack_gpus": float(packing.hosts),
            "pack_ffd_gpus": float(packing.ffd_groups),
            "pack_lower_bound": float(packing.bound.hosts),
        }
    risk_notes = []
    unmeasured = False  # host CPU or memory a member did not report: not checked, risk up
    for what, key in (("CPU", "host_cpu_unmeasured_members"),
                      ("memory", "host_mem_unmeasured_members")):  # fmt: skip
        if count := int(projected.get(key, 0)):
            unmeasured = True
            notes.append(
                f"host {what} of {count} member(s) not measured: the host-{what} check "
                "counted only the measured ones (risk one level up)"
            )
            risk_notes.append(f"host {what} not measured for every member: it may not fit the host")
    if pool is not None and pool.min_size > 0:
        risk_notes.append(f"pool {pool.name} keeps at least min_size {pool.min_size} nodes")
    risk_notes += [
        "time-slicing has no memory isolation: one member's allocation spike can OOM the others",
        "members' kernels serialize: each request's GPU time stretches while others run",
    ]
    scarcest = min(members, key=lambda m: m.need.span_s).need
    return Decision(
        kind=Kind.SHARE, info=first, target=first.pool,
        targets=tuple(m.resource_id for m in members),
        current=SizingCurrent(
            instance_type=host, count=len(members), purchase=first.purchase.value
        ),
        proposed=SizingProposed(instance_type=host, count=1, gpu_replicas=len(members)),
        change=PriceChange(tuple(before), tuple(after)),
        risk=risk_of(Kind.SHARE, conf, risk_notes, raise_by=1 if unmeasured else 0),
        confidence=conf, need=scarcest, notes=tuple(notes), projected=projected,
    )  # fmt: skip


def cheapest_host(ctx: SizingContext, group: Group, info: ResourceInfo) -> Group:
    """The packed group fits its first member's type; a cheaper single-GPU type may fit too."""
    rules = ctx.share_rules(info)
    current = ctx.price(group.host.instance_type, info)
    if current is None or current.usd_per_hour is None:
        return group
    best, best_usd = group, current.usd_per_hour
    for cand in candidates(ctx, info, group.host):
        if cand.gpu_count != 1:
            continue
        price = ctx.price(cand.instance_type, info)
        if price is None or price.usd_per_hour is None or price.usd_per_hour >= best_usd:
            continue
        verdict = check(group.members, cand, rules)
        if verdict.ok:
            best, best_usd = Group(cand, group.members, verdict.projected), price.usd_per_hour
    return best


def resize(ctx: SizingContext, info: ResourceInfo, need: Needs) -> Decision | Saturated:
    """Upsize when the current type is overloaded; otherwise the cheapest fit within the step
    bound that saves at least 1% (downsize, or change-family); otherwise keep.

    A GPU counts as overloaded only on a real signal (saturation.py): GPM activity, or p95
    latency or queue wait beyond a target the user set. Then the move is to a faster GPU model
    with no more GPUs (candidates never add GPUs); with none, the resource is `Saturated` (the
    engine gathers its pool's into one scale-out). With only the NVML counter high, or latency
    judged only by the built-in default target, nothing is spent. GPU memory that fits the
    current GPU is never overload, whatever its headroom (projection.py)."""
    cur = ctx.inputs.catalog.get(info.instance_type)
    assert cur is not None  # resources missing from the catalog are not-enough-data
    policy = ctx.policy
    here = project(need, cur, cur, policy)
    notes: list[str] = []
    sat = None
    busy_limit = True
    if cur.has_gpu and need.has_gpu_data:
        target = ctx.latency_target(info)
        sat = saturation(need, policy, target.ms if target.set_by_user else None)
        if unjudged := unjudged_latency_note(need, target, info.pool):
            notes.append(unjudged)
        if here.gpu_busy_over and not sat.saturated:
            # No real signal: the counter buys nothing, and only GPUs no slower are candidates.
            notes.append(counter_only_note(need, policy, sat))
            busy_limit = False
            here = project(need, cur, cur, policy, busy_limit=False)
        elif sat.verdict is Verdict.NOT_SATURATED:
            notes.append(f"not saturated: {sat.why}")
    if held := preallocated_note(need, cur, policy):
        notes.append(held)
    overloaded = not here.ok or (sat is not None and sat.saturated)
    if sat is not None and sat.saturated:
        notes.append(f"saturated: {sat.why}")
    fits = [
        Fit(cand, proj, ctx.price(cand.instance_type, info))
        for cand in candidates(ctx, info, cur)
        if (proj := project(need, cur, cand, policy, busy_limit=busy_limit)).ok
        and (sat is None or not sat.saturated or _relieves(proj, sat))
    ]
    # Unpriced fits no larger than now might have been cheaper: say they were skipped.
    unpriced = sorted(
        f.spec.instance_type
        for f in fits
        if f.usd_per_hour is None
        and f.spec.vcpus <= cur.vcpus
        and f.spec.gpu_count <= cur.gpu_count
    )
    if unpriced:
        more = f" and {len(unpriced) - 4} more" if len(unpriced) > 4 else ""
        notes.append(
            f"fitting types without a price figure, skipped: {', '.join(unpriced[:4])}{more}"
        )
    priced = [f for f in fits if f.usd_per_hour is not None]
    if overloaded:
        if priced or fits:
            best = min(priced, key=Fit.by_price) if priced else min(fits, key=Fit.by_capacity)
            now = "now: " + "; ".join(here.reasons or [sat.why if sat else ""])
            return _change(ctx, Kind.UPSIZE, info, need, best, [*notes, now])
        if sat is not None and sat.saturated:
            return Saturated(info, cur, need, sat, tuple(notes))
        overloaded_note = (
            "overloaded now (" + "; ".join(here.reasons) + ") and no allowed type fits: "
            "add a larger type to the pool's instance_types"
        )
        return _keep(ctx, info, need, here, notes + [overloaded_note], level="high")
    best = _cheaper_within_step(ctx, info, cur, fits, priced, notes)
    if best is None:
        return _keep(ctx, info, need, here, notes, level="medium" if not busy_limit else "low")
    return _change(ctx, _kind_of_move(cur, best.spec, notes), info, need, best, notes)


def _kind_of_move(cur: InstanceSpec, new: InstanceSpec, notes: list[str]) -> Kind:
    """What the move is, by the machines, not by the money: a cheaper type that is larger (a
    bigger size whose spot or committed price is lower) is an upsize, and says so."""
    if new.family != cur.family:
        return Kind.CHANGE_FAMILY
    new_size = (new.vcpus, new.memory_mib, new.gpu_count)
    cur_size = (cur.vcpus, cur.memory_mib, cur.gpu_count)
    if all(n >= c for n, c in zip(new_size, cur_size, strict=True)) and new_size != cur_size:
        notes.append(
            f"{new.instance_type} is larger than {cur.instance_type} yet cheaper at the price "
            "this capacity is bought at"
        )
        return Kind.UPSIZE
    return Kind.DOWNSIZE


def _relieves(proj: Projection, sat: Saturation) -> bool:
    """A saturated GPU moves only to a model fast enough to carry its whole load."""
    return proj.values.get("gpu_busy_scale", 1.0) * sat.speedup_needed <= 1


def _cheaper_within_step(
    ctx: SizingContext,
    info: ResourceInfo,
    cur: InstanceSpec,
    fits: list[Fit],
    priced: list[Fit],
    notes: list[str],
) -> Fit | None:
    """The cheapest fit saving at least 1% and at most the step bound; unpriced now: the
    smallest same-family type within the step bound."""
    step = ctx.max_step_pct / 100
    cur_price = ctx.price(cur.instance_type, info)
    cur_usd = cur_price.usd_per_hour if cur_price else None
    if cur_usd is None:
        smaller = [
            f for f in fits
            if f.spec.family == cur.family and f.spec.vcpus < cur.vcpus
            and f.spec.vcpus >= cur.vcpus * (1 - step) and f.spec.gpu_count <= cur.gpu_count
        ]  # fmt: skip
        return min(smaller, key=Fit.by_capacity) if smaller else None
    cheaper = [
        f for f in priced
        if cur_usd * (1 - step) <= f.usd_per_hour < cur_usd * (1 - MIN_SAVING_FRACTION)  # type: ignore[operator]
    ]  # fmt: skip
    beyond = [f for f in priced if f.usd_per_hour < cur_usd * (1 - step)]  # type: ignore[operator]
    if beyond and not cheaper:
        notes.append(f"a cheaper fit exists beyond the {ctx.max_step_pct:g}% step bound")
    return min(cheaper, key=Fit.by_price) if cheaper else None


def _change(
    ctx: SizingContext, kind: Kind, info: ResourceInfo, need: Needs, fit: Fit, notes: list[str]
) -> Decision:
    risk_notes = []
    if kind is Kind.CHANGE_FAMILY:
        risk_notes.append(f"new family {fit.spec.family}: check drivers, AMI and kernels on it")
    values = fit.projection.values
    if "gpu_busy_scale" in values:
        risk_notes.append(
            f"GPU model changes: busy-ness scaled x{values['gpu_busy_scale']:g} "
            f"({need.gpu_bound.value}-bound)"
        )
    if kind is Kind.UPSIZE:
        risk_notes.append("the current type is under-provisioned")
    conf = confidence_of(need.span_s)
    return Decision.for_resource(
        kind, info,
        proposed=SizingProposed(instance_type=fit.spec.instance_type, count=1),
        change=PriceChange(
            (ctx.price(info.instance_type, info),), (fit.price,),
            info.purchase.value == "committed",
        ),
        risk=risk_of(kind, conf, risk_notes), confidence=conf, need=need, notes=tuple(notes),
        projected=values,
    )  # fmt: skip


def _keep(
    ctx: SizingContext,
    info: ResourceInfo,
    need: Needs,
    here: Projection,
    notes: list[str],
    level: str = "low",
) -> Decision:
    price = ctx.price(info.instance_type, info)
    flagged = [n for n in notes if n.startswith(("overloaded", "GPU busy-ness"))]
    return Decision.for_resource(
        Kind.KEEP, info,
        proposed=SizingProposed(instance_type=info.instance_type, count=1),
        change=PriceChange((price,), (price,)),
        risk=Risk(level=level, notes=flagged),  # type: ignore[arg-type]
        confidence=confidence_of(need.span_s), need=need, notes=tuple(notes),
        projected=here.values,
    )  # fmt: skip
