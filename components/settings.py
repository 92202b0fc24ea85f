"""The schema of the stack config: one pydantic model tree, free of Pulumi imports.

Every key lives under the `aeon-infra:` namespace in `Pulumi.<stack>.yaml`; each top-level field of
`StackSettings` is one config key. Settings reject what AWS itself would reject (sizes out of order,
S3 transitions AWS refuses, unknown regions); what is legal but unwise is left to the policy pack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

PROJECT = "aeon-infra"

# Commercial AWS region codes (AWS "Regions and Zones" documentation, 2026-11).
AWS_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
        "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-7",
        "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
    }
)  # fmt: skip

# S3 lifecycle storage classes in waterfall order (a transition may only move right).
S3_WATERFALL = (
    "STANDARD",
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
# AWS refuses a transition to these before day 30 (current and noncurrent versions alike).
S3_MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
# Transitions AWS refuses even though they move right in the waterfall.
S3_FORBIDDEN_TRANSITIONS = {
    ("INTELLIGENT_TIERING", "STANDARD_IA"),
    ("ONEZONE_IA", "STANDARD_IA"),
    ("ONEZONE_IA", "INTELLIGENT_TIERING"),
    ("ONEZONE_IA", "GLACIER_IR"),
}

INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
CRON = re.compile(r"^(\S+\s+){4}\S+$")


class SettingsRuleError(ValueError):
    """A cross-field rule broken at `path` (relative to the model that checks it)."""

    def __init__(self, message: str, *path: str | int):
        super().__init__(message)
        self.path = path


class Model(BaseModel):
    """Strict about unknown keys: a typo in the stack config is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Name = Annotated[str, Field(pattern=NAME.pattern, description="lowercase DNS label, 2-40 chars")]
Percent = Annotated[float, Field(ge=0, le=100)]


class PoolRole(StrEnum):
    TRAINING = "training"
    INFERENCE = "inference"
    CPU = "cpu"
    PREPROCESSING = "preprocessing"
    EDGE_CACHE = "edge-cache"

    @property
    def runs_on_kubernetes(self) -> bool:
        """Node pools are scaled by the Cluster Autoscaler; the other fleets by ASG policies."""
        return self in (PoolRole.TRAINING, PoolRole.INFERENCE, PoolRole.CPU)


class RegionRole(StrEnum):
    PRIMARY = "primary"
    EDGE = "edge"


class Tags(Model):
    team: str = Field(min_length=1)
    cost_center: str = Field(min_length=1)
    service: str = Field(min_length=1)


class Region(Model):
    name: str
    role: RegionRole
    vpc_cidr: str = Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[6-9]|2[0-8])$")
    availability_zones: int = Field(ge=2, le=6)
    nat_gateways: Literal["per-az", "single"]

    @field_validator("name")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in AWS_REGIONS:
            raise ValueError(
                f"unknown AWS region {value!r}; allowed: {', '.join(sorted(AWS_REGIONS))}"
            )
        return value


class CapacityMix(Model):
    """Purchase options of a mixed-instances group (EC2 Auto Scaling's own knobs)."""

    committed: int = Field(
        ge=0, description="instances covered by reservations or savings plans: the on-demand base"
    )
    on_demand_percentage_above_base: int = Field(ge=0, le=100)
    spot_allocation_strategy: Literal[
        "price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized",
        "lowest-price",
    ] = "price-capacity-optimized"  # fmt: skip
    capacity_rebalance: bool = True

    @property
    def uses_spot(self) -> bool:
        return self.on_demand_percentage_above_base < 100


