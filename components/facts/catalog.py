"""EC2 instance specs and where each type is offered, as DescribeInstanceTypes reports them.

`from_moto_package()` reads moto's packaged copy of the real DescribeInstanceTypes data and the
per-region offerings (no server, no network): what components check a pool's types against before
anything is registered. `optimizers.catalog` fills the same `Catalog` from a moto server or AWS.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from components.facts.gpus import capability_key


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
    efa_interfaces: int = 0  # NetworkInfo.EfaInfo.MaximumEfaInterfaces (0: no EFA)
    # The default network card's ENIs and each ENI's IPv4 addresses: the VPC CNI's pod limit
    # (components.facts.allocatable.max_pods); 0 when the API did not say.
    network_interfaces: int = 0
    ipv4_per_interface: int = 0

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
    network = item.get("NetworkInfo") or {}
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
        efa_interfaces=int((network.get("EfaInfo") or {}).get("MaximumEfaInterfaces", 0)),
        network_interfaces=_default_card_interfaces(network),
        ipv4_per_interface=int(network.get("Ipv4AddressesPerInterface", 0)),
    )


def _default_card_interfaces(network: Mapping[str, Any]) -> int:
    """ENIs of the default network card (types with several cards list each; the VPC CNI uses
    the default one), else the type's maximum."""
    default = int(network.get("DefaultNetworkCardIndex", 0))
    for card in network.get("NetworkCards") or []:
        if int(card.get("NetworkCardIndex", 0)) == default:
            return int(card.get("MaximumNetworkInterfaces", 0))
    return int(network.get("MaximumNetworkInterfaces", 0))


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
    import moto  # on use: most readers of the facts never need moto loaded

    return Path(moto.__file__).parent / "ec2" / "resources"


@cache
def _packaged_specs() -> dict[str, InstanceSpec]:
    with gzip.open(moto_resources_dir() / "instance_types.json.gz", "rt", encoding="utf-8") as f:
        raw: dict[str, Any] = json.load(f)
    return {name: spec_from_api(item) for name, item in raw.items()}


@cache
def _packaged_offerings(region: str) -> frozenset[str]:
    path = moto_resources_dir() / "instance_type_offerings" / "region" / f"{region}.json.gz"
    if not path.is_file():
        return frozenset()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(row["InstanceType"] for row in json.load(handle))


@lru_cache(maxsize=8)
def from_moto_package(regions: tuple[str, ...]) -> Catalog:
    """moto's packaged DescribeInstanceTypes data (instance_types.json.gz + region offerings).

    The packaged types are read once per process, whichever regions are asked for.
    """
    import moto

    offered = {region: _packaged_offerings(region) for region in regions}
    return Catalog(
        _packaged_specs(), offered, f"moto {moto.__version__} package data (DescribeInstanceTypes)"
    )
