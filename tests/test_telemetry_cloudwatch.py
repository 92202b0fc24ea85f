"""CloudWatch: call packing within GetMetricData's limits, NextToken, retries, and end to end
against a moto server on 127.0.0.1 (EC2 inventory + EC2/agent/NVIDIA metrics)."""

from __future__ import annotations

import importlib.util
import math
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers.telemetry import Metric, Purchase, SeriesKey, get_source
from optimizers.telemetry.cloudwatch import (
    MAX_DATAPOINTS_PER_PAGE,
    MAX_QUERIES_PER_CALL,
    MetricRequest,
    fetch,
    make_client,
    plan_calls,
)
from optimizers.telemetry.registry import TelemetryInputError
from optimizers.telemetry.series_builder import SeriesBuilder

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "cloudwatch_calls", ROOT / "benchmarks/cloudwatch_calls.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

END = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())


def requests_for(n: int) -> list[MetricRequest]:
    return bench.fleet(n)


@settings(max_examples=60, deadline=None)
@given(
    series=st.integers(1, 3_000),
    period=st.sampled_from([60, 300, 3_600]),
    hours=st.integers(1, 455 * 24),
)
def test_planned_calls_respect_limits_and_cover_each_point_once(series, period, hours):
    start = END - hours * 3_600 // period * period
    if start == END:
        return
    calls = plan_calls(requests_for(series), start, END, period)
    covered: dict[str, int] = {}
    for call in calls:
        assert len(call.requests) <= MAX_QUERIES_PER_CALL
        assert call.datapoints <= MAX_DATAPOINTS_PER_PAGE
        assert call.start % period == 0 and call.end > call.start
        for r in call.requests:
            covered[r.key.resource_id] = covered.get(r.key.resource_id, 0) + call.datapoints // len(
                call.requests
            )
    points = (END - start) // period
    assert len(covered) == series and set(covered.values()) == {points}
    # Every call carries at most 500 queries and 100,800 points: both bound the call count.
    bound = max(
        math.ceil(series * points / MAX_DATAPOINTS_PER_PAGE),
        math.ceil(series / MAX_QUERIES_PER_CALL),
    )
    assert len(calls) <= max(bound * 1.1, bound + 1)  # close to the lower bound everywhere


def test_benchmark_fleet_meets_the_lower_bound():
    calls = plan_calls(requests_for(10_000), END - 14 * 86_400, END, 300)
    assert len(calls) == 400  # ceil(10,000 x 4,032 / 100,800)


def test_next_token_pages_are_followed_and_series_reassembled():
    client = bench.PagingCloudWatch(page_points=1_000)  # pages far smaller than the call
    reqs = requests_for(7)
    calls = plan_calls(reqs, END - 86_400, END, 300)  # 7 x 288 points in one call, 3 pages
    builder = SeriesBuilder()
    pages, notes = fetch(client, calls, builder)
    assert len(calls) == 1 and pages == client.calls == 3 and notes == []
    series, _ = builder.build()
    for r in reqs:
        s = series[r.key]
        assert len(s) == 288 and s.timestamps[0] == END - 86_400 and s.timestamps[-1] == END - 300
        assert (s.timestamps[1:] - s.timestamps[:-1] == 300).all()


def _stubbed_cloudwatch():
    client = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def test_throttled_twice_then_succeeds(capsys):
    client, stubber = _stubbed_cloudwatch()
    for _ in range(5):  # mem_used, mem_used_percent, three nvidia_smi_* names: no agent here
        stubber.add_response("list_metrics", {"Metrics": []})
    stubber.add_client_error("get_metric_data", "Throttling", "Rate exceeded", 400)
    stubber.add_client_error("get_metric_data", "ThrottlingException", "Rate exceeded", 400)
    stamp = datetime.fromtimestamp(END - 600, UTC)
    stubber.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {
                    "Id": "q0",
                    "Label": "cpu",
                    "Timestamps": [stamp],
                    "Values": [42.0],
                    "StatusCode": "Complete",
                }
            ]
        },
    )
    waits: list[float] = []
    with stubber:
        frame = get_source("cloudwatch").load(
            client=client,
            region="us-east-1",
            lookback_s=3_600,
            end=END,
            progress=False,
            sleep=waits.append,
            inventory={"i-1": _resource("i-1")},
        )
    stubber.assert_no_pending_responses()
    assert len(waits) == 2 and waits[0] <= 1.0 and waits[1] <= 2.0  # full-jitter backoff
    cpu = frame.series[SeriesKey("i-1", Metric.CPU_UTIL_PCT)]
    assert list(cpu.values) == [42.0]
    assert capsys.readouterr().out == ""  # the progress bar goes to stderr only


