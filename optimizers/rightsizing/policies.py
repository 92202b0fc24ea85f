"""Sizing policies, one per `--mode`, registered by name: which statistics, headroom and data
requirements a mode uses. The sizing engine (candidates, memory floors, capability scaling) is
shared, so the modes differ only in what they measure: users compare like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from optimizers.errors import InputError
from optimizers.recommendation import Mode

HOUR_S = 3_600
DAY_S = 86_400


@dataclass(frozen=True)
class SizingPolicy:
    name: ClassVar[Mode]
    busy_percentile: float  # CPU and GPU busy-ness
    headroom_pct: float  # multiplies busy-ness
    min_samples: int
    min_span_s: int
    interval_max_s: int | None = None  # reduce samples to the max of each interval first
    # Memory: need = max(peak x memory_peak_factor, p(busy_percentile) x (1 + headroom)).
    memory_peak_factor: float = 1.0
    memory_percentile_with_headroom: bool = True
    gpu_busy_from_gpm: bool = False  # GPM SM activity when present; else the NVML counter
    can_remove: bool = False
    can_share: bool = False
    busy_headroom: bool = True
    memory_headroom_pct: float | None = None  # host and GPU memory; None: headroom_pct

    def headroom(self) -> float:
        return 1 + self.headroom_pct / 100

    def memory_headroom(self) -> float:
        pct = self.headroom_pct if self.memory_headroom_pct is None else self.memory_headroom_pct
        return 1 + pct / 100

    def describe(self) -> dict[str, str]:
        busy = f"p{self.busy_percentile:g}"
        if self.interval_max_s:
            busy += f" of {self.interval_max_s // 60}-minute maxima"
        memory = "max" if self.memory_peak_factor == 1 else f"max x {self.memory_peak_factor:g}"
        if self.memory_percentile_with_headroom:
            pct = round((self.memory_headroom() - 1) * 100, 6)
            memory += f" (at least {busy} + {pct:g}% headroom)"
        return {"busy": busy, "memory": memory}


POLICIES: dict[str, type[SizingPolicy]] = {}


def register(cls: type[SizingPolicy]) -> type[SizingPolicy]:
    POLICIES[str(cls.name)] = cls
    return cls


CO_PERCENTILES = (90.0, 95.0, 99.5)
# Compute Optimizer's presets differ by metric (API type CustomizableMetricParameters):
# CPU headroom 0, 20 or 30 %; memory headroom 10, 20 or 30 % (docs/peers.md).
CO_HEADROOMS = (0.0, 20.0, 30.0)
CO_MEMORY_HEADROOMS = (10.0, 20.0, 30.0)


@register
@dataclass(frozen=True)
class Ours(SizingPolicy):
    """Raw samples, P99.5, 20% headroom at every confidence, 100 samples over 3 h to recommend;
    GPU busy-ness from GPM when present; may remove idle capacity and share GPUs."""

    name: ClassVar[Mode] = Mode.OURS
    busy_percentile: float = 99.5
    headroom_pct: float = 20.0
    min_samples: int = 100
    min_span_s: int = 3 * HOUR_S
    gpu_busy_from_gpm: bool = True
    can_remove: bool = True
    can_share: bool = True


@register
@dataclass(frozen=True)
class ComputeOptimizer(SizingPolicy):
    """AWS Compute Optimizer's parameters: maxima of 5-minute intervals, P99.5 (presets P90, P95,
    P99.5), CPU headroom 20% (presets 0/20/30%), memory headroom 20% (presets 10/20/30%), at least
    30 hours of data; the NVML counter."""

    name: ClassVar[Mode] = Mode.COMPUTE_OPTIMIZER
    busy_percentile: float = 99.5
    headroom_pct: float = 20.0
    min_samples: int = 1
    min_span_s: int = 30 * HOUR_S
    interval_max_s: int | None = 300
    memory_headroom_pct: float | None = 20.0

    def __post_init__(self) -> None:
        def presets(values: tuple[float, ...]) -> str:
            return ", ".join(f"{v:g}" for v in values)

        if self.busy_percentile not in CO_PERCENTILES:
            raise InputError(
                f"compute-optimizer percentile must be one of {presets(CO_PERCENTILES)}"
            )
        if self.headroom_pct not in CO_HEADROOMS:
            raise InputError(
                f"compute-optimizer CPU headroom must be one of {presets(CO_HEADROOMS)} percent "
                "(its memory headroom, --memory-headroom, takes 10, 20 or 30)"
            )
        if self.memory_headroom_pct not in CO_MEMORY_HEADROOMS:
            raise InputError(
                "compute-optimizer memory headroom must be one of "
                f"{presets(CO_MEMORY_HEADROOMS)} percent"
            )


@register
@dataclass(frozen=True)
class Krr(SizingPolicy):
    """robusta-dev/krr's simple strategy: CPU P95 without headroom, memory max x 1.15, at least
    100 points over 3 h."""

    name: ClassVar[Mode] = Mode.KRR
    busy_percentile: float = 95.0
    headroom_pct: float = 0.0
    min_samples: int = 100
    min_span_s: int = 3 * HOUR_S
    memory_peak_factor: float = 1.15
    memory_percentile_with_headroom: bool = False
    busy_headroom: bool = False


def get_policy(
    mode: str,
    headroom_pct: float | None = None,
    percentile: float | None = None,
    memory_headroom_pct: float | None = None,
) -> SizingPolicy:
    """The mode's policy; `headroom_pct` / `percentile` / `memory_headroom_pct` override its
    defaults (krr: headroom sets the memory margin over the peak, as krr's own setting does)."""
    try:
        cls = POLICIES[str(mode)]
    except KeyError:
        raise InputError(f"unknown mode {mode!r}; choose one of: {', '.join(POLICIES)}") from None
    overrides: dict[str, float] = {}
    if percentile is not None:
        if not 50 <= percentile <= 100:
            raise InputError(f"percentile {percentile:g} must be between 50 and 100")
        overrides["busy_percentile"] = percentile
    for label, field, value in (
        ("headroom", "headroom_pct", headroom_pct),
        ("memory headroom", "memory_headroom_pct", memory_headroom_pct),
    ):
        if value is None:
            continue
        if not 0 <= value <= 100:
            raise InputError(f"{label} {value:g}% must be between 0 and 100")
        if cls is Krr:  # krr has one margin: the memory peak's
            overrides["memory_peak_factor"] = 1 + value / 100
        else:
            overrides[field] = value
    return cls(**overrides)
