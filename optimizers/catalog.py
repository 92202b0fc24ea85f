"""EC2 instance specs and where each type is offered, from DescribeInstanceTypes.

Three ways to fill it, all the same data (moto ships real DescribeInstanceTypes data):
- `from_moto_package()`: read moto's packaged JSON directly (fastest; no server, no network);
- `from_ec2(client_for_region)`: call `describe_instance_types` and
  `describe_instance_type_offerings` with boto3: against a moto server (embedded default, see
  `moto_server_clients`) or real AWS.
`Catalog.source` says which one was used.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from optimizers.gpu_capability import capability_key


@dataclass(frozen=True)
class InstanceSpec:
    instance_type: str
    vcpus: int
    memory_mib: int
    architectures: tuple[str, ...]
    gpu_count: int = 0
    gpu_name: str | None = None
    gpu_manufacturer: str | None = None
    gpu_memory_mib_each: int = 0
    current_generation: bool = True

    @property
    def family(self) -> str:
        return family_of(self.instance_type)

    @property
    def memory_gib(self) -> float:
        return self.memory_mib / 1024

    @property
    def gpu_memory_gib_each(self) -> float:
        return self.gpu_memory_mib_each / 1024

    @property
    def has_gpu(self) -> bool:
        return self.gpu_count > 0 and self.gpu_manufacturer == "NVIDIA"

    @property
    def capability(self) -> str | None:
        return capability_key(self.gpu_name, self.gpu_memory_mib_each) if self.has_gpu else None


def family_of(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def spec_from_api(item: Mapping[str, Any]) -> InstanceSpec:
    """One `InstanceTypes[]` item of DescribeInstanceTypes -> InstanceSpec."""
    gpus = (item.get("GpuInfo") or {}).get("Gpus") or []
    gpu = gpus[0] if gpus else {}
    return InstanceSpec(
        instance_type=item["InstanceType"],
        vcpus=int(item["VCpuInfo"]["DefaultVCpus"]),
        memory_mib=int(item["MemoryInfo"]["SizeInMiB"]),
        architectures=tuple(item.get("ProcessorInfo", {}).get("SupportedArchitectures", ())),
        # Fractional GPUs (g6f: Count 0, a GpuPartitionSize) count as no whole GPU.
        gpu_count=sum(int(g.get("Count", 0)) for g in gpus),
        gpu_name=gpu.get("Name"),
        gpu_manufacturer=gpu.get("Manufacturer"),
        gpu_memory_mib_each=int((gpu.get("MemoryInfo") or {}).get("SizeInMiB", 0)),
        current_generation=bool(item.get("CurrentGeneration", True)),
    )


@dataclass(frozen=True)
class Catalog:
    specs: dict[str, InstanceSpec]
    offered: dict[str, frozenset[str]]  # region -> instance types offered there
    source: str

    def get(self, instance_type: str) -> InstanceSpec | None:
        return self.specs.get(instance_type)

    def is_offered(self, instance_type: str, region: str) -> bool:
        return instance_type in self.offered.get(region, frozenset())

    def in_region(self, region: str) -> list[InstanceSpec]:
        return [self.specs[t] for t in sorted(self.offered.get(region, ())) if t in self.specs]

    def nvidia_types(self, region: str) -> list[InstanceSpec]:
        return [s for s in self.in_region(region) if s.has_gpu]


def moto_resources_dir() -> Path:
    import moto

    return Path(moto.__file__).parent / "ec2" / "resources"


@lru_cache(maxsize=8)
def from_moto_package(regions: tuple[str, ...]) -> Catalog:
    """moto's packaged DescribeInstanceTypes data (instance_types.json.gz + region offerings)."""
    import moto

    base = moto_resources_dir()
    with gzip.open(base / "instance_types.json.gz", "rt", encoding="utf-8") as handle:
        raw: dict[str, Any] = json.load(handle)
    specs = {name: spec_from_api(item) for name, item in raw.items()}
    offered: dict[str, frozenset[str]] = {}
    for region in regions:
        path = base / "instance_type_offerings" / "region" / f"{region}.json.gz"
        if not path.is_file():
            offered[region] = frozenset()
            continue
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            offered[region] = frozenset(row["InstanceType"] for row in json.load(handle))
    return Catalog(specs, offered, f"moto {moto.__version__} package data (DescribeInstanceTypes)")


def from_ec2(
    client_for_region: Callable[[str], Any], regions: Iterable[str], source: str
) -> Catalog:
    """DescribeInstanceTypes + DescribeInstanceTypeOfferings (LocationType=region) per region."""
    regions = list(regions)
    specs: dict[str, InstanceSpec] = {}
    offered: dict[str, frozenset[str]] = {}
    for region in regions:
        client = client_for_region(region)
        for page in client.get_paginator("describe_instance_types").paginate():
            for item in page["InstanceTypes"]:
                specs.setdefault(item["InstanceType"], spec_from_api(item))
        names: set[str] = set()
        paginator = client.get_paginator("describe_instance_type_offerings")
        for page in paginator.paginate(LocationType="region"):
            names.update(o["InstanceType"] for o in page["InstanceTypeOfferings"])
        offered[region] = frozenset(names)
    return Catalog(specs, offered, source)


def moto_server_catalog(regions: Iterable[str]) -> Catalog:
    """Start moto's server on 127.0.0.1 (a free port), ask it like AWS, stop it."""
    import logging

    import boto3
    import moto
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines on stderr
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"

        def client(region: str) -> Any:
            return boto3.client(
                "ec2",
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )

        return from_ec2(client, regions, f"moto {moto.__version__} server at {endpoint}")
    finally:
        server.stop()


def aws_catalog(regions: Iterable[str]) -> Catalog:
    import boto3

    return from_ec2(lambda region: boto3.client("ec2", region_name=region), regions, "AWS EC2 API")


CATALOG_SOURCES = ("moto-package", "moto-server", "aws")


def load_catalog(kind: str, regions: Iterable[str]) -> Catalog:
    regions = tuple(sorted(set(regions)))
    if kind == "moto-package":
        return from_moto_package(regions)
    if kind == "moto-server":
        return moto_server_catalog(regions)
    if kind == "aws":
        return aws_catalog(regions)
    raise ValueError(
        f"unknown catalog source {kind!r}; choose one of: {', '.join(CATALOG_SOURCES)}"
    )
