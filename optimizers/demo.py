"""A demo fleet for `aeon recommend --demo`: a moto server seeded with EC2 instances and CloudWatch
telemetry, read back through the real cloudwatch source (boto3).

GPU busy-ness is generated from the phase means measured on a real NVIDIA H200
(docs/gpu-measurements.md#phase-means; NVML "GPU util": idle 0, launch-bound tiny kernels 20.5,
batch-1 decode 71.0, matmul at 50% duty 67.0, continuous bf16 matmul 98.5): each GPU runs a mixture
of phases in 10-minute blocks, with a little noise. Some machines are mostly idle so the sizing
finds savings. The window is a few hours and the fleet stays under 50 series: moto's GetMetricData
cost grows with the window (docs/moto.md#getmetricdata-cost-grows-with-the-window).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from components.facts.tags import POOL_TAG

# NVML "GPU util" phase means measured on an H200 (gpm_workloads.csv,
# docs/gpu-measurements.md#phase-means).
PHASES = {"idle": 0.0, "tiny": 20.5, "decode": 71.0, "duty50": 67.0, "matmul": 98.5}
GIB = 1024**3
MIB = 1024**2
WINDOW_S = 4 * 3600
LOOKBACK = "4h"
PERIOD_S = 60
BLOCK_S = 600  # phases change every 10 minutes
DEMO_ENV = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_SESSION_TOKEN": "demo",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class DemoMachine:
    pool: str
    instance_type: str
    cpu_pct: float  # mean host CPU
    mem_gib: float  # resident host memory
    gpus: int = 0
    gpu_name: str = ""
    phases: Mapping[str, float] = field(default_factory=dict)  # phase -> weight
    gpu_mem_gib: float = 0.0
    spot: bool = False


# prod's us-east-1 pools; types from their instance_types lists.
PROD_FLEET: tuple[DemoMachine, ...] = (
    DemoMachine(
        "inference",
        "g6e.12xlarge",
        30,
        60,
        4,
        "NVIDIA L40S",
        {"decode": 0.6, "duty50": 0.3, "idle": 0.1},
        30,
    ),
    DemoMachine(
        "inference-shared", "g6.xlarge", 8, 6, 1, "NVIDIA L4", {"idle": 0.7, "tiny": 0.3}, 5
    ),
    DemoMachine(
        "inference-shared", "g6.xlarge", 8, 6, 1, "NVIDIA L4", {"idle": 0.8, "tiny": 0.2}, 4
    ),
    DemoMachine(
        "inference-shared",
        "g6.xlarge",
        12,
        7,
        1,
        "NVIDIA L4",
        {"decode": 0.5, "idle": 0.3, "tiny": 0.2},
        9,
        spot=True,
    ),
    DemoMachine("system", "m7i.2xlarge", 9, 5),
    DemoMachine("system", "m7i.xlarge", 35, 9),
    DemoMachine("system", "m7i.xlarge", 0.3, 1.5),  # idle: P99.5 CPU under 1%, removed
    DemoMachine("vector", "r7i.2xlarge", 40, 48),
    DemoMachine("vector", "r7i.2xlarge", 38, 47),
)


def missing_pools(pool_names: set[str], fleet: Sequence[DemoMachine] = PROD_FLEET) -> list[str]:
    """The demo fleet's pools that a stack lacks (the demo is shaped on prod's us-east-1 pools)."""
    return sorted({m.pool for m in fleet} - pool_names)


def series_count(fleet: Sequence[DemoMachine]) -> int:
    """CPU and memory per machine, GPU busy and memory per GPU."""
    return sum(2 + 2 * m.gpus for m in fleet)


def gpu_busy(machine: DemoMachine, points: int, rng: np.random.Generator) -> np.ndarray:
    names = list(machine.phases)
    weights = np.array([machine.phases[n] for n in names], dtype=float)
    blocks = -(-points * PERIOD_S // BLOCK_S)
    chosen = rng.choice(len(names), size=blocks, p=weights / weights.sum())
    per_block = BLOCK_S // PERIOD_S
    means = np.repeat([PHASES[names[i]] for i in chosen], per_block)[:points]
    noise = np.where(means > 0, rng.normal(0, 3, points), 0.0)
    return np.clip(means + noise, 0, 100)


def _metric(namespace: str, name: str, dims: Sequence[tuple[str, str]], stamps, values) -> list:
    return [
        {
            "MetricName": name,
            "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
            "Timestamp": ts,
            "Value": float(v),
        }
        for ts, v in zip(stamps, values, strict=True)
    ]


def seed(endpoint: str, fleet: Sequence[DemoMachine], *, now: int, seed_value: int = 7) -> dict:
    """Launch the fleet with run_instances (tagged aeon:pool) and put its telemetry."""
    import boto3

    region = "us-east-1"
    ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint)
    cw = boto3.client("cloudwatch", region_name=region, endpoint_url=endpoint)
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    rng = np.random.default_rng(seed_value)
    points = WINDOW_S // PERIOD_S - 1
    stamps = [datetime.fromtimestamp(now - PERIOD_S * k, UTC) for k in range(points, 0, -1)]
    by_namespace: dict[str, list] = {"AWS/EC2": [], "CWAgent": []}
    ids: dict[str, str] = {}
    for machine in fleet:
        extra = {"InstanceMarketOptions": {"MarketType": "spot"}} if machine.spot else {}
        tags = [{"ResourceType": "instance", "Tags": [{"Key": POOL_TAG, "Value": machine.pool}]}]
        iid = ec2.run_instances(
            ImageId=ami,
            MinCount=1,
            MaxCount=1,
            InstanceType=machine.instance_type,
            TagSpecifications=tags,
            **extra,
        )["Instances"][0]["InstanceId"]
        ids[iid] = machine.pool
        spread = max(0.1, machine.cpu_pct * 0.15)
        cpu = np.clip(rng.normal(machine.cpu_pct, spread, points), 0, 100)
        mem = np.full(points, machine.mem_gib * GIB) * rng.uniform(0.97, 1.0, points)
        by_namespace["AWS/EC2"] += _metric(
            "AWS/EC2", "CPUUtilization", [("InstanceId", iid)], stamps, cpu
        )
        by_namespace["CWAgent"] += _metric(
            "CWAgent", "mem_used", [("InstanceId", iid)], stamps, mem
        )
        for index in range(machine.gpus):
            dims = [("InstanceId", iid), ("index", str(index)), ("name", machine.gpu_name)]
            busy = gpu_busy(machine, points, rng)
            gmem = np.full(points, machine.gpu_mem_gib * GIB / MIB)
            by_namespace["CWAgent"] += _metric(
                "CWAgent", "nvidia_smi_utilization_gpu", dims, stamps, busy
            )
            by_namespace["CWAgent"] += _metric(
                "CWAgent", "nvidia_smi_memory_used", dims, stamps, gmem
            )
    for namespace, items in by_namespace.items():
        for i in range(0, len(items), 1000):
            cw.put_metric_data(Namespace=namespace, MetricData=items[i : i + 1000])
    return ids


@contextlib.contextmanager
def demo_environment(fleet: Sequence[DemoMachine] = PROD_FLEET) -> Iterator[str]:
    """A moto server on 127.0.0.1 (a free port) holding the seeded fleet; yields its endpoint.
    Fake credentials are set for the duration (nothing reaches AWS) and restored afterwards."""
    import logging

    from moto.server import ThreadedMotoServer

    # The server's request log (werkzeug) would bury the command's own stderr.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    saved = {k: os.environ.get(k) for k in (*DEMO_ENV, "AWS_PROFILE")}
    os.environ.update(DEMO_ENV)
    os.environ.pop("AWS_PROFILE", None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        import time

        seed(endpoint, fleet, now=int(time.time()))
        yield endpoint
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
