"""The sizing engine shared by every mode: candidates, floors, kinds, prices, evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from components.settings import Pool, PoolRole, StackSettings
from optimizers.catalog import Catalog, InstanceSpec, family_of
from optimizers.gpu_capability import busy_scale
from optimizers.pricing import PriceBook, PricePaid
from optimizers.recommendation import (
    HOURS_PER_MONTH,
    Confidence,
    Current,
    Evidence,
    Kind,
    Proposed,
    Recommendation,
    Risk,
    recommendation_id,
)
from optimizers.rightsizing.latency import default_service_ms
from optimizers.rightsizing.measure import Needs, enough_data, measure
from optimizers.rightsizing.policies import DAY_S, SizingPolicy
from optimizers.rightsizing.sharing import (
    DEFAULT_MAX_MEMBERS,
    Group,
    Member,
    ShareRules,
    check,
    pack,
)
from optimizers.telemetry.frame import ResourceInfo, TelemetryFrame

IDLE_BUSY_PCT = 1.0  # P99.5 busy-ness at or under this over the window: the capacity is idle
MIN_SAVING_FRACTION = 0.01  # a change saving less than 1% is not worth its risk
DEFAULT_MAX_STEP_PCT = 50.0


@dataclass(frozen=True)
class PlanInputs:
    frame: TelemetryFrame
    catalog: Catalog
    prices: PriceBook
    policy: SizingPolicy
    end: int
    lookback_s: int
    settings: StackSettings | None = None
    service_time_ms: float | None = None


@dataclass
class Projection:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)


def confidence_of(span_s: int) -> Confidence:
    if span_s < DAY_S:
        return Confidence.LOW
    if span_s < 7 * DAY_S:
        return Confidence.MEDIUM
    return Confidence.HIGH


def gpu_mem_factor(policy: SizingPolicy) -> float:
    return (
        policy.headroom() if policy.memory_percentile_with_headroom else policy.memory_peak_factor
    )


def project(need: Needs, cur: InstanceSpec, cand: InstanceSpec, policy: SizingPolicy) -> Projection:
    """Would `cand` carry what `cur` carried, with the policy's headroom? Never below peaks."""
    hb = policy.headroom() if policy.busy_headroom else 1.0
    p = Projection(True)
    if need.cpu_busy_pct is not None:
        cpu = need.cpu_busy_pct * cur.vcpus / cand.vcpus
        p.values["cpu_busy_pct"] = round(cpu, 3)
        if cpu * hb > 100:
            p.reasons.append(
                f"CPU {cpu:.1f}% (x{hb:g} headroom) exceeds 100% of {cand.vcpus} vCPUs"
            )
    elif cand.vcpus < cur.vcpus:
        p.reasons.append("no CPU data: never fewer vCPUs than now")
    if need.mem_need_gib is not None:
        p.values["host_mem_need_gib"] = round(need.mem_need_gib, 3)
        if cand.memory_gib < need.mem_need_gib:
            p.reasons.append(
                f"host memory {cand.memory_gib:g} GiB is under the need of "
                f"{need.mem_need_gib:.1f} GiB"
            )
    elif cand.memory_mib < cur.memory_mib:
        p.reasons.append("no host memory data: never less memory than now")
    if cur.has_gpu:
        _project_gpu(need, cur, cand, policy, hb, p)
    p.ok = not p.reasons
    return p