class FleetScaling(Model):
    """ASG scaling policy of a fleet outside Kubernetes."""

    policy: Literal["target-tracking", "step", "simple"]
    metric: Literal["cpu", "sqs-backlog-per-instance"]
    target_value: float | None = Field(default=None, gt=0)
    scale_out_threshold: float | None = Field(default=None, gt=0)
    scale_in_threshold: float | None = Field(default=None, ge=0)
    estimated_instance_warmup_s: int = Field(default=180, ge=0, le=3600)
    cooldown_s: int | None = Field(default=None, ge=0, le=3600)
    step_adjustment: int = Field(
        default=1, ge=1, le=100, description="instances added (removed) per step or simple action"
    )
    alarm_evaluation_periods: int = Field(
        default=2, ge=1, le=60, description="60 s periods a scale-out/in alarm must breach"
    )

    @model_validator(mode="after")
    def _aws_rules(self) -> FleetScaling:
        if self.policy == "target-tracking" and self.target_value is None:
            raise ValueError("target-tracking needs target_value")
        if self.policy != "target-tracking":
            if self.scale_out_threshold is None or self.scale_in_threshold is None:
                raise ValueError(
                    f"{self.policy} scaling needs scale_out_threshold and scale_in_threshold"
                )
            if self.scale_out_threshold <= self.scale_in_threshold:
                raise ValueError(
                    f"scale_out_threshold {self.scale_out_threshold:g} must be greater than "
                    f"scale_in_threshold {self.scale_in_threshold:g}"
                )
        if self.cooldown_s is not None and self.policy != "simple":
            raise ValueError(
                f"cooldown_s is only accepted by AWS on simple scaling, not {self.policy}; "
                "use estimated_instance_warmup_s"
            )
        return self


class OffHours(Model):
    """Weekday schedule: scheduled actions on min/max/desired that the autoscaler respects."""

    time_zone: str = "UTC"
    scale_down_cron: str = Field(pattern=CRON.pattern)
    scale_up_cron: str = Field(pattern=CRON.pattern)
    min_size: int = Field(default=0, ge=0)
    desired_size: int | None = Field(
        default=None, ge=0, description="unset: leave running nodes alone, only cap min/max"
    )
    max_size: int = Field(default=0, ge=0)

    @field_validator("time_zone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. America/New_York)") from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> OffHours:
        desired = self.min_size if self.desired_size is None else self.desired_size
        _check_sizes(self.min_size, desired, self.max_size)
        return self


class GpuSharing(Model):
    """NVIDIA device-plugin time-slicing; absent means whole GPUs only."""

    time_slicing_replicas: int = Field(ge=2, le=48)