def test_other_errors_are_not_retried():
    client, stubber = _stubbed_cloudwatch()
    for _ in range(5):
        stubber.add_response("list_metrics", {"Metrics": []})
    stubber.add_client_error("get_metric_data", "InvalidParameterValue", "bad", 400)
    waits: list[float] = []
    with stubber, pytest.raises(Exception, match="InvalidParameterValue"):
        get_source("cloudwatch").load(
            client=client,
            region="us-east-1",
            lookback_s=3_600,
            end=END,
            progress=False,
            sleep=waits.append,
            inventory={"i-1": _resource("i-1")},
        )
    assert waits == []


def test_refused_credentials_are_a_clear_user_error():
    from optimizers.telemetry.registry import TelemetryUnavailable

    client, stubber = _stubbed_cloudwatch()
    stubber.add_client_error("list_metrics", "AccessDenied", "not allowed", 403)
    with stubber, pytest.raises(TelemetryUnavailable, match="cloudwatch:ListMetrics"):
        get_source("cloudwatch").load(
            client=client, region="us-east-1", lookback_s=3_600, progress=False,
            inventory={"i-1": _resource("i-1")},
        )  # fmt: skip


def test_built_clients_use_botocore_adaptive_retries():
    client = make_client("cloudwatch", "us-east-1", "http://127.0.0.1:9", "adaptive", 10)
    assert client.meta.config.retries["mode"] == "adaptive"
    assert client.meta.config.retries["total_max_attempts"] == 10


def test_period_must_fit_retention():
    with pytest.raises(TelemetryInputError, match="300s or coarser"):
        get_source("cloudwatch").load(region="us-east-1", lookback_s=30 * 86_400, period_s=60)
    with pytest.raises(TelemetryInputError, match="does not take url"):
        get_source("cloudwatch").load(region="us-east-1", url="x")


def _resource(rid: str):
    from optimizers.telemetry import ResourceInfo

    return ResourceInfo(rid, "inference", "us-east-1", "g6e.xlarge", Purchase.ON_DEMAND)


# End to end against moto (server mode, 127.0.0.1, a free port, fake credentials).


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    mp = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        mp.setenv(name, value)
    mp.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    mp.undo()


def _seed_fleet(endpoint: str, now: int) -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint)
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint)
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]

    def launch(pool: str, itype: str, spot: bool, role: str | None = None) -> dict:
        extra = {"InstanceMarketOptions": {"MarketType": "spot"}} if spot else {}
        keys = [{"Key": "aeon:pool", "Value": pool}]
        keys += [{"Key": "aeon:pool-role", "Value": role}] if role else []  # as templates tag it
        tags = [{"ResourceType": "instance", "Tags": keys}]
        return ec2.run_instances(
            ImageId=ami, MinCount=1, MaxCount=1, InstanceType=itype, TagSpecifications=tags, **extra
        )["Instances"][0]

    gpu = launch("inference-l40s", "g6e.xlarge", spot=False, role="inference")
    cpu = launch("edge-cache", "c7i.2xlarge", spot=True)
    ids = {"gpu": gpu["InstanceId"], "cpu": cpu["InstanceId"]}

    # 5-minute samples over the last 5 hours: CPU on both, agent memory (bytes) on the GPU node,
    # agent memory as a percentage only on the CPU node, NVIDIA plugin metrics keyed by `host`.
    stamps = [datetime.fromtimestamp(now - 300 * k, UTC) for k in range(1, 61)]
    data = []
    for k, ts in enumerate(stamps):
        for rid in ids.values():
            data.append(("AWS/EC2", "CPUUtilization", [("InstanceId", rid)], ts, 20.0 + k % 5))
        data.append(
            (
                "CWAgent",
                "mem_used",
                [("InstanceId", ids["gpu"]), ("InstanceType", "g6e.xlarge")],
                ts,
                8e9,
            )
        )
        data.append(("CWAgent", "mem_used_percent", [("InstanceId", ids["cpu"])], ts, 25.0))
        for name, value in (
            ("nvidia_smi_utilization_gpu", 37.0),
            ("nvidia_smi_memory_used", 40_000.0),
            ("nvidia_smi_power_draw", 176.0),
        ):
            dims = [("host", gpu["PrivateDnsName"]), ("index", "0"), ("name", "NVIDIA L40S")]
            data.append(("CWAgent", name, dims, ts, value))
    lone = datetime.fromtimestamp(now - 300 * 70, UTC)  # its own minute: not averaged away
    data.append(("AWS/EC2", "CPUUtilization", [("InstanceId", ids["cpu"])], lone, -5.0))
    by_ns: dict[str, list] = {}
    for ns, name, dims, ts, value in data:
        by_ns.setdefault(ns, []).append(
            {
                "MetricName": name,
                "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
                "Timestamp": ts,
                "Value": value,
            }
        )
    for ns, items in by_ns.items():
        for i in range(0, len(items), 500):
            cw.put_metric_data(Namespace=ns, MetricData=items[i : i + 500])
    return ids