def _project_gpu(
    need: Needs,
    cur: InstanceSpec,
    cand: InstanceSpec,
    policy: SizingPolicy,
    hb: float,
    p: Projection,
) -> None:
    if not cand.has_gpu:
        p.reasons.append("no GPU")
        return
    same_model = (
        cur.gpu_name == cand.gpu_name and cur.gpu_memory_mib_each == cand.gpu_memory_mib_each
    )
    if not need.has_gpu_data:
        if not same_model or cand.gpu_count < cur.gpu_count:
            p.reasons.append("no GPU data: keep the same GPUs")
        return
    factor, why = (
        (1.0, "same GPU model")
        if same_model
        else busy_scale(cur.capability, cand.capability, need.gpu_bound)
    )
    if factor is None:
        p.reasons.append(why)
        return
    busy = need.gpu_busy_total * factor / cand.gpu_count
    p.values["gpu_busy_pct"] = round(busy, 3)
    if factor != 1.0:
        p.values["gpu_busy_scale"] = round(factor, 4)
    if busy * hb > 100:
        p.reasons.append(
            f"GPU busy-ness {busy:.1f}% on {cand.gpu_name} ({why}; x{hb:g} headroom) exceeds 100%"
        )
    in_use = sum(1 for m in need.gpu_mem_peak_gib if m * 1024 > 0.01 * cur.gpu_memory_mib_each)
    if cand.gpu_count < max(1, in_use):
        p.reasons.append(f"{in_use} GPUs hold memory (model shards): needs at least {in_use}")
    f = gpu_mem_factor(policy)
    each = max(need.gpu_mem_peak_gib) * f
    total = sum(need.gpu_mem_peak_gib) * f
    p.values["gpu_mem_need_gib_each"] = round(each, 3)
    if cand.gpu_memory_gib_each < each or cand.gpu_memory_gib_each * cand.gpu_count < total:
        p.reasons.append(
            f"GPU memory {cand.gpu_memory_gib_each:.1f} GiB per GPU is under the peak plus "
            "headroom "
            f"({each:.1f} GiB)"
        )


