"""NVML/GPM telemetry from the GPUs of this machine (pynvml, from NVIDIA's nvidia-ml-py).

Per GPU: the NVML utilization counter, memory used, power and, where GPM is supported (Hopper and
newer), SM utilization, SM occupancy, tensor utilization and DRAM bandwidth utilization. GPM
metrics come from two GPM samples taken an interval apart, so each reading covers the interval
since the previous one. Recordings are written in the CSV format (csv_source.py).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from components.facts.files import write_text_atomic
from optimizers.options import Options, internal
from optimizers.telemetry.csv_source import (
    INVENTORY_FILE,
    METRICS_FILE,
    MetricsCsvWriter,
    inventory_csv_text,
    load_csv_frame,
)
from optimizers.telemetry.errors import TelemetryInputError, TelemetryUnavailable
from optimizers.telemetry.frame import Metric, Purchase, ResourceInfo, SeriesKey, TelemetryFrame
from optimizers.telemetry.registry import ReadRequest, TelemetrySource, register
from optimizers.telemetry.series_builder import SeriesBuilder

# pynvml metric ids (nvml.h nvmlGpmMetricId_t) -> frame metrics.
GPM_METRICS: dict[str, Metric] = {
    "NVML_GPM_METRIC_SM_UTIL": Metric.GPU_SM_UTIL_PCT,
    "NVML_GPM_METRIC_SM_OCCUPANCY": Metric.GPU_SM_OCCUPANCY_PCT,
    "NVML_GPM_METRIC_ANY_TENSOR_UTIL": Metric.GPU_TENSOR_UTIL_PCT,
    "NVML_GPM_METRIC_DRAM_BW_UTIL": Metric.GPU_DRAM_BW_UTIL_PCT,
}
MIN_INTERVAL_S = 1.0  # frames hold whole seconds; GPM also needs >= 100 ms between samples

Reading = tuple[int, Metric, float]  # gpu index, metric, value


def load_nvml_module() -> Any:
    try:
        import pynvml
    except ImportError as exc:  # pragma: no cover - nvidia-ml-py is a pinned dependency
        raise TelemetryUnavailable("pynvml is missing: pip install nvidia-ml-py") from exc
    return pynvml


@dataclass
class _Gpu:
    index: int
    handle: Any
    name: str
    gpm_samples: list[Any] = field(default_factory=list)  # [previous, current] when supported
    unsupported: set[Metric] = field(default_factory=set)


class NvmlSampler:
    """Opens NVML, reads every GPU once per `sample()`, and shuts NVML down on `close()`.

    `nvml` is the pynvml module or a fake with the same functions (tests)."""

    def __init__(self, nvml: Any | None = None) -> None:
        self.nvml = nvml if nvml is not None else load_nvml_module()
        self.gpus: list[_Gpu] = []
        self.notes: list[str] = []
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        if self._open:
            return
        nv = self.nvml
        try:
            nv.nvmlInit()
        except nv.NVMLError as exc:
            raise TelemetryUnavailable(
                f"no NVIDIA GPU driver here (NVML: {exc}); run `aeon collect nvml` on a GPU "
                "machine with the NVIDIA driver installed"
            ) from exc
        self._open = True
        count = nv.nvmlDeviceGetCount()
        if count == 0:
            self.close()
            raise TelemetryUnavailable("NVML found no GPU on this machine")
        for index in range(count):
            handle = nv.nvmlDeviceGetHandleByIndex(index)
            name = nv.nvmlDeviceGetName(handle)
            gpu = _Gpu(index, handle, name.decode() if isinstance(name, bytes) else str(name))
            if self._gpm_supported(handle):
                gpu.gpm_samples = [nv.nvmlGpmSampleAlloc(), nv.nvmlGpmSampleAlloc()]
                nv.nvmlGpmSampleGet(handle, gpu.gpm_samples[1])
            else:
                self.notes.append(f"GPU {index} ({gpu.name}): no GPM (Hopper or newer needed)")
            self.gpus.append(gpu)

    def _gpm_supported(self, handle: Any) -> bool:
        nv = self.nvml
        if not hasattr(nv, "nvmlGpmQueryDeviceSupport"):
            return False
        try:
            return bool(nv.nvmlGpmQueryDeviceSupport(handle).isSupportedDevice)
        except nv.NVMLError:
            return False

    def sample(self) -> list[Reading]:
        readings: list[Reading] = []
        for gpu in self.gpus:
            readings += self._basic(gpu)
            if gpu.gpm_samples:
                readings += self._gpm(gpu)
        return readings

    def _read(self, gpu: _Gpu, metric: Metric, read: Callable[[], float]) -> list[Reading]:
        if metric in gpu.unsupported:
            return []
        try:
            return [(gpu.index, metric, float(read()))]
        except self.nvml.NVMLError as exc:
            gpu.unsupported.add(metric)  # e.g. power on some boards: stop asking, say so once
            self.notes.append(f"GPU {gpu.index}: {metric.value} unavailable ({exc})")
            return []

    def _basic(self, gpu: _Gpu) -> list[Reading]:
        nv, h = self.nvml, gpu.handle
        return (
            self._read(gpu, Metric.GPU_UTIL_PCT, lambda: nv.nvmlDeviceGetUtilizationRates(h).gpu)
            + self._read(gpu, Metric.GPU_MEM_USED_BYTES, lambda: nv.nvmlDeviceGetMemoryInfo(h).used)
            + self._read(gpu, Metric.GPU_POWER_W, lambda: nv.nvmlDeviceGetPowerUsage(h) / 1000.0)
        )

    def _gpm(self, gpu: _Gpu) -> list[Reading]:
        nv = self.nvml
        previous, current = gpu.gpm_samples[1], gpu.gpm_samples[0]
        try:
            nv.nvmlGpmSampleGet(gpu.handle, current)
        except nv.NVMLError as exc:
            self.notes.append(f"GPU {gpu.index}: GPM sample failed ({exc})")
            return []
        gpu.gpm_samples = [previous, current]
        wanted = [(getattr(nv, name), metric) for name, metric in GPM_METRICS.items()]
        request = nv.c_nvmlGpmMetricsGet_t()
        request.version = nv.NVML_GPM_METRICS_GET_VERSION
        request.numMetrics = len(wanted)
        request.sample1 = previous
        request.sample2 = current
        for i, (metric_id, _) in enumerate(wanted):
            request.metrics[i].metricId = metric_id
        try:
            nv.nvmlGpmMetricsGet(request)
        except nv.NVMLError as exc:
            self.notes.append(f"GPU {gpu.index}: GPM metrics failed ({exc})")
            return []
        readings: list[Reading] = []
        for i, (_, metric) in enumerate(wanted):
            result = request.metrics[i]
            if result.nvmlReturn == nv.NVML_SUCCESS:  # each metric has its own return code
                readings.append((gpu.index, metric, float(result.value)))
            elif metric not in gpu.unsupported:
                gpu.unsupported.add(metric)
                self.notes.append(
                    f"GPU {gpu.index}: GPM {metric.value} returned {result.nvmlReturn}"
                )
        return readings

    def close(self) -> None:
        if not self._open:
            return
        nv = self.nvml
        for gpu in self.gpus:
            for s in gpu.gpm_samples:
                try:
                    nv.nvmlGpmSampleFree(s)
                except nv.NVMLError:
                    pass
        self.gpus = []
        nv.nvmlShutdown()
        self._open = False


@dataclass(frozen=True)
class CollectPlan:
    interval_s: float = 1.0
    duration_s: float | None = None
    samples: int | None = None

    def __post_init__(self) -> None:
        if self.interval_s < MIN_INTERVAL_S:
            raise TelemetryInputError(
                f"interval {self.interval_s}s: use 1s or more (samples are kept per second)"
            )
        if self.samples is not None and self.samples < 1:
            raise TelemetryInputError("--samples must be 1 or more")


@dataclass
class CollectResult:
    samples: int
    rows: int
    gpus: list[str]
    notes: list[str]
    interrupted: bool


def collect(
    sampler: NvmlSampler,
    plan: CollectPlan,
    on_sample: Callable[[float, list[Reading]], None],
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    should_stop: Callable[[], bool] = lambda: False,
) -> CollectResult:
    """Sample every `interval_s` until `samples`/`duration_s` is reached or Ctrl-C; the sampler is
    closed whatever happens. Each sample goes to `on_sample(timestamp, readings)` at once."""
    sampler.open()  # no-op when the caller opened it already
    taken = rows = 0
    interrupted = False
    try:
        started = clock()
        next_at = started + plan.interval_s  # first GPM reading needs one interval of history
        while not should_stop():
            if plan.samples is not None and taken >= plan.samples:
                break
            if plan.duration_s is not None and next_at - started > plan.duration_s + 1e-9:
                break
            delay = next_at - clock()
            if delay > 0:
                sleep(delay)
            now = clock()
            readings = sampler.sample()
            on_sample(now, readings)
            taken += 1
            rows += len(readings)
            next_at += plan.interval_s
            if next_at < clock():  # fell behind (slow NVML call): skip, do not burst
                next_at = clock() + plan.interval_s
    except KeyboardInterrupt:
        interrupted = True
    finally:
        gpus = [f"{g.index}: {g.name}" for g in sampler.gpus]
        sampler.close()
    return CollectResult(taken, rows, gpus, list(sampler.notes), interrupted)


def record_to_csv(
    sampler: NvmlSampler,
    plan: CollectPlan,
    out: Path,
    resource: ResourceInfo,
    **loop: Any,
) -> tuple[CollectResult, Path, Path]:
    """Record into metrics.csv (flushed every sample: Ctrl-C leaves only whole rows) and an
    inventory.csv beside it (written atomically, first). `out` is a folder, or a .csv file path
    for the metrics (inventory.csv then goes into the same folder)."""
    if out.suffix.lower() == ".csv":
        metrics_path, folder = out, out.parent
    else:
        metrics_path, folder = out / METRICS_FILE, out
    sampler.open()  # fails (no driver, no GPU) before any file is created
    folder.mkdir(parents=True, exist_ok=True)
    inventory_path = folder / INVENTORY_FILE
    write_text_atomic(inventory_path, inventory_csv_text([resource]))
    with MetricsCsvWriter(metrics_path) as writer:

        def write(ts: float, readings: list[Reading]) -> None:
            writer.write_batch((ts, resource.resource_id, gpu, m, v) for gpu, m, v in readings)

        result = collect(sampler, plan, write, **loop)
    return result, metrics_path, inventory_path


def local_resource(
    resource_id: str | None = None,
    pool: str = "local",
    region: str = "local",
    instance_type: str = "unknown",
    purchase: Purchase = Purchase.ON_DEMAND,
) -> ResourceInfo:
    return ResourceInfo(resource_id or socket.gethostname(), pool, region, instance_type, purchase)


class NvmlOptions(Options):
    interval_s: float = Field(1.0, description="Live: seconds between samples (1 or more).")
    duration_s: float | None = Field(
        None, description="Live: seconds to sample (default 60 unless --samples is given)."
    )
    samples: int | None = Field(None, description="Live: stop after this many samples.")
    resource_id: str | None = Field(
        None, description="Live: machine id in the inventory (default: hostname)."
    )
    nvml: Any = internal()  # the pynvml module or a fake with its functions
    sleep: Callable[[float], None] | None = internal()
    clock: Callable[[], float] | None = internal()


@register
class NvmlSource(TelemetrySource):
    name = "nvml"
    description = "this machine's GPUs live (NVML/GPM), or a recording made by `aeon collect nvml`"
    Options = NvmlOptions
    reads_files = True
    files_hint = "a recording made by `aeon collect nvml`"
    live_hint = "this machine's GPUs"

    def _load(self, request: ReadRequest, options: NvmlOptions) -> TelemetryFrame:
        """With --input: read a recording (the CSV format). Without: sample this machine for
        duration_s (default 60 s) or `samples` readings, every interval_s (default 1 s)."""
        if request.input_dir is not None:
            return load_csv_frame(
                request.input_dir, source=self.name, lookback_s=request.lookback_s,
                end=request.end, inventory=request.inventory,
            )  # fmt: skip
        duration = options.duration_s
        plan = CollectPlan(
            interval_s=options.interval_s,
            duration_s=60.0 if duration is None and not options.samples else duration,
            samples=options.samples,
        )
        resource = local_resource(options.resource_id, region=request.region or "local")
        builder = SeriesBuilder()

        def keep(ts: float, readings: list[Reading]) -> None:
            for gpu, metric, value in readings:
                builder.add(SeriesKey(resource.resource_id, metric, gpu), int(ts), value)

        loop = {k: f for k in ("sleep", "clock") if (f := getattr(options, k)) is not None}
        result = collect(NvmlSampler(options.nvml), plan, keep, **loop)
        series, warnings = builder.build()
        return TelemetryFrame(
            source=self.name,
            resources={resource.resource_id: resource},
            series=series,
            warnings=result.notes + warnings,
        )
