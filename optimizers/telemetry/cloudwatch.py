"""CloudWatch telemetry: EC2 CPU, CloudWatch-agent memory and NVIDIA GPU metrics via GetMetricData.

Limits honoured (GetMetricData API reference): at most 500 queries per call and 100,800 datapoints
per page, `NextToken` followed. Queries are packed so each call's queries x points fill a page: for
10,000 series x 14 days at 300 s that meets the lower bound, 400 calls (benchmarks/).

The period is the finest the retention still holds (1-minute data 15 days, 5-minute 63, hourly 455).
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from optimizers.telemetry.csv_source import resolve_inventory
from optimizers.telemetry.frame import Metric, Purchase, ResourceInfo, SeriesKey, TelemetryFrame
from optimizers.telemetry.registry import (
    Inventory,
    TelemetryInputError,
    TelemetrySource,
    TelemetryUnavailable,
    register,
    reject_unknown_options,
)
from optimizers.telemetry.series_builder import SeriesBuilder
from optimizers.telemetry.window import (
    DEFAULT_LOOKBACK_S,
    align_window,
    cloudwatch_min_period,
    format_duration,
)

MAX_QUERIES_PER_CALL = 500
MAX_DATAPOINTS_PER_PAGE = 100_800
POOL_TAG = "aeon:pool"
CWAGENT = "CWAgent"
MIB = 1024 * 1024
CREDENTIAL_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
    }
)

THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
)


@dataclass(frozen=True)
class AgentMetric:
    """A CloudWatch-agent metric and how it maps onto the frame."""

    name: str
    metric: Metric
    stat: str
    scale: float = 1.0


# Memory and GPU memory take the period's maximum (never size below a peak); rates the average.
EC2_CPU = AgentMetric("CPUUtilization", Metric.CPU_UTIL_PCT, "Average")
AGENT_MEMORY = AgentMetric("mem_used", Metric.MEM_USED_BYTES, "Maximum")  # bytes
# Used when mem_used is absent, converted to bytes with the instance type's memory.
AGENT_MEMORY_PCT = "mem_used_percent"
# The agent's nvidia_gpu plugin (dimensions index, name, host + appended ones such as InstanceId).
AGENT_GPU = (
    AgentMetric("nvidia_smi_utilization_gpu", Metric.GPU_UTIL_PCT, "Average"),
    AgentMetric("nvidia_smi_memory_used", Metric.GPU_MEM_USED_BYTES, "Maximum", MIB),  # MiB
    AgentMetric("nvidia_smi_power_draw", Metric.GPU_POWER_W, "Average"),
)


@dataclass(frozen=True)
class MetricRequest:
    """One series to fetch: where it lives in CloudWatch and which frame key it fills."""

    key: SeriesKey
    namespace: str
    metric_name: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    scale: float = 1.0  # multiply CloudWatch's value by this (MiB -> bytes, percent -> bytes)

    def query(self, query_id: str, period: int) -> dict[str, Any]:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": self.namespace,
                    "MetricName": self.metric_name,
                    "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
                },
                "Period": period,
                "Stat": self.stat,
            },
            "ReturnData": True,
        }


@dataclass(frozen=True)
class PlannedCall:
    requests: tuple[MetricRequest, ...]
    start: int
    end: int
    period: int

    @property
    def datapoints(self) -> int:
        return len(self.requests) * ((self.end - self.start) // self.period)


def _chunk_points(series: int, points: int) -> int:
    """Points per time chunk that need the fewest calls. One chunk when the page is filled
    exactly (as for 14 d at 300 s: 25 series x 4,032 points = 100,800); otherwise shorter chunks
    can fill pages better (13 d at 300 s: 26 x 3,744 leaves 3,456 points of each page unused)."""
    best, best_calls = points, math.inf
    for k in range(1, min(points, 64) + 1):
        chunk = min(math.ceil(points / k), MAX_DATAPOINTS_PER_PAGE)
        per_call = max(1, min(MAX_QUERIES_PER_CALL, MAX_DATAPOINTS_PER_PAGE // chunk))
        calls = math.ceil(points / chunk) * math.ceil(series / per_call)
        if calls < best_calls:
            best, best_calls = chunk, calls
    return best


def plan_calls(
    requests: list[MetricRequest], start: int, end: int, period: int
) -> list[PlannedCall]:
    """Pack series into GetMetricData calls: as many series per call as fit one page of datapoints
    (and 500 queries), splitting the window in time where that needs fewer calls (or where one
    series alone exceeds a page)."""
    if not requests:
        return []
    points = (end - start) // period
    chunk_points = _chunk_points(len(requests), points)
    chunks = [
        (s, min(end, s + chunk_points * period)) for s in range(start, end, chunk_points * period)
    ]
    calls: list[PlannedCall] = []
    for chunk_start, chunk_end in chunks:
        per_call = max(1, min(MAX_QUERIES_PER_CALL, MAX_DATAPOINTS_PER_PAGE // chunk_points))
        # Spread series evenly over the calls a chunk needs, so no call is nearly empty.
        n_calls = math.ceil(len(requests) / per_call)
        size = math.ceil(len(requests) / n_calls)
        for i in range(0, len(requests), size):
            calls.append(PlannedCall(tuple(requests[i : i + size]), chunk_start, chunk_end, period))
    return calls


def _is_throttling(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    code = (response or {}).get("Error", {}).get("Code")
    return code in THROTTLING_CODES


def call_with_retries(
    call: Callable[[], dict[str, Any]],
    *,
    attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    base_s: float = 1.0,
    cap_s: float = 20.0,
) -> dict[str, Any]:
    """A guard above botocore's own retries: a throttle that outlived them (or a client passed in
    without them, e.g. stubbed) waits with full-jitter exponential backoff and tries again."""
    for attempt in range(attempts):
        try:
            return call()
        except Exception as exc:
            if not _is_throttling(exc) or attempt == attempts - 1:
                raise
            sleep(random.uniform(0, min(cap_s, base_s * 2**attempt)))
    raise AssertionError("unreachable")


def fetch(
    client: Any,
    calls: Iterable[PlannedCall],
    builder: SeriesBuilder,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_page: Callable[[], None] | None = None,
) -> tuple[int, list[str]]:
    """Run the planned calls (following NextToken) into the builder. Returns pages made and
    messages about partial or failed queries."""
    pages = 0
    notes: list[str] = []
    for planned in calls:
        by_id = {f"q{i}": r for i, r in enumerate(planned.requests)}
        params: dict[str, Any] = {
            "MetricDataQueries": [r.query(qid, planned.period) for qid, r in by_id.items()],
            "StartTime": datetime.fromtimestamp(planned.start, UTC),
            "EndTime": datetime.fromtimestamp(planned.end, UTC),
            "ScanBy": "TimestampAscending",
            "MaxDatapoints": MAX_DATAPOINTS_PER_PAGE,
        }
        token: str | None = None
        while True:
            page_params = dict(params, NextToken=token) if token else params
            response = call_with_retries(
                lambda p=page_params: client.get_metric_data(**p), sleep=sleep
            )
            pages += 1
            if on_page:
                on_page()
            for result in response.get("MetricDataResults", []):
                request = by_id.get(result.get("Id", ""))
                if request is None:
                    continue
                status = result.get("StatusCode", "Complete")
                if status not in ("Complete", "PartialData"):
                    notes.append(f"{request.metric_name} of {request.key.resource_id}: {status}")
                for stamp, value in zip(
                    result.get("Timestamps", []), result.get("Values", []), strict=False
                ):
                    builder.add(request.key, _unix(stamp), float(value) * request.scale)
            for message in response.get("Messages", []):
                notes.append(f"CloudWatch: {message.get('Code')}: {message.get('Value')}")
            token = response.get("NextToken")
            if not token:
                break
    return pages, notes


def _unix(stamp: Any) -> int:
    if isinstance(stamp, datetime):
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return math.floor(stamp.timestamp())
    return math.floor(float(stamp))


# Inventory from EC2.


@dataclass(frozen=True)
class Ec2Fleet:
    resources: dict[str, ResourceInfo]
    hosts: dict[str, str]  # private DNS name (long and short) -> instance id, for agent `host`


def _purchase(instance: Mapping[str, Any]) -> Purchase:
    # Committed capacity (RIs, Savings Plans) is a billing construct, invisible per instance.
    return Purchase.SPOT if instance.get("InstanceLifecycle") == "spot" else Purchase.ON_DEMAND


def ec2_inventory(ec2: Any, region: str) -> Ec2Fleet:
    resources: dict[str, ResourceInfo] = {}
    hosts: dict[str, str] = {}
    for page in ec2.get_paginator("describe_instances").paginate():
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
                iid = inst["InstanceId"]
                resources[iid] = ResourceInfo(
                    resource_id=iid,
                    pool=tags.get(POOL_TAG, ""),
                    region=region,
                    instance_type=inst.get("InstanceType", ""),
                    purchase=_purchase(inst),
                )
                dns = inst.get("PrivateDnsName") or ""
                if dns:
                    hosts[dns] = iid
                    hosts[dns.split(".")[0]] = iid
    return Ec2Fleet(resources, hosts)


def _memory_mib_by_type(ec2: Any, types: set[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    wanted = sorted(t for t in types if t)
    for i in range(0, len(wanted), 100):
        response = ec2.describe_instance_types(InstanceTypes=wanted[i : i + 100])
        for info in response.get("InstanceTypes", []):
            sizes[info["InstanceType"]] = int(info.get("MemoryInfo", {}).get("SizeInMiB", 0))
    return sizes


def _list_metrics(cw: Any, name: str, sleep: Callable[[float], None]) -> Iterator[dict[str, Any]]:
    token = None
    while True:
        params: dict[str, Any] = {"Namespace": CWAGENT, "MetricName": name}
        if token:
            params["NextToken"] = token
        page = call_with_retries(lambda p=params: cw.list_metrics(**p), sleep=sleep)
        yield from page.get("Metrics", [])
        token = page.get("NextToken")
        if not token:
            return


def build_requests(
    cw: Any,
    resources: Mapping[str, ResourceInfo],
    hosts: Mapping[str, str],
    *,
    memory_mib: Callable[[set[str]], dict[str, int]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[MetricRequest], list[str]]:
    """EC2 CPU for every instance, plus the agent metrics that ListMetrics shows for them (the
    agent's dimension sets depend on its config, and GetMetricData needs them exactly)."""
    requests = [
        MetricRequest(
            SeriesKey(rid, EC2_CPU.metric),
            "AWS/EC2",
            EC2_CPU.name,
            (("InstanceId", rid),),
            EC2_CPU.stat,
        )
        for rid in sorted(resources)
    ]
    notes: list[str] = []
    seen: set[SeriesKey] = set()

    def owner(dims: Mapping[str, str]) -> str | None:
        if dims.get("InstanceId") in resources:
            return dims["InstanceId"]
        return hosts.get(dims.get("host", ""))

    def add(found: dict[str, Any], spec: AgentMetric, scale: float, rid: str, gpu: int | None):
        key = SeriesKey(rid, spec.metric, gpu)
        if key in seen:
            return  # the same series under a second dimension set: one is enough
        seen.add(key)
        dims = tuple((d["Name"], d["Value"]) for d in found.get("Dimensions", []))
        requests.append(MetricRequest(key, CWAGENT, found["MetricName"], dims, spec.stat, scale))

    for found in _list_metrics(cw, AGENT_MEMORY.name, sleep):
        dims = {d["Name"]: d["Value"] for d in found.get("Dimensions", [])}
        if rid := owner(dims):
            add(found, AGENT_MEMORY, AGENT_MEMORY.scale, rid, None)
    with_memory = {k.resource_id for k in seen}
    pct_only: list[tuple[dict[str, Any], str]] = []
    for found in _list_metrics(cw, AGENT_MEMORY_PCT, sleep):
        dims = {d["Name"]: d["Value"] for d in found.get("Dimensions", [])}
        if (rid := owner(dims)) and rid not in with_memory:
            pct_only.append((found, rid))
    if pct_only and memory_mib is not None:
        sizes = memory_mib({resources[rid].instance_type for _, rid in pct_only})
        for found, rid in pct_only:
            mib = sizes.get(resources[rid].instance_type, 0)
            if mib:  # percent of the type's memory -> bytes
                add(found, AGENT_MEMORY, mib * MIB / 100, rid, None)
    for spec in AGENT_GPU:
        for found in _list_metrics(cw, spec.name, sleep):
            dims = {d["Name"]: d["Value"] for d in found.get("Dimensions", [])}
            index = dims.get("index", "")
            if (rid := owner(dims)) and index.isdigit():
                add(found, spec, spec.scale, rid, int(index))
    agentless = sorted(set(resources) - {k.resource_id for k in seen})
    if agentless:
        shown = ", ".join(agentless[:5]) + (
            f" and {len(agentless) - 5} more" if len(agentless) > 5 else ""
        )
        notes.append(
            f"no CloudWatch-agent memory or GPU metrics for {len(agentless)} instance(s) "
            f"({shown}): only CPU is known for them"
        )
    return requests, notes


def make_client(
    service: str, region: str, endpoint_url: str | None, retry_mode: str, attempts: int
):
    """A boto3 client with botocore's standard/adaptive retries (adaptive also rate-limits itself
    after throttles). Built on demand, never at import time."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": retry_mode, "total_max_attempts": attempts})
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url, config=config)


class _Progress:
    """A progress bar on stderr (rich), or nothing."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self._bar = None
        if enabled and total:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(file=sys.stderr), transient=True)
            self._task = self._bar.add_task(label, total=total)
            self._bar.start()

    def step(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@register
class CloudWatchSource(TelemetrySource):
    name = "cloudwatch"
    description = "EC2 CPUUtilization, CloudWatch-agent memory and NVIDIA GPU metrics (boto3)"

    OPTIONS = frozenset(
        {
            "client",
            "ec2_client",
            "endpoint_url",
            "period_s",
            "progress",
            "retry_mode",
            "max_attempts",
            "sleep",
        }
    )

    def load(
        self,
        *,
        input_dir: Path | str | None = None,
        lookback_s: int | None = None,
        end: int | None = None,
        region: str | None = None,
        inventory: Inventory = None,
        **options: Any,
    ) -> TelemetryFrame:
        reject_unknown_options(self.name, options, set(self.OPTIONS))
        if input_dir is not None:
            raise TelemetryInputError("the cloudwatch source reads AWS, not --input; drop --input")
        lookback = lookback_s or DEFAULT_LOOKBACK_S
        stop = int(end if end is not None else time.time())
        finest = cloudwatch_min_period(int(time.time()) - (stop - lookback))
        period = int(options.get("period_s") or finest)
        if period < finest or period % 60:
            raise TelemetryInputError(
                f"period {period}s: CloudWatch holds data {format_duration(lookback)} old at "
                f"{finest}s or coarser, in whole minutes"
            )
        sleep = options.get("sleep", time.sleep)
        retry_mode = options.get("retry_mode", "adaptive")
        if retry_mode not in ("standard", "adaptive"):
            raise TelemetryInputError(f"retry_mode {retry_mode!r}: use standard or adaptive")
        attempts = int(options.get("max_attempts", 10))
        endpoint = options.get("endpoint_url")
        cw = options.get("client")
        ec2 = options.get("ec2_client")
        if region is None:
            region = getattr(getattr(cw, "meta", None), "region_name", None)
        if region is None:  # the AWS config's region (AWS_DEFAULT_REGION, profile), like the CLI
            import boto3

            region = boto3.session.Session().region_name
        if region is None:
            raise TelemetryInputError(
                "the cloudwatch source needs a region (--region us-east-1 or AWS_DEFAULT_REGION)"
            )
        try:
            if cw is None:
                cw = make_client("cloudwatch", region, endpoint, retry_mode, attempts)
            resources = resolve_inventory(inventory)
            hosts: dict[str, str] = {}
            if resources is None or ec2 is not None:
                if ec2 is None:
                    ec2 = make_client("ec2", region, endpoint, retry_mode, attempts)
                fleet = ec2_inventory(ec2, region)
                hosts = fleet.hosts
                if resources is None:
                    resources = fleet.resources
            resources = {k: r for k, r in resources.items() if r.region == region}
            memory = (lambda types: _memory_mib_by_type(ec2, types)) if ec2 is not None else None
            requests, notes = build_requests(cw, resources, hosts, memory_mib=memory, sleep=sleep)
            start, stop_aligned = align_window(stop, lookback, period)
            calls = plan_calls(requests, start, stop_aligned, period)
            builder = SeriesBuilder()
            bar = _Progress(bool(options.get("progress", True)), len(calls), "CloudWatch")
            try:
                _, fetch_notes = fetch(cw, calls, builder, sleep=sleep, on_page=bar.step)
            finally:
                bar.close()
        except Exception as exc:
            _raise_if_unreachable(exc)
            raise
        series, warnings = builder.build(start, stop_aligned)
        warnings = notes + fetch_notes + warnings
        if inventory is None and any(r.purchase is Purchase.ON_DEMAND for r in resources.values()):
            warnings.append(
                "purchase: reserved/savings-plan coverage cannot be seen per instance; "
                "non-spot instances are reported as on-demand (pass an inventory to say otherwise)"
            )
        untagged = sorted(k for k, r in resources.items() if not r.pool)
        if untagged:
            warnings.append(f"{len(untagged)} instance(s) carry no {POOL_TAG} tag")
        return TelemetryFrame(
            source=self.name, resources=resources, series=series, warnings=warnings
        )


def _raise_if_unreachable(exc: BaseException) -> None:
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError, NoRegionError

    if isinstance(exc, NoCredentialsError):
        raise TelemetryUnavailable(
            "no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        ) from exc
    if isinstance(exc, NoRegionError):
        raise TelemetryInputError("no AWS region: pass --region") from exc
    if isinstance(exc, EndpointConnectionError):
        raise TelemetryUnavailable(f"cannot reach CloudWatch: {exc}") from exc
    code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code", "")
    if code in CREDENTIAL_CODES:
        raise TelemetryUnavailable(
            f"AWS refused the telemetry calls ({code}): the credentials need "
            "ec2:DescribeInstances, ec2:DescribeInstanceTypes, cloudwatch:ListMetrics and "
            "cloudwatch:GetMetricData"
        ) from exc