class Planner:
    def __init__(self, inputs: PlanInputs):
        self.inputs = inputs
        self.policy = inputs.policy
        self.start = inputs.end - inputs.lookback_s
        self.pools: dict[str, Pool] = {
            p.name: p for p in (inputs.settings.pools if inputs.settings else [])
        }
        self.max_step_pct = (
            inputs.settings.recommendations.max_step_pct
            if inputs.settings
            else DEFAULT_MAX_STEP_PCT
        )

    # --- helpers -----------------------------------------------------------------------------

    def price(self, instance_type: str | None, info: ResourceInfo) -> PricePaid | None:
        if instance_type is None:
            return None
        return self.inputs.prices.price_paid(instance_type, info.region, info.purchase.value)

    def allowed_families(self, info: ResourceInfo) -> set[str]:
        pool = self.pools.get(info.pool)
        families = {family_of(t) for t in pool.instance_types} if pool else set()
        return families | {family_of(info.instance_type)}

    def evidence(self, need: Needs, **extra) -> Evidence:
        base = dict(
            mode=self.policy.name,
            window_start=self.start,
            window_end=self.inputs.end,
            lookback_s=self.inputs.lookback_s,
            sample_count=need.sample_count,
            span_s=need.span_s,
            percentiles_used=self.policy.describe(),
            headroom_pct=self.policy.headroom_pct,
            series=need.summaries,
            busy_metric=need.busy_metric,
            catalog_source=self.inputs.catalog.source,
        )
        base.update(extra)
        return Evidence(**base)

    def build(
        self,
        *,
        kind: Kind,
        target: str,
        targets: list[str],
        info: ResourceInfo,
        current: Current,
        proposed: Proposed,
        before: list[PricePaid | None],
        after: list[PricePaid | None],
        committed_sunk: bool,
        risk: Risk,
        confidence: Confidence | None,
        need: Needs,
        notes: list[str],
        projected: dict[str, float] | None = None,
    ) -> Recommendation:
        priced = all(p is not None and p.usd_per_hour is not None for p in before + after)
        cost_before = cost_after = saving = None
        if priced:
            cost_before = round(sum(p.usd_per_hour for p in before) * HOURS_PER_MONTH, 2)  # type: ignore[union-attr,misc]
            cost_after = round(sum(p.usd_per_hour for p in after) * HOURS_PER_MONTH, 2)  # type: ignore[union-attr,misc]
            if committed_sunk and cost_after < cost_before:
                # Committed capacity is paid until its term ends: no marginal saving before then.
                notes = notes + [
                    "committed capacity: paid until the term ends, so the saving "
                    "starts only then (0 until then)"
                ]
                cost_after = cost_before
            saving = round(cost_before - cost_after, 2)
        else:
            notes = notes + ["unpriced: a price figure it needs is missing from the price table"]
        figures = []
        for p in before + after:
            if p is not None:
                figures.extend(p.figures)
        pool = self.pools.get(info.pool)
        if info.purchase.value == "spot" and pool is not None and not pool.interruptible:
            risk = Risk(
                level="high",
                notes=[
                    *risk.notes,
                    f"bought as spot in pool {pool.name}, which is not marked interruptible: "
                    "a 2-minute interruption notice stops the workload",
                ],
            )
        basis = before[0].basis if before and before[0] is not None else None
        evidence = self.evidence(
            need,
            projected=projected or {},
            price_basis=basis,
            prices=list(dict.fromkeys(figures)),
            notes=notes,
        )
        return Recommendation(
            id=recommendation_id(kind, targets, proposed),
            target=target,
            targets=sorted(targets),
            pool=info.pool,
            region=info.region,
            kind=kind,
            current=current,
            proposed=proposed,
            priced=priced,
            monthly_cost_before_usd=cost_before,
            monthly_cost_after_usd=cost_after,
            monthly_saving_usd=saving,
            risk=risk,
            confidence=confidence,
            evidence=evidence,
        )

    def risk(self, kind: Kind, confidence: Confidence | None, notes: list[str]) -> Risk:
        base = {
            Kind.KEEP: "low", Kind.NOT_ENOUGH_DATA: "low", Kind.UPSIZE: "low",
            Kind.DOWNSIZE: "low", Kind.CHANGE_FAMILY: "medium", Kind.REMOVE: "medium",
            Kind.SHARE: "medium",
        }[kind]  # fmt: skip
        notes = list(notes)
        if confidence is Confidence.LOW and kind in (
            Kind.DOWNSIZE,
            Kind.CHANGE_FAMILY,
            Kind.REMOVE,
            Kind.SHARE,
        ):
            base = "high" if base == "medium" else "medium"
            notes.append("low confidence: under 24 h of data; a weekly peak may be missing")
        return Risk(level=base, notes=notes)  # type: ignore[arg-type]

    # --- the plan ----------------------------------------------------------------------------

    def plan(self) -> list[Recommendation]:
        needs = measure(self.inputs.frame, self.policy, self.start, self.inputs.end)
        recs: list[Recommendation] = []
        sizable: list[str] = []
        share_members: dict[tuple[str, str], list[Member]] = {}
        for rid in sorted(self.inputs.frame.resources):
            info = self.inputs.frame.resources[rid]
            need = needs[rid]
            spec = self.inputs.catalog.get(info.instance_type)
            ok, why = enough_data(self.policy, need)
            if not ok or spec is None:
                reason = why if spec is not None else f"{info.instance_type} is not in the catalog"
                recs.append(self.not_enough(info, need, reason))
                continue
            if self.policy.can_remove and self.is_idle(spec, need):
                recs.append(self.remove(info, spec, need))
                continue
            pool = self.pools.get(info.pool)
            if self.policy.can_share and self.share_eligible(spec, need, pool):
                share_members.setdefault((info.pool, info.region), []).append(
                    Member(rid, spec, need)
                )
                continue
            sizable.append(rid)
        for (pool_name, _region), members in sorted(share_members.items()):
            for group in pack(
                members, self.share_rules(self.pools.get(pool_name)), self.start, self.inputs.end
            ):
                if len(group.members) >= 2:
                    recs.append(self.share(group))
                else:
                    sizable.append(group.members[0].resource_id)
        for rid in sorted(sizable):
            recs.append(self.size(self.inputs.frame.resources[rid], needs[rid]))
        return sorted(recs, key=lambda r: (r.region, r.pool, r.target))

    def is_idle(self, spec: InstanceSpec, need: Needs) -> bool:
        if spec.has_gpu and need.gpu_busy_pct:
            return need.gpu_busy_max <= IDLE_BUSY_PCT
        return (
            not spec.has_gpu
            and need.cpu_busy_pct is not None
            and need.cpu_busy_pct <= IDLE_BUSY_PCT
        )

    def share_eligible(self, spec: InstanceSpec, need: Needs, pool: Pool | None) -> bool:
        # Time-slicing rejects multi-GPU (tensor-parallel) pods; training pools stay unshared.
        return (
            pool is not None
            and pool.role == PoolRole.INFERENCE
            and spec.has_gpu
            and spec.gpu_count == 1
            and need.has_gpu_data
            and bool(need.busy_series)
        )

    def share_rules(self, pool: Pool | None) -> ShareRules:
        replicas = pool.gpu_sharing.time_slicing_replicas if pool and pool.gpu_sharing else None
        target = pool.latency_target_ms if pool else None
        service = None
        if target is not None:
            service = self.inputs.service_time_ms or default_service_ms(target)
        return ShareRules(self.policy, replicas or DEFAULT_MAX_MEMBERS, target, service)

    def current(self, info: ResourceInfo, count: int = 1) -> Current:
        return Current(instance_type=info.instance_type, count=count, purchase=info.purchase.value)

    def not_enough(self, info: ResourceInfo, need: Needs, why: str) -> Recommendation:
        price = self.price(info.instance_type, info)
        proposed = Proposed(instance_type=info.instance_type, count=1)
        return self.build(
            kind=Kind.NOT_ENOUGH_DATA, target=info.resource_id, targets=[info.resource_id],
            info=info, current=self.current(info), proposed=proposed, before=[price],
            after=[price], committed_sunk=False,
            risk=Risk(level="low", notes=[f"not enough data: {why}; nothing changes"]),
            confidence=None, need=need, notes=[why],
        )  # fmt: skip

    def remove(self, info: ResourceInfo, spec: InstanceSpec, need: Needs) -> Recommendation:
        conf = confidence_of(need.span_s)
        what = "GPU" if spec.has_gpu else "CPU"
        busy = need.gpu_busy_max if spec.has_gpu else need.cpu_busy_pct
        notes = [f"{what} busy-ness p{self.policy.busy_percentile:g} {busy:.2f}% <= "
                 f"{IDLE_BUSY_PCT:g}% over the whole window"]  # fmt: skip
        risk_notes = ["the capacity goes away; the pool's autoscaler brings it back on demand"]
        if spec.has_gpu and need.gpu_mem_peak_gib and max(need.gpu_mem_peak_gib) > 1:
            risk_notes.append(
                f"{max(need.gpu_mem_peak_gib):.1f} GiB of GPU memory is resident (a loaded model): "
                "the next request pays a cold start (instance launch plus model load)"
            )
        pool = self.pools.get(info.pool)
        if pool is not None and pool.min_size > 0:
            risk_notes.append(f"pool {pool.name} has min_size {pool.min_size}: lower it to apply")
        price = self.price(info.instance_type, info)
        return self.build(
            kind=Kind.REMOVE, target=info.resource_id, targets=[info.resource_id], info=info,
            current=self.current(info), proposed=Proposed(instance_type=None, count=0),
            before=[price], after=[_zero(price)], committed_sunk=info.purchase.value == "committed",
            risk=self.risk(Kind.REMOVE, conf, risk_notes), confidence=conf, need=need, notes=notes,
            projected={"busy_pct": round(float(busy or 0), 4)},
        )  # fmt: skip

    def share(self, group: Group) -> Recommendation:
        members = group.members
        first = self.inputs.frame.resources[members[0].resource_id]
        infos = [self.inputs.frame.resources[m.resource_id] for m in members]
        spans = [m.need.span_s for m in members]
        conf = confidence_of(min(spans))
        group = self.cheapest_host(group, first)
        host = group.host.instance_type
        before = [self.price(i.instance_type, i) for i in infos]
        # The host keeps running; the others go. Committed members stay paid until their term ends.
        after = [before[0]] + [
            (p if i.purchase.value == "committed" else _zero(p))
            for i, p in zip(infos[1:], before[1:], strict=True)
        ]
        after[0] = self.price(host, first)
        proposed = Proposed(instance_type=host, count=1, gpu_replicas=len(members))
        notes = [
            f"members' busy-ness aligned in time; p{self.policy.busy_percentile:g} of the sum "
            f"{group.projected.get('summed_gpu_busy_pct', 0):.1f}%",
            "summed GPU memory peak plus headroom "
            f"{group.projected.get('gpu_mem_need_gib', 0):.1f} GiB "
            f"on one {group.host.gpu_name} ({group.host.gpu_memory_gib_each:.1f} GiB)",
        ]
        rules = self.share_rules(self.pools.get(first.pool))
        if rules.latency_target_ms is not None:
            assumed = (
                "measured" if self.inputs.service_time_ms else "assumed (a tenth of the target)"
            )
            notes.append(
                f"latency: M/G/1 on the summed load, service time {rules.service_ms:g} ms "
                f"{assumed}; "
                f"predicted p95 {group.projected.get('predicted_p95_latency_ms', 0):.1f} ms "
                "vs target "
                f"{rules.latency_target_ms:g} ms"
            )
        pool = self.pools.get(first.pool)
        floor_note = []
        if pool is not None and pool.min_size > 0:
            floor_note = [f"pool {pool.name} keeps at least min_size {pool.min_size} nodes"]
        risk_notes = floor_note + [
            "time-slicing has no memory isolation: one member's allocation spike can OOM "
            "the others",
            "members' kernels serialize: each request's GPU time stretches while others run",
        ]
        worst = min(members, key=lambda m: m.need.span_s).need
        return self.build(
            kind=Kind.SHARE, target=first.pool, targets=[m.resource_id for m in members],
            info=first,
            current=Current(instance_type=host, count=len(members), purchase=first.purchase.value),
            proposed=proposed, before=before, after=after, committed_sunk=False,
            risk=self.risk(Kind.SHARE, conf, risk_notes), confidence=conf, need=worst,
            notes=notes, projected=group.projected,
        )  # fmt: skip

    def cheapest_host(self, group: Group, info: ResourceInfo) -> Group:
        """The packed group fits its first member's type; a cheaper single-GPU type may fit too."""
        rules = self.share_rules(self.pools.get(info.pool))
        best, best_usd = group, None
        current = self.price(group.host.instance_type, info)
        if current is None or current.usd_per_hour is None:
            return group
        best_usd = current.usd_per_hour
        for cand in self.candidates(info, group.host):
            if cand.gpu_count != 1:
                continue
            price = self.price(cand.instance_type, info)
            if price is None or price.usd_per_hour is None or price.usd_per_hour >= best_usd:
                continue
            ok, proj, _ = check(group.members, cand, rules)
            if ok:
                best, best_usd = Group(cand, group.members, proj), price.usd_per_hour
        return best

    def candidates(self, info: ResourceInfo, cur: InstanceSpec) -> list[InstanceSpec]:
        families = self.allowed_families(info)
        arch = set(cur.architectures)
        return [
            c
            for c in self.inputs.catalog.in_region(info.region)
            if c.instance_type != cur.instance_type
            and c.family in families
            and c.current_generation
            and arch & set(c.architectures)
            and c.has_gpu == cur.has_gpu
        ]

    def size(self, info: ResourceInfo, need: Needs) -> Recommendation:
        cur = self.inputs.catalog.get(info.instance_type)
        assert cur is not None
        conf = confidence_of(need.span_s)
        cur_price = self.price(cur.instance_type, info)
        here = project(need, cur, cur, self.policy)
        fits: list[tuple[InstanceSpec, Projection, PricePaid | None]] = []
        for cand in self.candidates(info, cur):
            proj = project(need, cur, cand, self.policy)
            if proj.ok:
                fits.append((cand, proj, self.price(cand.instance_type, info)))
        notes: list[str] = []
        # Unpriced fits no larger than now might have been cheaper: say they were skipped.
        unpriced = sorted(
            c.instance_type
            for c, _, p in fits
            if (p is None or p.usd_per_hour is None)
            and c.vcpus <= cur.vcpus
            and c.gpu_count <= cur.gpu_count
        )
        if unpriced:
            more = f" and {len(unpriced) - 4} more" if len(unpriced) > 4 else ""
            notes.append(
                f"fitting types without a price figure, skipped: {', '.join(unpriced[:4])}{more}"
            )
        cur_usd = cur_price.usd_per_hour if cur_price else None
        priced_fits = [
            (c, pr, p) for c, pr, p in fits if p is not None and p.usd_per_hour is not None
        ]

        def by_price(item):
            c, _, p = item
            return (p.usd_per_hour, c.vcpus, c.memory_mib, c.instance_type)

        def by_capacity(item):
            c = item[0]
            return (c.gpu_count, c.vcpus, c.memory_mib, c.instance_type)

        if not here.ok:
            pool = priced_fits if priced_fits else fits
            if pool:
                cand, proj, price = min(pool, key=by_price if priced_fits else by_capacity)
                return self.change(Kind.UPSIZE, info, need, cur_price, cand, price, proj, conf,
                                   notes + ["now: " + "; ".join(here.reasons)])  # fmt: skip
            return self.keep(info, need, cur_price, here, conf, notes + [
                "overloaded now (" + "; ".join(here.reasons) + ") and no allowed type fits: "
                "add a larger type to the pool's instance_types"
            ], level="high")  # fmt: skip

        step = self.max_step_pct / 100
        if cur_usd is not None:
            cheaper = [
                it for it in priced_fits
                if it[2].usd_per_hour < cur_usd * (1 - MIN_SAVING_FRACTION)
                and it[2].usd_per_hour >= cur_usd * (1 - step)
            ]  # fmt: skip
            bounded_out = [it for it in priced_fits if it[2].usd_per_hour < cur_usd * (1 - step)]
            if bounded_out and not cheaper:
                notes.append(f"a cheaper fit exists beyond the {self.max_step_pct:g}% step bound")
            best = min(cheaper, key=by_price) if cheaper else None
        else:
            smaller = [
                it for it in fits
                if it[0].family == cur.family and it[0].vcpus < cur.vcpus
                and it[0].vcpus >= cur.vcpus * (1 - step) and it[0].gpu_count <= cur.gpu_count
            ]  # fmt: skip
            best = min(smaller, key=by_capacity) if smaller else None
        if best is None:
            return self.keep(info, need, cur_price, here, conf, notes)
        cand, proj, price = best
        kind = Kind.DOWNSIZE if cand.family == cur.family else Kind.CHANGE_FAMILY
        return self.change(kind, info, need, cur_price, cand, price, proj, conf, notes)

    def change(self, kind, info, need, cur_price, cand, price, proj, conf, notes) -> Recommendation:
        risk_notes = []
        if kind is Kind.CHANGE_FAMILY:
            risk_notes.append(f"new family {cand.family}: check drivers, AMI and kernels on it")
        if "gpu_busy_scale" in proj.values:
            risk_notes.append(
                f"GPU model changes: busy-ness scaled x{proj.values['gpu_busy_scale']:g} "
                f"({need.gpu_bound.value}-bound)"
            )
        if kind is Kind.UPSIZE:
            risk_notes.append("the current type is under-provisioned")
        return self.build(
            kind=kind, target=info.resource_id, targets=[info.resource_id], info=info,
            current=self.current(info),
            proposed=Proposed(instance_type=cand.instance_type, count=1),
            before=[cur_price], after=[price], committed_sunk=info.purchase.value == "committed",
            risk=self.risk(kind, conf, risk_notes), confidence=conf, need=need, notes=notes,
            projected=proj.values,
        )  # fmt: skip

    def keep(self, info, need, cur_price, here, conf, notes, level: str = "low") -> Recommendation:
        risk = Risk(level=level, notes=[n for n in notes if n.startswith("overloaded")])  # type: ignore[arg-type]
        return self.build(
            kind=Kind.KEEP, target=info.resource_id, targets=[info.resource_id], info=info,
            current=self.current(info),
            proposed=Proposed(instance_type=info.instance_type, count=1),
            before=[cur_price], after=[cur_price], committed_sunk=False, risk=risk,
            confidence=conf, need=need, notes=notes, projected=here.values,
        )  # fmt: skip


def _zero(price: PricePaid | None) -> PricePaid | None:
    if price is None or price.usd_per_hour is None:
        return price
    return PricePaid(0.0, price.basis, (), "removed")


def plan(inputs: PlanInputs) -> list[Recommendation]:
    return Planner(inputs).plan()