def test_end_to_end_against_moto(moto_endpoint):
    now = int(time.time())
    ids = _seed_fleet(moto_endpoint, now)
    frame = get_source("cloudwatch").load(
        region="us-east-1", lookback_s=6 * 3_600, endpoint_url=moto_endpoint, progress=False
    )
    gpu, cpu = ids["gpu"], ids["cpu"]
    assert frame.source == "cloudwatch"
    assert frame.resources[gpu].pool == "inference-l40s"
    assert frame.resources[gpu].instance_type == "g6e.xlarge"
    assert frame.resources[gpu].purchase is Purchase.ON_DEMAND
    assert frame.resources[cpu].purchase is Purchase.SPOT
    assert frame.resources[gpu].role == "inference" and frame.resources[cpu].role is None
    assert any("cannot be seen per instance" in w for w in frame.warnings)

    cpu_util = frame.series[SeriesKey(gpu, Metric.CPU_UTIL_PCT)]
    assert len(cpu_util) == 60 and set(cpu_util.values) <= {20.0, 21.0, 22.0, 23.0, 24.0}
    assert (cpu_util.timestamps[1:] > cpu_util.timestamps[:-1]).all()
    assert any("dropped 1 impossible values" in w for w in frame.warnings)
    assert frame.series[SeriesKey(gpu, Metric.MEM_USED_BYTES)].values.max() == 8e9
    # c7i.2xlarge has 16 GiB: 25 % of it, in bytes.
    mem_cpu = frame.series[SeriesKey(cpu, Metric.MEM_USED_BYTES)]
    assert mem_cpu.values.max() == pytest.approx(0.25 * 16 * 1024**3)
    # NVIDIA metrics found through the agent's `host` dimension and the GPU `index`.
    assert frame.series[SeriesKey(gpu, Metric.GPU_UTIL_PCT, 0)].values.mean() == 37.0
    gpu_mem = frame.series[SeriesKey(gpu, Metric.GPU_MEM_USED_BYTES, 0)]
    assert gpu_mem.values.max() == 40_000 * 1024**2
    assert frame.series[SeriesKey(gpu, Metric.GPU_POWER_W, 0)].values.max() == 176.0


def test_botocore_retries_a_throttled_endpoint_for_real(moto_endpoint):
    """Not a Stubber: a proxy on 127.0.0.1 answers 429 ThrottlingException twice, then passes
    requests to moto; the client built by the collector retries on its own."""
    import http.server
    import threading
    import urllib.request

    seen: list[int] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append(1)
            if len(seen) <= 2:
                self.send_response(429)
                self.send_header("x-amzn-query-error", "ThrottlingException;Sender")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            forward = urllib.request.Request(moto_endpoint + self.path, data=body, headers=headers)
            with urllib.request.urlopen(forward) as answer:
                payload = answer.read()
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = make_client(
            "cloudwatch", "us-east-1", f"http://127.0.0.1:{server.server_address[1]}", "standard", 5
        )
        assert "Metrics" in client.list_metrics(Namespace="AWS/EC2")
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen) == 3
