"""Which CloudWatch series to read: the EC2 fleet (DescribeInstances) and the CloudWatch-agent
metrics ListMetrics shows for it (memory, NVIDIA GPU), as GetMetricData requests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from components.facts.roles import PoolRole
from components.facts.tags import POOL_ROLE_TAG, POOL_TAG
from optimizers.telemetry.cloudwatch import MetricRequest, call_with_retries
from optimizers.telemetry.frame import Metric, Purchase, ResourceInfo, SeriesKey

CWAGENT = "CWAgent"
MIB = 1024 * 1024


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
class Ec2Fleet:
    resources: dict[str, ResourceInfo]
    hosts: dict[str, str]  # private DNS name (long and short) -> instance id, for agent `host`


def _purchase(instance: Mapping[str, Any]) -> Purchase:
    # Committed capacity (RIs, Savings Plans) is a billing construct, invisible per instance.
    return Purchase.SPOT if instance.get("InstanceLifecycle") == "spot" else Purchase.ON_DEMAND


def _role(text: str) -> PoolRole | None:
    # The launch templates tag instances with their pool's role; anything else is unknown.
    try:
        return PoolRole(text.strip().lower())
    except ValueError:
        return None


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
                    role=_role(tags.get(POOL_ROLE_TAG, "")),
                )
                dns = inst.get("PrivateDnsName") or ""
                if dns:
                    hosts[dns] = iid
                    hosts[dns.split(".")[0]] = iid
    return Ec2Fleet(resources, hosts)


def memory_mib_by_type(ec2: Any, types: set[str]) -> dict[str, int]:
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
