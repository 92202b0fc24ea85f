"""Pools and capacity: instance types, sizes, purchase options, scaling, schedules, GPU sharing."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from components.facts import limits
from components.facts.roles import PoolRole
from components.settings.base import (
    INSTANCE_TYPE,
    Cron,
    LabelKey,
    LabelValue,
    Model,
    Name,
    PoolSize,
    RequestMs,
    SettingsRuleError,
    check_sizes,
)


class CapacityMix(Model):
    """Purchase options of a mixed-instances group (EC2 Auto Scaling's own knobs)."""

    committed: PoolSize = Field(
        description="instances covered by reservations or savings plans: the on-demand base"
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
    target_value: float | None = Field(default=None, gt=0, le=1_000_000)
    scale_out_threshold: float | None = Field(default=None, gt=0, le=1_000_000)
    scale_in_threshold: float | None = Field(default=None, ge=0, le=1_000_000)
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
        if self.metric == "cpu":
            for key in ("target_value", "scale_out_threshold", "scale_in_threshold"):
                value = getattr(self, key)
                if value is not None and value > 100:
                    raise ValueError(f"{key} {value:g} is a CPU percentage: at most 100")
        if self.cooldown_s is not None and self.policy != "simple":
            raise ValueError(
                f"cooldown_s is only accepted by AWS on simple scaling, not {self.policy}; "
                "use estimated_instance_warmup_s"
            )
        return self


class OffHours(Model):
    """Weekday schedule: scheduled actions on min/max/desired that the autoscaler respects."""

    time_zone: str = "UTC"
    scale_down_cron: Cron
    scale_up_cron: Cron
    min_size: PoolSize = 0
    desired_size: PoolSize | None = Field(
        default=None, description="unset: leave running nodes alone, only cap min/max"
    )
    max_size: PoolSize = 0

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
        check_sizes(self.min_size, desired, self.max_size)
        return self


class GpuSharing(Model):
    """NVIDIA device-plugin time-slicing; absent means whole GPUs only."""

    time_slicing_replicas: int = Field(ge=2, le=48)


class Pool(Model):
    name: Name
    role: PoolRole
    region: str
    instance_types: list[str] = Field(min_length=1, max_length=limits.MAX_INSTANCE_TYPES)
    min_size: PoolSize
    desired_size: PoolSize
    max_size: PoolSize
    capacity: CapacityMix
    interruptible: bool = Field(
        default=False, description="the workload tolerates spot interruptions (checkpointing)"
    )
    scaling: FleetScaling | None = None
    off_hours: OffHours | None = None
    gpu_sharing: GpuSharing | None = None
    latency_target_ms: RequestMs | None = None
    root_volume_gb: int = Field(default=100, ge=20, le=limits.MAX_EBS_GIB)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    node_group: Name | None = Field(
        default=None,
        description="pools of one node group serve the same pods (they select the group's "
        "aeon.ai/node-group label) and the autoscaler's expander chooses among them; each pool "
        "holds one node shape. Default: the pool's own name",
    )
    worker_image: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$",
        description="preprocessing fleets: the worker container image, pinned by tag or digest",
    )

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
        check_sizes(self.min_size, self.desired_size, self.max_size)
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
        if (self.worker_image is None) == (self.role == PoolRole.PREPROCESSING):
            raise SettingsRuleError(
                "worker_image is required on preprocessing fleets (the container they run) and "
                f"only there; this pool's role is {self.role}",
                "worker_image",
            )
        return self

    @property
    def is_gpu(self) -> bool:
        return self.role.is_gpu

    @property
    def group(self) -> str:
        return self.node_group or self.name
