"""Telemetry sources (CloudWatch, NVML/GPM, Prometheus/DCGM, CSV), all producing a TelemetryFrame.

    from optimizers.telemetry import get_source, parse_duration
    frame = get_source("csv").load(input_dir="data/", lookback_s=parse_duration("14d"))

Every source: `load(*, input_dir=None, lookback_s=None, end=None, region=None, inventory=None,
**options) -> TelemetryFrame` (registry.TelemetrySource). lookback_s None = 14 days; end None =
now (live sources) or the newest sample (recorded files); inventory = a {resource_id:
ResourceInfo} mapping, an inventory.csv path or a folder holding one. Each source's options are
its `Options` model (the `aeon recommend` flags come from them):
  csv         none (input_dir required)
  cloudwatch  endpoint_url, period_s, retry_mode, max_attempts; in code: client, ec2_client,
              progress, sleep (one region per load: per_region)
  prometheus  url (or PROMETHEUS_URL), step_s, timeout_s; in code: client, headers
  nvml        input_dir (a recording) or live: interval_s, duration_s, samples, resource_id;
              in code: nvml, sleep, clock
Bad input raises TelemetryInputError, an unusable source TelemetryUnavailable: optimizers.errors'
InputError (a ValueError) and UnavailableError (a RuntimeError); the CLI exits 2 on both.

Importing this package imports each of its modules, so every source registers itself (a new
source is a new module here), and loads no boto3, pynvml or HTTP client: sources import those in
`_load()`.
"""

import importlib
import pkgutil

from optimizers.telemetry.frame import (
    Metric,
    Purchase,
    ResourceInfo,
    Series,
    SeriesKey,
    TelemetryFrame,
)
from optimizers.telemetry.registry import (
    SOURCES,
    TelemetryInputError,
    TelemetrySource,
    TelemetryUnavailable,
    get_source,
)
from optimizers.telemetry.window import DEFAULT_LOOKBACK_S, format_duration, parse_duration

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "DEFAULT_LOOKBACK_S",
    "SOURCES",
    "Metric",
    "Purchase",
    "ResourceInfo",
    "Series",
    "SeriesKey",
    "TelemetryFrame",
    "TelemetryInputError",
    "TelemetrySource",
    "TelemetryUnavailable",
    "format_duration",
    "get_source",
    "parse_duration",
]
