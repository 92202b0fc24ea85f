"""Fakes for the telemetry tests: an NVML that replays recorded H200 figures.

The fake keeps pynvml's real structures, constants and error classes, so the sampler code under
test is exactly what runs against a driver.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pynvml

HERE = Path(__file__).parent
SHARED_H200 = HERE.parents[2] / "shared" / "data" / "gpu-h200"


def h200_phases() -> list[dict[str, float | str]]:
    """Phase means of a real H200 (tests/telemetry/h200_phases.csv, sources in its header)."""
    lines = [
        ln for ln in (HERE / "h200_phases.csv").read_text().splitlines() if not ln.startswith("#")
    ]
    rows = []
    for row in csv.DictReader(lines):
        rows.append({k: (v if k == "phase" else float(v)) for k, v in row.items()})
    return rows


class FakeNvml:
    """pynvml's functions over per-GPU traces: each sample reads the next row of each GPU's trace
    (rows: gpu_util_pct, mem_used_bytes, power_w, sm_util_pct, sm_occupancy_pct,
    tensor_util_pct, dram_bw_util_pct)."""

    NVMLError = pynvml.NVMLError
    NVML_SUCCESS = pynvml.NVML_SUCCESS
    NVML_GPM_METRICS_GET_VERSION = pynvml.NVML_GPM_METRICS_GET_VERSION
    NVML_GPM_METRIC_SM_UTIL = pynvml.NVML_GPM_METRIC_SM_UTIL
    NVML_GPM_METRIC_SM_OCCUPANCY = pynvml.NVML_GPM_METRIC_SM_OCCUPANCY
    NVML_GPM_METRIC_ANY_TENSOR_UTIL = pynvml.NVML_GPM_METRIC_ANY_TENSOR_UTIL
    NVML_GPM_METRIC_DRAM_BW_UTIL = pynvml.NVML_GPM_METRIC_DRAM_BW_UTIL
    c_nvmlGpmMetricsGet_t = pynvml.c_nvmlGpmMetricsGet_t

    def __init__(
        self,
        traces: list[list[dict]],
        *,
        gpm: list[bool] | None = None,
        names: list[str] | None = None,
        driver: bool = True,
        power: bool = True,
        interrupt_after: int | None = None,
    ) -> None:
        self.traces = traces
        self.gpm = gpm or [True] * len(traces)
        self.names = names or ["NVIDIA H200"] * len(traces)
        self.driver = driver
        self.power = power
        self.interrupt_after = interrupt_after  # raise KeyboardInterrupt at this sample (Ctrl-C)
        self.cursor = [-1] * len(traces)
        self.initialised = False
        self.shutdowns = 0
        self.freed = 0
        self._gpm_gpu = 0
        self._gpm_gets = [0] * len(traces)

    def _error(self, code: int) -> pynvml.NVMLError:
        return pynvml.NVMLError(code)

    def nvmlInit(self) -> None:
        if not self.driver:
            raise self._error(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)
        self.initialised = True

    def nvmlShutdown(self) -> None:
        self.initialised = False
        self.shutdowns += 1

    def nvmlDeviceGetCount(self) -> int:
        return len(self.traces)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetName(self, handle: int) -> str:
        return self.names[handle]

    def _row(self, handle: int) -> dict:
        trace = self.traces[handle]
        return trace[min(self.cursor[handle], len(trace) - 1)]

    def nvmlDeviceGetUtilizationRates(self, handle: int) -> SimpleNamespace:
        self.cursor[handle] += 1  # the first read of a sample moves this GPU to its next row
        if handle == 0 and self.interrupt_after is not None:
            if self.cursor[0] == self.interrupt_after:
                raise KeyboardInterrupt
        return SimpleNamespace(gpu=int(round(self._row(handle)["gpu_util_pct"])), memory=0)

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> SimpleNamespace:
        used = int(self._row(handle)["mem_used_bytes"])
        return SimpleNamespace(used=used, total=150_754_820_096, free=150_754_820_096 - used)

    def nvmlDeviceGetPowerUsage(self, handle: int) -> int:
        if not self.power:
            raise self._error(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return int(self._row(handle)["power_w"] * 1000)  # milliwatts, as NVML answers

    def nvmlGpmQueryDeviceSupport(self, handle: int) -> SimpleNamespace:
        return SimpleNamespace(isSupportedDevice=int(self.gpm[handle]))

    def nvmlGpmSampleAlloc(self):
        return pynvml.c_nvmlGpmSample_t()

    def nvmlGpmSampleFree(self, sample) -> None:
        self.freed += 1

    def nvmlGpmSampleGet(self, handle: int, sample):
        self._gpm_gpu = handle
        self._gpm_gets[handle] += 1
        return sample

    def nvmlGpmMetricsGet(self, request):
        assert request.version == pynvml.NVML_GPM_METRICS_GET_VERSION
        row = self._row(self._gpm_gpu)
        columns = {
            pynvml.NVML_GPM_METRIC_SM_UTIL: "sm_util_pct",
            pynvml.NVML_GPM_METRIC_SM_OCCUPANCY: "sm_occupancy_pct",
            pynvml.NVML_GPM_METRIC_ANY_TENSOR_UTIL: "tensor_util_pct",
            pynvml.NVML_GPM_METRIC_DRAM_BW_UTIL: "dram_bw_util_pct",
        }
        for i in range(request.numMetrics):
            metric = request.metrics[i]
            column = columns.get(metric.metricId)
            if column is None:
                metric.nvmlReturn = pynvml.NVML_ERROR_NOT_SUPPORTED
            else:
                metric.nvmlReturn = pynvml.NVML_SUCCESS
                metric.value = float(row[column])
        return request


class StepClock:
    """A clock that only moves when slept on: collect loops run instantly and deterministically."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