class Pool(Model):
    name: Name
    role: PoolRole
    region: str
    instance_types: list[str] = Field(min_length=1, max_length=40)
    min_size: int = Field(ge=0, le=10_000)
    desired_size: int = Field(ge=0, le=10_000)
    max_size: int = Field(ge=0, le=10_000)
    capacity: CapacityMix
    interruptible: bool = Field(
        default=False, description="the workload tolerates spot interruptions (checkpointing)"
    )
    scaling: FleetScaling | None = None
    off_hours: OffHours | None = None
    gpu_sharing: GpuSharing | None = None
    latency_target_ms: float | None = Field(default=None, gt=0)
    root_volume_gb: int = Field(default=100, ge=20, le=16_384)
    labels: dict[str, str] = Field(default_factory=dict)

    @field_validator("instance_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        for item in value:
            if not INSTANCE_TYPE.match(item):
                raise ValueError(
                    f"{item!r} is not an EC2 instance type (family.size, e.g. g5.xlarge)"
                )
        if len(set(value)) != len(value):
            raise ValueError("instance_types repeats a type")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Pool:
        _check_sizes(self.min_size, self.desired_size, self.max_size)
        if self.capacity.committed > self.max_size:
            raise SettingsRuleError(
                f"capacity.committed {self.capacity.committed} exceeds max_size {self.max_size}: "
                "the on-demand base can never be reached",
                "capacity",
                "committed",
            )
        if self.gpu_sharing is not None and not self.is_gpu:
            raise SettingsRuleError(
                f"gpu_sharing is only for GPU pools (training, inference), not {self.role}",
                "gpu_sharing",
            )
        if self.scaling is not None and self.role.runs_on_kubernetes:
            raise SettingsRuleError(
                f"scaling is set on a {self.role} pool, which the Cluster Autoscaler scales; ASG "
                "scaling policies would fight it (remove scaling)",
                "scaling",
            )
        if self.scaling is None and not self.role.runs_on_kubernetes:
            raise SettingsRuleError(
                f"a {self.role} fleet is scaled by an ASG policy: set scaling", "scaling"
            )
        return self

    @property
    def is_gpu(self) -> bool:
        return self.role in (PoolRole.TRAINING, PoolRole.INFERENCE)


class Tier(Model):
    storage_class: Literal[S3_WATERFALL]  # type: ignore[valid-type]
    after_days: int = Field(ge=0)


class Lifecycle(Model):
    """Tiers in order; the first is where objects land (STANDARD, day 0)."""

    tiers: list[Tier] = Field(min_length=1)
    expire_after_days: int | None = Field(default=None, ge=1)
    noncurrent_expire_after_days: int = Field(ge=1)

    @model_validator(mode="after")
    def _aws_accepts(self) -> Lifecycle:
        first = self.tiers[0]
        if first.storage_class != "STANDARD" or first.after_days != 0:
            raise ValueError("the first tier must be STANDARD after 0 days (where objects land)")
        for prev, tier in zip(self.tiers, self.tiers[1:], strict=False):
            cls = tier.storage_class
            if cls == "STANDARD":
                raise ValueError("S3 never transitions objects back to STANDARD")
            minimum = S3_MIN_TRANSITION_DAYS.get(cls, 0)
            if tier.after_days < minimum:
                raise ValueError(
                    f"S3 rejects a transition to {cls} after {tier.after_days} days; "
                    f"the minimum is {minimum} days"
                )
            if tier.after_days <= prev.after_days:
                raise ValueError(
                    f"tier {cls} after {tier.after_days} days must come later than "
                    f"{prev.storage_class} after {prev.after_days} days"
                )
            if S3_WATERFALL.index(cls) <= S3_WATERFALL.index(prev.storage_class) or (
                (prev.storage_class, cls) in S3_FORBIDDEN_TRANSITIONS
            ):
                raise ValueError(f"S3 does not transition {prev.storage_class} to {cls}")
        last = self.tiers[-1]
        if self.expire_after_days is not None and self.expire_after_days <= last.after_days:
            raise ValueError(
                f"expire_after_days {self.expire_after_days} must be greater than the last "
                f"transition ({last.storage_class} after {last.after_days} days)"
            )
        return self


class Bucket(Model):
    name: Name = Field(description="data class: datasets, checkpoints, embeddings, logs...")
    versioning: bool = True
    lifecycle: Lifecycle | None = Field(default=None, description="overrides storage.lifecycle")


class EbsClasses(Model):
    hot: Literal["gp3", "io2", "gp2"] = "gp3"
    warm: Literal["st1", "sc1", "gp3"] = "st1"
    # gp3 baseline (EBS documentation): 3,000 IOPS and 125 MiB/s at no extra charge.
    root_iops: int = Field(default=3000, ge=3000, le=80_000)
    root_throughput_mibps: int = Field(default=125, ge=125, le=2000)


class Storage(Model):
    lifecycle: Lifecycle
    buckets: list[Bucket] = Field(min_length=1)
    ebs: EbsClasses = EbsClasses()
    abort_incomplete_multipart_days: int = Field(default=7, ge=1)

    @model_validator(mode="after")
    def _unique(self) -> Storage:
        _check_unique("bucket", [b.name for b in self.buckets], "buckets")
        return self


class Namespace(Model):
    name: Name
    team: str
    gpu_quota: int = Field(ge=0, description="requests.nvidia.com/gpu")
    priority_class: str
    region_roles: list[RegionRole] = Field(
        default_factory=lambda: [RegionRole.PRIMARY, RegionRole.EDGE],
        min_length=1,
        description="the clusters (by region role) that get this namespace",
    )


class Kubelet(Model):
    """Kubelet settings of GPU nodes (the framework's core-affinity and NUMA rule)."""

    reserved_system_cpus: str = Field(
        default="0-1", pattern=r"^\d+(-\d+)?(,\d+(-\d+)?)*$",
        description="cpuset kept for the OS and kubelet; the static CPU manager pins the rest",
    )  # fmt: skip


class ClusterAutoscaler(Model):
    expander: Literal["least-waste", "priority", "price", "most-pods", "random"] = "least-waste"
    scale_down_utilization_threshold: float = Field(default=0.5, gt=0, le=1)
    scale_down_unneeded_time_s: int = Field(default=600, ge=60)


class PriorityClass(Model):
    name: Name
    value: int = Field(ge=-2_147_483_648, le=1_000_000_000)
    description: str = ""
    preempts: bool = True


class Kubernetes(Model):
    version: str = Field(pattern=r"^1\.\d{2}$")
    endpoint_public_access_cidrs: list[str] = Field(default_factory=list)
    namespaces: list[Namespace] = Field(default_factory=list)
    priority_classes: list[PriorityClass] = Field(default_factory=list)
    chart_versions: dict[str, str] = Field(default_factory=dict)
    control_plane_logs: list[
        Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]
    ] = Field(default_factory=lambda: ["api", "audit", "authenticator"])
    secrets_key_deletion_days: int = Field(default=30, ge=7, le=30, description="KMS window")
    node_drain_timeout_s: int = Field(
        default=300, ge=30, le=7200, description="termination lifecycle hook heartbeat"
    )
    kubelet: Kubelet = Kubelet()
    service_cidr: str = Field(
        default="172.20.0.0/16", pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[2-9]|2[0-4])$"
    )
    cluster_autoscaler: ClusterAutoscaler = ClusterAutoscaler()

    @model_validator(mode="after")
    def _references(self) -> Kubernetes:
        _check_unique("namespace", [n.name for n in self.namespaces], "namespaces")
        _check_unique("priority class", [p.name for p in self.priority_classes], "priority_classes")
        known = {p.name for p in self.priority_classes}
        for ns in self.namespaces:
            if ns.priority_class not in known:
                raise ValueError(
                    f"namespace {ns.name!r} names priority class {ns.priority_class!r}; "
                    f"defined: {', '.join(sorted(known)) or 'none'}"
                )
        return self


