"""CloudWatch GetMetricData: calls packed to fill pages, pages followed, throttles retried.

Limits honoured (GetMetricData API reference): at most 500 queries per call and 100,800 datapoints
per page, `NextToken` followed. Queries are packed so each call's queries x points fill a page: for
10,000 series x 14 days at 300 s that meets the lower bound, 400 calls (benchmarks/).

Which series to ask for is `cloudwatch_metrics`; the registered source is `cloudwatch_source`.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from optimizers.telemetry.frame import SeriesKey
from optimizers.telemetry.series_builder import SeriesBuilder

MAX_QUERIES_PER_CALL = 500
MAX_DATAPOINTS_PER_PAGE = 100_800
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
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


def make_client(
    service: str, region: str, endpoint_url: str | None, retry_mode: str, attempts: int
):
    """A boto3 client with botocore's standard/adaptive retries (adaptive also rate-limits itself
    after throttles). Built on demand, never at import time."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": retry_mode, "total_max_attempts": attempts})
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url, config=config)
