"""Prometheus telemetry: DCGM exporter GPU fields and node-exporter CPU/memory via query_range.

Prometheus refuses a range query returning more than 11,000 points per series ("exceeded maximum
resolution of 11,000 points per timeseries"), so a long window is split into ranges that fit.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from optimizers.options import Options, internal
from optimizers.telemetry.csv_source import ROLES, resolve_inventory
from optimizers.telemetry.errors import TelemetryInputError, TelemetryUnavailable
from optimizers.telemetry.frame import Metric, Purchase, ResourceInfo, SeriesKey, TelemetryFrame
from optimizers.telemetry.registry import ReadRequest, TelemetrySource, register
from optimizers.telemetry.series_builder import SeriesBuilder

MAX_POINTS_PER_SERIES = 11_000
MAX_WINDOW_POINTS = 1_000_000  # per series: about 694 days at one minute, held as float64 pairs
DEFAULT_STEP_S = 60
MIB = 1024 * 1024
# Labels that name the machine, most specific first (EC2 service discovery relabelled to
# instance_id; DCGM's Hostname, `hostname` in exporter releases from 2026-05 on; Kubernetes node;
# the scrape target without its port).
RESOURCE_LABELS = ("instance_id", "Hostname", "hostname", "node", "instance")
# The pool and its role, relabelled from EC2 service discovery's tag labels
# (`__meta_ec2_tag_aeon_pool`, `__meta_ec2_tag_aeon_pool_role`: the `aeon:pool` and
# `aeon:pool-role` tags) or from node labels: the first label present wins.
POOL_LABELS = ("pool", "aeon_pool")
ROLE_LABELS = ("pool_role", "aeon_pool_role")


@dataclass(frozen=True)
class PromQuery:
    metric: Metric
    expr: str  # `{rate}` is replaced by the rate window
    scale: float = 1.0
    per_gpu: bool = True
    attach_only: bool = False  # only for machines other queries found (it names them by node)


QUERIES = (
    PromQuery(Metric.GPU_UTIL_PCT, "DCGM_FI_DEV_GPU_UTIL"),
    PromQuery(Metric.GPU_SM_UTIL_PCT, "DCGM_FI_PROF_SM_ACTIVE", 100.0),  # ratios 0..1
    PromQuery(Metric.GPU_SM_OCCUPANCY_PCT, "DCGM_FI_PROF_SM_OCCUPANCY", 100.0),
    PromQuery(Metric.GPU_TENSOR_UTIL_PCT, "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", 100.0),
    PromQuery(Metric.GPU_DRAM_BW_UTIL_PCT, "DCGM_FI_PROF_DRAM_ACTIVE", 100.0),
    PromQuery(Metric.GPU_MEM_USED_BYTES, "DCGM_FI_DEV_FB_USED", MIB),  # MiB
    PromQuery(Metric.GPU_POWER_W, "DCGM_FI_DEV_POWER_USAGE"),
    PromQuery(
        Metric.CPU_UTIL_PCT,
        '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[{rate}])))',
        per_gpu=False,
    ),
    PromQuery(
        Metric.MEM_USED_BYTES,
        "node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes",
        per_gpu=False,
    ),
    # Triton's cumulative queue time per successful request, per node (the ServiceMonitor must
    # relabel `__meta_kubernetes_pod_node_name` to `node`): the mean wait in ms.
    PromQuery(
        Metric.QUEUE_WAIT_MS,
        "sum by (node) (rate(nv_inference_queue_duration_us[{rate}])) / 1000"
        " / sum by (node) (rate(nv_inference_request_success[{rate}]))",
        per_gpu=False,
        attach_only=True,
    ),
    # Triton's p95 request time per node from its latency summary (the servers run with
    # `--metrics-config=summary_latencies=true`); the worst model on the node. Never the mean of
    # the duration counters: a mean is not a p95, and a p95 target judged by it passes too often.
    PromQuery(
        Metric.REQUEST_LATENCY_MS,
        'max by (node) (nv_inference_request_summary_us{quantile="0.95"}) / 1000',
        per_gpu=False,
        attach_only=True,
    ),
)


def split_range(start: int, end: int, step: int) -> list[tuple[int, int]]:
    """Inclusive [start, end] sub-ranges on the step grid, each at most 11,000 points, not
    overlapping (a point at a boundary is asked once). A window of more than MAX_WINDOW_POINTS
    points a series is refused (TelemetryInputError), before anything is asked or held."""
    points = (end - start) // step + 1
    if points > MAX_WINDOW_POINTS:
        raise TelemetryInputError(
            f"a {(end - start) / 86_400:,.0f}-day window at a {step} s step is {points:,} points a "
            f"series; at most {MAX_WINDOW_POINTS:,}: shorten --lookback or lengthen the step"
        )
    per_range = (MAX_POINTS_PER_SERIES - 1) * step
    ranges = []
    s = start
    while s <= end:
        e = min(end, s + per_range)
        ranges.append((s, e))
        s = e + step
    return ranges


def _first(labels: Mapping[str, str], names: tuple[str, ...]) -> str:
    return next((labels[n] for n in names if labels.get(n)), "")


def resource_of(labels: Mapping[str, str]) -> str | None:
    for name in RESOURCE_LABELS:
        value = labels.get(name)
        if value:
            return re.sub(r":\d+$", "", value) if name == "instance" else value
    return None


class PrometheusClient:
    """query_range over HTTP with the standard library; `opener` is swappable in tests."""

    def __init__(self, url: str, timeout_s: float = 60.0, headers: Mapping[str, str] | None = None):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.headers = dict(headers or {})
        self.calls = 0

    def query_range(self, expr: str, start: int, end: int, step: int) -> list[dict[str, Any]]:
        import urllib.error  # here, not at import: `aeon --help` stays fast
        import urllib.parse
        import urllib.request

        params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
        request = urllib.request.Request(
            f"{self.url}/api/v1/query_range",
            data=params.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **self.headers},
        )
        self.calls += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read())
            except ValueError:
                raise TelemetryUnavailable(f"Prometheus at {self.url}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TelemetryUnavailable(f"cannot reach Prometheus at {self.url}: {exc}") from exc
        if body.get("status") != "success":
            raise TelemetryInputError(
                f"Prometheus rejected {expr!r}: {body.get('errorType')}: {body.get('error')}"
            )
        return body.get("data", {}).get("result", [])


class PrometheusOptions(Options):
    url: str | None = Field(
        None, description="Server URL, e.g. http://prometheus:9090 (or PROMETHEUS_URL)."
    )
    step_s: int | None = Field(
        None, description=f"Query step in seconds (default {DEFAULT_STEP_S})."
    )
    timeout_s: float = Field(60.0, gt=0, description="Seconds to wait per query.")
    headers: dict[str, str] | None = internal()  # e.g. an Authorization header
    client: Any = internal()  # anything with query_range(expr, start, end, step)


@register
class PrometheusSource(TelemetrySource):
    name = "prometheus"
    description = "DCGM exporter GPU fields and node-exporter CPU/memory (Prometheus query_range)"
    Options = PrometheusOptions
    live_hint = "--url"

    def _load(self, request: ReadRequest, options: PrometheusOptions) -> TelemetryFrame:
        """Needs `url` (e.g. http://prometheus:9090) or a `client`. Without an inventory, machines
        are named by their labels and carry the labels `pool`/`instance_type` if present."""
        client = options.client
        if client is None:
            url = options.url or os.environ.get("PROMETHEUS_URL")
            if not url:
                raise TelemetryInputError(
                    "the prometheus source needs a URL (--url http://HOST:9090 or PROMETHEUS_URL)"
                )
            client = PrometheusClient(url, options.timeout_s, options.headers)
        step = int(options.step_s or DEFAULT_STEP_S)
        if step < 1:
            raise TelemetryInputError("step must be 1 second or more")
        stop = int(request.end if request.end is not None else time.time()) // step * step
        start = stop - math.ceil(request.lookback_s / step) * step
        known = resolve_inventory(request.inventory)
        return collect_prometheus(client.query_range, start, stop, step, known, request.region)


def collect_prometheus(
    query_range: Callable[[str, int, int, int], list[dict[str, Any]]],
    start: int,
    end: int,
    step: int,
    inventory: Mapping[str, ResourceInfo] | None,
    region: str | None,
) -> TelemetryFrame:
    builder = SeriesBuilder()
    seen: dict[str, Mapping[str, str]] = {}
    unnamed = 0
    outside: set[str] = set()
    rate_window = f"{max(2 * step, 120)}s"  # a rate needs at least two scrapes inside its window
    for query in QUERIES:
        expr = query.expr.replace("{rate}", rate_window)
        for lo, hi in split_range(start, end, step):
            for result in query_range(expr, lo, hi, step):
                labels = result.get("metric", {})
                rid = resource_of(labels)
                if rid is None:
                    unnamed += 1
                    continue
                if inventory is not None and rid not in inventory:
                    outside.add(rid)
                    continue
                if query.attach_only and inventory is None and rid not in seen:
                    outside.add(rid)
                    continue
                gpu = None
                if query.per_gpu:
                    gpu_label = str(labels.get("gpu", ""))
                    if not gpu_label.isdigit():
                        unnamed += 1
                        continue
                    gpu = int(gpu_label)
                seen.setdefault(rid, labels)
                key = SeriesKey(rid, query.metric, gpu)
                for stamp, text in result.get("values", []):
                    builder.add(key, math.floor(float(stamp)), float(text) * query.scale)
    series, warnings = builder.build(start, end)
    if inventory is not None:
        resources = dict(inventory)
    else:
        resources = {
            rid: ResourceInfo(
                resource_id=rid,
                pool=_first(labels, POOL_LABELS),
                region=region or labels.get("region", "unknown"),
                instance_type=labels.get("instance_type", "unknown"),
                purchase=Purchase.ON_DEMAND,
                role=ROLES.get(_first(labels, ROLE_LABELS).lower()),
            )
            for rid, labels in sorted(seen.items())
        }
        if resources:
            warnings.append(
                "no inventory given: pools, roles and instance types come from series labels "
                f"({', '.join((*POOL_LABELS, *ROLE_LABELS, 'instance_type'))}) and every "
                "machine is taken as on-demand"
            )
    if unnamed:
        warnings.append(f"ignored {unnamed} series without a machine label or GPU index")
    if outside:
        where = "named by no other series" if inventory is None else "missing from the inventory"
        warnings.append(f"ignored series of {len(outside)} machine(s) {where}")
    return TelemetryFrame(
        source="prometheus", resources=resources, series=series, warnings=warnings
    )
