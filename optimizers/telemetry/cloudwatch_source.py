"""The cloudwatch telemetry source: EC2 CPU, CloudWatch-agent memory and NVIDIA GPU metrics.

The period is the finest the retention still holds (1-minute data 15 days, 5-minute 63, hourly 455).
CloudWatch is regional: the source reads one region per load (`per_region`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from components.facts.tags import POOL_TAG
from optimizers.options import Options, internal
from optimizers.telemetry.cloudwatch import fetch, make_client, plan_calls
from optimizers.telemetry.cloudwatch_metrics import (
    build_requests,
    ec2_inventory,
    memory_mib_by_type,
)
from optimizers.telemetry.csv_source import resolve_inventory
from optimizers.telemetry.errors import TelemetryInputError, TelemetryUnavailable
from optimizers.telemetry.frame import Purchase, TelemetryFrame
from optimizers.telemetry.registry import ReadRequest, TelemetrySource, register
from optimizers.telemetry.series_builder import SeriesBuilder
from optimizers.telemetry.window import align_window, cloudwatch_min_period, format_duration

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


class CloudWatchOptions(Options):
    endpoint_url: str | None = Field(None, description="Endpoint URL (e.g. a moto server).")
    period_s: int | None = Field(
        None, description="Period in seconds (default: the finest still retained)."
    )
    retry_mode: Literal["standard", "adaptive"] = Field(
        "adaptive", description="Botocore retry mode (adaptive also rate-limits)."
    )
    max_attempts: int = Field(10, ge=1, description="Attempts per AWS call.")
    progress: bool = internal(True)  # a progress bar on stderr
    client: Any = internal()  # a CloudWatch client (e.g. stubbed)
    ec2_client: Any = internal()  # an EC2 client: the fleet inventory and instance memory
    sleep: Callable[[float], None] | None = internal()


@register
class CloudWatchSource(TelemetrySource):
    name = "cloudwatch"
    description = "EC2 CPUUtilization, CloudWatch-agent memory and NVIDIA GPU metrics (boto3)"
    Options = CloudWatchOptions
    live_hint = "AWS"
    per_region = True

    def _load(self, request: ReadRequest, options: CloudWatchOptions) -> TelemetryFrame:
        lookback = request.lookback_s
        stop = int(request.end if request.end is not None else time.time())
        finest = cloudwatch_min_period(int(time.time()) - (stop - lookback))
        period = int(options.period_s or finest)
        if period < finest or period % 60:
            raise TelemetryInputError(
                f"period {period}s: CloudWatch holds data {format_duration(lookback)} old at "
                f"{finest}s or coarser, in whole minutes"
            )
        sleep = options.sleep or time.sleep
        cw, ec2 = options.client, options.ec2_client
        region = request.region or _default_region(cw)

        def client(service: str) -> Any:
            return make_client(
                service, region, options.endpoint_url, options.retry_mode, options.max_attempts
            )

        try:
            cw = cw or client("cloudwatch")
            resources = resolve_inventory(request.inventory)
            hosts: dict[str, str] = {}
            if resources is None or ec2 is not None:
                ec2 = ec2 or client("ec2")
                fleet = ec2_inventory(ec2, region)
                hosts = fleet.hosts
                if resources is None:
                    resources = fleet.resources
            resources = {k: r for k, r in resources.items() if r.region == region}
            memory = (lambda types: memory_mib_by_type(ec2, types)) if ec2 is not None else None
            requests, notes = build_requests(cw, resources, hosts, memory_mib=memory, sleep=sleep)
            start, stop_aligned = align_window(stop, lookback, period)
            calls = plan_calls(requests, start, stop_aligned, period)
            builder = SeriesBuilder()
            bar = _Progress(options.progress, len(calls), "CloudWatch")
            try:
                _, fetch_notes = fetch(cw, calls, builder, sleep=sleep, on_page=bar.step)
            finally:
                bar.close()
        except Exception as exc:
            _raise_if_unreachable(exc)
            raise
        series, warnings = builder.build(start, stop_aligned)
        warnings = notes + fetch_notes + warnings
        ondemand = any(r.purchase is Purchase.ON_DEMAND for r in resources.values())
        if request.inventory is None and ondemand:
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


def _default_region(cw: Any) -> str:
    """The client's region, else the AWS config's (AWS_DEFAULT_REGION, profile), like the CLI."""
    region = getattr(getattr(cw, "meta", None), "region_name", None)
    if region is None:
        import boto3

        region = boto3.session.Session().region_name
    if region is None:
        raise TelemetryInputError(
            "the cloudwatch source needs a region (--region us-east-1 or AWS_DEFAULT_REGION)"
        )
    return region


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
