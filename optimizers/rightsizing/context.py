"""What every sizing decision reads: the frame, catalog, prices, the mode's policy, the window and
the stack's pools (none for a fleet the stack does not declare), and what a pool is for."""

from __future__ import annotations

from dataclasses import dataclass, field

from components.facts.roles import PoolRole
from components.settings import Pool, StackSettings
from optimizers.catalog import Catalog
from optimizers.pricing import PriceBook, PricePaid
from optimizers.rightsizing.latency import default_service_ms
from optimizers.rightsizing.policies import SizingPolicy
from optimizers.rightsizing.sharing import DEFAULT_MAX_MEMBERS, ShareRules
from optimizers.telemetry.frame import ResourceInfo, TelemetryFrame

DEFAULT_MAX_STEP_PCT = 50.0
DEFAULT_LATENCY_TARGET_MS = 100.0  # the framework's max_latency_ms (settings' default too)


@dataclass(frozen=True)
class LatencyTarget:
    """A pool's p95 latency target (ms None: none). `set_by_user`: the user set it (the declared
    pool's latency_target_ms, --latency-target-ms, or recommendations.default_latency_target_ms
    written in the stack); the built-in default is not, and never spends money."""

    ms: float | None
    origin: str
    set_by_user: bool
    declared: bool = False  # the pool is in the stack (its own latency_target_ms applies)


@dataclass(frozen=True)
class SizingInputs:
    frame: TelemetryFrame
    catalog: Catalog
    prices: PriceBook
    policy: SizingPolicy
    end: int
    lookback_s: int
    settings: StackSettings | None = None
    service_time_ms: float | None = None
    latency_target_ms: float | None = None  # for inference pools the stack does not declare


@dataclass(frozen=True)
class SizingContext:
    inputs: SizingInputs
    pools: dict[str, Pool] = field(default_factory=dict)

    @classmethod
    def of(cls, inputs: SizingInputs) -> SizingContext:
        pools = {p.name: p for p in (inputs.settings.pools if inputs.settings else [])}
        return cls(inputs, pools)

    @property
    def policy(self) -> SizingPolicy:
        return self.inputs.policy

    @property
    def start(self) -> int:
        return self.inputs.end - self.inputs.lookback_s

    @property
    def max_step_pct(self) -> float:
        settings = self.inputs.settings
        return settings.recommendations.max_step_pct if settings else DEFAULT_MAX_STEP_PCT

    def resource(self, resource_id: str) -> ResourceInfo:
        return self.inputs.frame.resources[resource_id]

    def pool(self, info: ResourceInfo) -> Pool | None:
        return self.pools.get(info.pool)

    def price(self, instance_type: str | None, info: ResourceInfo) -> PricePaid | None:
        """What one instance of that type costs bought as `info` is bought (spot, committed...)."""
        if instance_type is None:
            return None
        return self.inputs.prices.price_paid(instance_type, info.region, info.purchase.value)

    def role(self, info: ResourceInfo) -> PoolRole | None:
        """The declared pool's role; for a pool the stack does not declare, the fleet's."""
        pool = self.pool(info)
        return pool.role if pool is not None else info.role

    def latency_target(self, info: ResourceInfo) -> LatencyTarget:
        """The p95 latency target of the resource's pool, where it comes from, and whether the
        user set it (only then may a latency signal spend money)."""
        pool = self.pool(info)
        if pool is not None:
            origin = f"pool {pool.name}'s latency_target_ms"
            ms = pool.latency_target_ms
            return LatencyTarget(ms, origin, set_by_user=ms is not None, declared=True)
        if self.inputs.latency_target_ms is not None:
            origin = "--latency-target-ms, for a pool not in the stack"
            return LatencyTarget(self.inputs.latency_target_ms, origin, set_by_user=True)
        settings = self.inputs.settings
        recs = settings.recommendations if settings else None
        target = recs.default_latency_target_ms if recs else DEFAULT_LATENCY_TARGET_MS
        by_user = recs is not None and "default_latency_target_ms" in recs.model_fields_set
        default = "" if by_user else " its built-in default,"
        origin = f"recommendations.default_latency_target_ms,{default} for a pool not in the stack"
        return LatencyTarget(target, origin, by_user)

    def share_rules(self, info: ResourceInfo) -> ShareRules:
        pool = self.pool(info)
        replicas = pool.gpu_sharing.time_slicing_replicas if pool and pool.gpu_sharing else None
        target = self.latency_target(info)  # the default too: it only keeps a GPU from sharing
        service = None
        if target.ms is not None:
            service = self.inputs.service_time_ms or default_service_ms(target.ms)
        return ShareRules(
            self.policy, replicas or DEFAULT_MAX_MEMBERS, target.ms, service, target.origin
        )
