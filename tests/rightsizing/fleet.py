"""Synthetic fleets for right-sizing tests: frames built directly, no telemetry source."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from components.facts.roles import PoolRole
from components.settings import StackSettings
from optimizers.catalog import from_moto_package
from optimizers.pricing import load_price_book
from optimizers.rightsizing import right_size
from optimizers.telemetry.frame import (
    Metric,
    Purchase,
    ResourceInfo,
    Series,
    SeriesKey,
    TelemetryFrame,
)

GIB = 1024**3
DAY = 86_400
T0 = 1_780_000_200  # a multiple of 300 s
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1")

Shape = float | np.ndarray | Callable[[np.ndarray], np.ndarray]


def catalog():
    return from_moto_package(REGIONS)


def prices():
    return load_price_book()


def pool(name: str, instance_types: list[str], role: str = "inference", **extra: Any) -> dict:
    return {
        "name": name,
        "role": role,
        "region": extra.pop("region", "us-east-1"),
        "instance_types": instance_types,
        "min_size": 0,
        "desired_size": 1,
        "max_size": 10,
        "capacity": {"committed": 0, "on_demand_percentage_above_base": 100},
        **extra,
    }


def settings(*pools: dict, max_step_pct: float = 90) -> StackSettings:
    regions = [
        {"name": r, "role": "primary" if r == "us-east-1" else "edge",
         "vpc_cidr": f"10.{i}.0.0/16", "availability_zones": 2, "nat_gateways": "single"}
        for i, r in enumerate(REGIONS)
    ]  # fmt: skip
    return StackSettings.model_validate(
        {
            "environment": "dev",
            "tags": {"team": "t", "cost_center": "c", "service": "s"},
            "regions": regions,
            "pools": list(pools),
            "recommendations": {"max_step_pct": max_step_pct},
        }
    )


class Fleet:
    def __init__(self, days: float = 14, step: int = 300):
        self.resources: dict[str, ResourceInfo] = {}
        self.series: dict[SeriesKey, Series] = {}
        self.days, self.step = days, step

    def grid(self, days: float | None = None) -> np.ndarray:
        days = self.days if days is None else days
        n = int(days * DAY // self.step)
        return T0 + np.arange(n, dtype=np.int64) * self.step

    def _put(self, rid: str, metric: Metric, shape: Shape, ts: np.ndarray, gpu: int | None) -> None:
        if callable(shape):
            values = np.asarray(shape(ts), dtype=np.float64)
        else:
            values = np.broadcast_to(np.asarray(shape, dtype=np.float64), ts.shape).copy()
        self.series[SeriesKey(rid, metric, gpu)] = Series(ts, values)

    def add(
        self,
        rid: str,
        pool: str,
        instance_type: str,
        *,
        region: str = "us-east-1",
        purchase: str = "on-demand",
        cpu: Shape | None = 20.0,
        mem_gib: Shape | None = 4.0,
        gpus: list[dict[str, Shape]] | None = None,
        days: float | None = None,
        role: str | None = None,
        host: dict[str, Shape] | None = None,
    ) -> Fleet:
        """gpus: one dict per GPU with any of busy (NVML counter), sm, tensor, dram, mem_gib;
        host: request_latency_ms / queue_wait_ms series; role: the inventory's pool role."""
        ts = self.grid(days)
        self.resources[rid] = ResourceInfo(
            rid, pool, region, instance_type, Purchase(purchase), PoolRole(role) if role else None
        )
        for name, shape in (host or {}).items():
            self._put(rid, Metric(name), shape, ts, None)
        if cpu is not None:
            self._put(rid, Metric.CPU_UTIL_PCT, cpu, ts, None)
        if mem_gib is not None:
            m = mem_gib
            self._put(rid, Metric.MEM_USED_BYTES, (lambda t: _eval(m, t) * GIB), ts, None)
        names = {
            "busy": Metric.GPU_UTIL_PCT, "sm": Metric.GPU_SM_UTIL_PCT,
            "tensor": Metric.GPU_TENSOR_UTIL_PCT, "dram": Metric.GPU_DRAM_BW_UTIL_PCT,
        }  # fmt: skip
        for g, spec in enumerate(gpus or []):
            for name, metric in names.items():
                if name in spec:
                    self._put(rid, metric, spec[name], ts, g)
            if "mem_gib" in spec:
                m = spec["mem_gib"]
                self._put(rid, Metric.GPU_MEM_USED_BYTES, (lambda t, m=m: _eval(m, t) * GIB), ts, g)
        return self

    def frame(self) -> TelemetryFrame:
        return TelemetryFrame("test", dict(self.resources), dict(self.series))

    @property
    def end(self) -> int:
        return int(max(s.timestamps[-1] for s in self.series.values()))


def _eval(shape: Shape, ts: np.ndarray) -> np.ndarray:
    if callable(shape):
        return np.asarray(shape(ts), dtype=np.float64)
    return np.broadcast_to(np.asarray(shape, dtype=np.float64), ts.shape)


def burst(base: float, peak: float, phase_h: float, every_h: float = 24, width_min: int = 30):
    """`base` busy with a `width_min` burst to `peak` every `every_h` hours at `phase_h`."""

    def shape(ts: np.ndarray) -> np.ndarray:
        hours = ((ts - T0) / 3600.0 - phase_h) % every_h
        return np.where(hours < width_min / 60, peak, base)

    return shape


def noisy(mean: float, spread: float, seed: int):
    def shape(ts: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return np.clip(mean + spread * rng.standard_normal(ts.shape), 0, 100)

    return shape


def run(fleet: Fleet, stack: StackSettings | None, mode: str = "ours", **kw):
    return right_size(
        fleet.frame(), catalog=catalog(), prices=prices(), end=fleet.end,
        lookback_s=kw.pop("lookback_s", 14 * DAY), settings=stack, mode=mode, **kw,
    )  # fmt: skip


def by_target(recs) -> dict:
    return {t: r for r in recs for t in r.targets}


def write_csv(fleet: Fleet, folder) -> None:
    """The csv source's format (inventory.csv + metrics.csv), written with its own writers."""
    from pathlib import Path

    from optimizers.telemetry.csv_source import MetricsCsvWriter, inventory_csv_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inventory.csv").write_text(inventory_csv_text(fleet.resources.values()))
    writer = MetricsCsvWriter(folder / "metrics.csv")
    for key, series in sorted(fleet.series.items()):
        writer.write_batch(
            (int(t), key.resource_id, key.gpu_index, key.metric, float(v))
            for t, v in zip(series.timestamps, series.values, strict=True)
        )
    writer.close()
