"""What `aeon policy sync-config` writes into policies/config/<stack>.json.

The pack runs in its own virtualenv under the Pulumi CLI and cannot read the repository, so the
facts it needs from the stack settings and the EC2 catalog are copied into its config: the
offerings table of the stack's regions, each pool's committed capacity and role, the primary region
and the stack's regions. Every other key of the file is kept as it was.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from components.facts.files import write_text_atomic
from components.settings import StackSettings


def gpu_specs(instance_types: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """type -> [GPU count, GiB per GPU, manufacturer, architecture] from DescribeInstanceTypes."""
    specs: dict[str, list[Any]] = {}
    for record in instance_types:
        gpus = (record.get("GpuInfo") or {}).get("Gpus") or []
        if not gpus:
            continue
        first = gpus[0]
        count = sum(int(g.get("Count", 0)) for g in gpus)
        memory_gib = round(int((first.get("MemoryInfo") or {}).get("SizeInMiB", 0)) / 1024)
        arch = ((record.get("ProcessorInfo") or {}).get("SupportedArchitectures") or ["x86_64"])[0]
        maker = str(first.get("Manufacturer", ""))
        specs[record["InstanceType"]] = [count, memory_gib, maker, arch]
    return specs


def offerings_table(
    offered_by_region: Mapping[str, list[str]], gpus: Mapping[str, list[Any]]
) -> dict[str, dict[str, Any]]:
    """Per region: the GPU types offered with their GPU profile, and the count of the others."""
    table = {}
    for region, offered in sorted(offered_by_region.items()):
        gpu = {t: list(gpus[t]) for t in sorted(offered) if t in gpus}
        table[region] = {"gpu": gpu, "other_types": len(set(offered)) - len(gpu)}
    return table


def stack_facts(settings: StackSettings, offerings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Policy config keys derived from the stack settings, by policy name."""
    primary = settings.primary_region.name
    pools = {
        p.name: {"committed": p.capacity.committed, "role": p.role.value} for p in settings.pools
    }
    return {
        "asg-spot-diversified": {"primary_region": primary, "region_offerings": dict(offerings)},
        "on-demand-base-within-commitment": {"pools": pools},
        "regions-allowed": {
            "primary_region": primary,
            "allowed_regions": sorted(r.name for r in settings.regions),
        },
        "gpu-pools-regions-allowed": {"primary_region": primary},
    }


def merge_facts(existing: Mapping[str, Any], facts: Mapping[str, Mapping[str, Any]]) -> dict:
    """Set the synced keys; keep every other policy and key (levels, reasons, recommendations)."""
    merged = copy.deepcopy(dict(existing))
    for policy, keys in facts.items():
        entry = merged.get(policy)
        if isinstance(entry, str):  # a bare enforcement level
            entry = {"enforcementLevel": entry}
        entry = dict(entry or {})
        entry.update(copy.deepcopy(dict(keys)))
        merged[policy] = entry
    return dict(sorted(merged.items()))


_SCALAR_LIST = re.compile(r"\[\s*\n\s*([^\[\]{}]*?)\s*\n\s*\]")


def dumps_compact(data: Any) -> str:
    """Indented JSON with lists of scalars on one line (the offerings table stays readable)."""
    text = json.dumps(data, indent=2)
    return _SCALAR_LIST.sub(lambda m: "[" + re.sub(r",\s*\n\s*", ", ", m.group(1)) + "]", text)


def write_json_atomic(path: Path, data: Any) -> None:
    write_text_atomic(path, dumps_compact(data) + "\n")


@contextlib.contextmanager
def _ec2_source(live: bool, endpoint_url: str | None) -> Iterator[Any]:
    """A factory of EC2 clients: real AWS, a moto server, or moto in-process (the default)."""
    import boto3

    if live or endpoint_url:
        yield lambda region: boto3.client("ec2", region_name=region, endpoint_url=endpoint_url)
        return
    from moto import mock_aws

    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    saved = {k: os.environ.get(k) for k in fake}
    os.environ.update(fake)
    try:
        with mock_aws():
            yield lambda region: boto3.client("ec2", region_name=region)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def fetch_offerings(
    regions: list[str], *, live: bool = False, endpoint_url: str | None = None
) -> dict[str, dict[str, Any]]:
    with _ec2_source(live, endpoint_url) as client_for:
        offered: dict[str, list[str]] = {}
        for region in regions:
            ec2 = client_for(region)
            pages = ec2.get_paginator("describe_instance_type_offerings").paginate(
                LocationType="region", Filters=[{"Name": "location", "Values": [region]}]
            )
            offered[region] = [o["InstanceType"] for p in pages for o in p["InstanceTypeOfferings"]]
        ec2 = client_for(regions[0])
        records = [
            record
            for page in ec2.get_paginator("describe_instance_types").paginate()
            for record in page["InstanceTypes"]
        ]
    return offerings_table(offered, gpu_specs(records))