class DynamicBatching(Model):
    max_batch_size: int = Field(ge=1, le=1024)
    max_queue_delay_microseconds: int = Field(ge=0)
    priority_levels: int = Field(ge=1, le=10)
    max_queue_size: int = Field(ge=1)
    queue_timeout_ms: int = Field(ge=1)


class Inference(Model):
    pool: Name
    model_name: str
    image: str
    replicas: int = Field(ge=1)
    max_replicas: int = Field(ge=1)
    tensor_parallelism: int = Field(ge=1, le=8)
    batching: DynamicBatching
    namespace: Name = "inference"
    hpa_target_cpu_pct: int = Field(default=70, ge=1, le=100)
    node_port: int = Field(
        default=30800, ge=30000, le=32767, description="HTTP port the load balancer targets"
    )
    cpu_per_replica: float = Field(default=8, gt=0)
    memory_gib_per_replica: float = Field(default=64, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Inference:
        if self.replicas > self.max_replicas:
            raise ValueError(
                f"replicas {self.replicas} must be <= max_replicas {self.max_replicas}"
            )
        return self


class EdgeInference(Model):
    """Triton in each edge region, on that region's inference pool (single-GPU pods)."""

    model_name: str
    replicas: int = Field(ge=1)
    max_replicas: int = Field(ge=1)
    namespace: Name = "edge-inference"
    cpu_per_replica: float = Field(default=3, gt=0)
    memory_gib_per_replica: float = Field(default=12, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> EdgeInference:
        if self.replicas > self.max_replicas:
            raise ValueError(
                f"replicas {self.replicas} must be <= max_replicas {self.max_replicas}"
            )
        return self


class CacheLevel(Model):
    size_gb: float = Field(gt=0)
    ttl_s: int = Field(ge=0)


class VectorStore(Model):
    partitions: int = Field(ge=1, le=256)
    replication_factor: int = Field(ge=1, le=5)
    partition_size_gb: float = Field(gt=0)
    index_schedule: str = Field(pattern=CRON.pattern)
    index_max_duration_h: float = Field(gt=0, le=2)
    l1_cache: CacheLevel
    l2_cache: CacheLevel
    image: str = "qdrant/qdrant:v1.12.4"
    namespace: Name = "inference"
    pool: Name | None = Field(default=None, description="node pool (by name) the store runs on")
    cpu_per_replica: float = Field(default=2, gt=0)
    memory_gib_per_replica: float = Field(default=8, gt=0, description="besides the L1 cache")
    volume_headroom_pct: int = Field(
        default=50, ge=0, le=400, description="data volume size above the partition size"
    )


class Cache(Model):
    size_gb: float = Field(gt=0)
    eviction: Literal["allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-ttl"]
    ttl_s: int | None = Field(default=None, ge=1)
    node_type: str = Field(default="cache.r7g.large", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    replicas: int = Field(default=1, ge=0, le=5, description="read replicas besides the primary")
    engine_version: str = "7.1"


class Serving(Model):
    inference: Inference
    edge_inference: EdgeInference | None = None
    vector_store: VectorStore
    embedding_cache: Cache
    result_cache: Cache


class Routing(Model):
    domain: str = Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    health_check_path: str = Field(default="/v2/health/ready", pattern=r"^/")
    cdn: bool = True
    listener_port: int = Field(default=80, ge=1, le=65535)
    health_check_interval_s: Literal[10, 30] = 30  # the two intervals Route 53 offers
    health_check_failure_threshold: int = Field(default=3, ge=1, le=10)
    cdn_default_ttl_s: int = Field(default=3600, ge=0)
    cdn_max_ttl_s: int = Field(default=86400, ge=0)
    cdn_price_class: Literal["PriceClass_All", "PriceClass_200", "PriceClass_100"] = (
        "PriceClass_All"
    )

    @model_validator(mode="after")
    def _ttls(self) -> Routing:
        if self.cdn_default_ttl_s > self.cdn_max_ttl_s:
            raise ValueError(
                f"cdn_default_ttl_s {self.cdn_default_ttl_s} exceeds "
                f"cdn_max_ttl_s {self.cdn_max_ttl_s}"
            )
        return self


class Budget(Model):
    monthly_limit_usd: float = Field(gt=0)
    forecast_alert_pct: list[Percent] = Field(min_length=1)
    subscriber_emails: list[str] = Field(min_length=1)


class PressureAlarm(Model):
    threshold_pct: Percent
    duration_s: int = Field(ge=60, description="whole minutes: CloudWatch evaluates 60 s periods")

    @field_validator("duration_s")
    @classmethod
    def _whole_minutes(cls, value: int) -> int:
        if value % 60:
            raise ValueError(f"{value} s is not a whole number of minutes")
        return value


class Monitoring(Model):
    cpu_pressure: PressureAlarm
    memory_pressure: PressureAlarm
    alert_emails: list[str] = Field(default_factory=list, description="SNS subscribers of alarms")
    prometheus_retention: str = Field(default="15d", pattern=r"^\d+[hdw]$")


class AppliedRecommendation(Model):
    """What `aeon apply` wrote, so a later reader knows why a pool key changed."""

    id: str
    pool: str
    kind: str
    applied_at: str
    changes: dict[str, Any] = Field(default_factory=dict)


class Recommendations(Model):
    max_step_pct: Percent = Field(default=50, description="largest change per apply, in percent")
    applied: list[AppliedRecommendation] = Field(default_factory=list)


class StackSettings(Model):
    """The whole stack config: each field is the `aeon-infra:<field>` key."""

    environment: Literal["prod", "staging", "dev"]
    tags: Tags
    regions: list[Region] = Field(min_length=1)
    pools: list[Pool] = Field(default_factory=list)
    storage: Storage | None = None
    kubernetes: Kubernetes | None = None
    serving: Serving | None = None
    routing: Routing | None = None
    budget: Budget | None = None
    monitoring: Monitoring | None = None
    recommendations: Recommendations = Recommendations()

    @model_validator(mode="after")
    def _cross_references(self) -> StackSettings:
        primaries = [r.name for r in self.regions if r.role == RegionRole.PRIMARY]
        if len(primaries) != 1:
            raise SettingsRuleError(
                f"exactly one region must have role primary; found {len(primaries)}", "regions"
            )
        _check_unique("region", [r.name for r in self.regions], "regions")
        _check_unique("pool", [p.name for p in self.pools], "pools")
        regions = {r.name for r in self.regions}
        for index, pool in enumerate(self.pools):
            if pool.region not in regions:
                raise SettingsRuleError(
                    f"pool {pool.name!r} is in region {pool.region!r}, which is not declared; "
                    f"declared: {', '.join(sorted(regions))}",
                    "pools",
                    index,
                    "region",
                )
        if self.serving is not None:
            pools = {p.name: p for p in self.pools}
            target = pools.get(self.serving.inference.pool)
            at = ("serving", "inference", "pool")
            target_name = self.serving.inference.pool
            if target is None or target.role != PoolRole.INFERENCE:
                raise SettingsRuleError(
                    f"serving.inference.pool {target_name!r} is not an inference pool",
                    *at,
                )
            if target.region != self.primary_region.name:
                raise SettingsRuleError(
                    f"serving.inference.pool {target.name!r} is in {target.region}; core inference "
                    f"runs in the primary region {self.primary_region.name}",
                    *at,
                )
            tp = self.serving.inference.tensor_parallelism
            if tp > 1 and target.gpu_sharing is not None:
                raise SettingsRuleError(
                    f"serving.inference.tensor_parallelism {tp} needs whole GPUs, but pool "
                    f"{target.name!r} is time-sliced (gpu_sharing); time-slicing rejects pods "
                    "asking for more than one GPU: serve from an unshared pool",
                    *at,
                )
            if self.serving.edge_inference is not None:
                for region in self.regions:
                    if region.role != RegionRole.EDGE:
                        continue
                    found = [p for p in self.pools_in(region.name) if p.role == PoolRole.INFERENCE]
                    if len(found) != 1:
                        raise ValueError(
                            f"serving.edge_inference needs exactly one inference pool in edge "
                            f"region {region.name}; found {len(found)}"
                        )
        return self

    @property
    def primary_region(self) -> Region:
        return next(r for r in self.regions if r.role == RegionRole.PRIMARY)

    def pools_in(self, region: str) -> list[Pool]:
        return [p for p in self.pools if p.region == region]


def _check_sizes(min_size: int, desired_size: int, max_size: int) -> None:
    if not min_size <= desired_size <= max_size:
        raise ValueError(
            f"sizes must satisfy min_size <= desired_size <= max_size; got "
            f"min_size={min_size}, desired_size={desired_size}, max_size={max_size}"
        )


def _check_unique(what: str, names: list[str], *path: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise SettingsRuleError(
                f"{what} name {name!r} is used twice; names must be unique", *path, index
            )
        seen.add(name)


class InvalidSettings(Exception):
    """A stack config that the schema rejects; `problems` are one line each, key path first."""

    def __init__(self, stack: str, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid stack config for stack {stack!r}:\n{listing}")


def parse_settings(values: Mapping[str, str | None], stack: str) -> StackSettings:
    """Validate config values as the Pulumi CLI passes them (`project:key` -> string or JSON)."""
    prefix = PROJECT + ":"
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for key, text in values.items():
        if not key.startswith(prefix) or text is None:
            continue
        field = key[len(prefix) :]
        if field not in StackSettings.model_fields:
            allowed = ", ".join(StackSettings.model_fields)
            problems.append(f"{key}: unknown key; allowed keys: {allowed}")
            continue
        raw[field] = _decode(text)
    if problems:
        raise InvalidSettings(stack, problems)
    try:
        return StackSettings.model_validate(raw)
    except ValidationError as exc:
        raise InvalidSettings(stack, [_describe(err, raw) for err in exc.errors()]) from None


def _decode(text: str) -> Any:
    """Objects and lists arrive as JSON; scalars stay strings for pydantic to coerce."""
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


def _describe(err: Mapping[str, Any], raw: Mapping[str, Any]) -> str:
    loc = tuple(err["loc"])
    value = err.get("input")
    rule = (err.get("ctx") or {}).get("error")
    if isinstance(rule, SettingsRuleError) and rule.path:
        loc += rule.path
        value = _lookup(raw, loc)
    path = _key_path(loc)
    reason = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"{path}: required key is missing"
    label = _item_label(loc, raw)
    if isinstance(value, Mapping):  # a rule over a whole object: its message names the values
        return f"{path}{label}: {reason}"
    return f"{path}{label}: {reason}; got {_short(value)}"


def _lookup(raw: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _key_path(loc: tuple[Any, ...]) -> str:
    if not loc:
        return f"{PROJECT}:<stack config>"
    head, *rest = loc
    path = f"{PROJECT}:{head}"
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _item_label(loc: tuple[Any, ...], raw: Mapping[str, Any]) -> str:
    """Name the list item (`pools[2]` is pool 'training') so the user finds it in the file."""
    node: Any = raw
    label = ""
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if (
            isinstance(part, int)
            and isinstance(node, Mapping)
            and isinstance(node.get("name"), str)
        ):
            label = f" ({node['name']!r})"
    return label


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_schema() -> dict[str, Any]:
    """JSON Schema of the `config:` block of Pulumi.<stack>.yaml, for editors."""
    inner = StackSettings.model_json_schema()
    props = {f"{PROJECT}:{k}": v for k, v in inner.pop("properties").items()}
    required = [f"{PROJECT}:{k}" for k in inner.pop("required", [])]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{PROJECT} stack config",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": True,
            }
        },
        "$defs": inner.get("$defs", {}),
    }
