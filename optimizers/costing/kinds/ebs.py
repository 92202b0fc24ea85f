"""EBS volumes: standalone, attached to instances, or in launch templates (per instance).

Storage by class and size; gp3 IOPS above the free 3,000 and throughput above the free 125 MiB/s;
io1/io2 provisioned IOPS; magnetic (`standard`) I/O requests from usage. A volume type the plan
leaves unspecified is gp2 (AWS's CreateVolume default); a root volume the plan does not specify
at all is 8 GB gp2 (infracost's convention, docs/costing.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizers.costing.graph import is_known
from optimizers.costing.quote import Quote, Unpriceable
from optimizers.costing.registry import priced
from optimizers.costing.usage import NUMBER

GP3_FREE_IOPS, GP3_FREE_THROUGHPUT = 3000.0, 125.0
IO2_FIRST_TIER_IOPS = 32000.0  # io2 IOPS above this are priced lower: not in the table
CLASSES = ("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard")


@dataclass(frozen=True)
class Volume:
    label: str  # "Root volume", "Volume /dev/sdf"
    type: str
    size_gb: float
    iops: float | None = None
    throughput: float | None = None


UNSPECIFIED_ROOT = Volume("Root volume", "gp2", 8.0)


def volume_from(spec: Any, label: str, size_key: str = "volumeSize") -> Volume:
    """A volume from an EBS block of the plan (instance root/ebs devices, launch templates)."""
    spec = spec if isinstance(spec, dict) else {}
    size = spec.get(size_key)
    if size is None:
        size = UNSPECIFIED_ROOT.size_gb if label == "Root volume" else None
    if not isinstance(size, int | float):
        raise Unpriceable(f"{label}: size unknown at preview")
    vtype = spec.get("volumeType") or spec.get("type") or "gp2"
    if not isinstance(vtype, str) or not is_known(vtype):
        raise Unpriceable(f"{label}: volume type unknown at preview")
    iops, throughput = spec.get("iops"), spec.get("throughput")
    return Volume(
        label,
        vtype,
        float(size),
        float(iops) if isinstance(iops, int | float) else None,
        float(throughput) if isinstance(throughput, int | float) else None,
    )


def volume_lines(q: Quote, volume: Volume, count: float = 1.0, io_requests: float = 0.0) -> None:
    """Lines for `count` identical volumes (one per instance of a fleet)."""
    v = volume
    if v.type not in CLASSES:
        raise Unpriceable(f"{v.label}: unknown EBS volume type {v.type!r}")
    q.service(f"{v.label} storage ({v.type})", f"ebs.{v.type}.storage", v.size_gb * count, "GB")
    if v.type == "gp3":
        extra_iops = max(0.0, (v.iops or GP3_FREE_IOPS) - GP3_FREE_IOPS)
        extra_mbps = max(0.0, (v.throughput or GP3_FREE_THROUGHPUT) - GP3_FREE_THROUGHPUT)
        q.service(f"{v.label} IOPS above 3,000 (gp3)", "ebs.gp3.iops", extra_iops * count, "IOPS")
        q.service(f"{v.label} throughput above 125 MiB/s (gp3)", "ebs.gp3.throughput",
                  extra_mbps * count, "Mbps")  # fmt: skip
    elif v.type in ("io1", "io2"):
        if v.iops is None:
            raise Unpriceable(f"{v.label}: {v.type} needs provisioned IOPS; the plan has none")
        if v.type == "io2" and v.iops > IO2_FIRST_TIER_IOPS:
            q.missing.append("no price for io2 IOPS above 32,000 (ebs.io2.iops is the first tier)")
        q.service(f"{v.label} provisioned IOPS ({v.type})", f"ebs.{v.type}.iops",
                  v.iops * count, "IOPS")  # fmt: skip
    elif v.type == "standard":
        q.service(f"{v.label} I/O requests (standard)", "ebs.standard.io_requests",
                  io_requests * count, "1M request", per=1e6, usage_based=True)  # fmt: skip


@priced("aws:ebs/volume:Volume", usage={"monthly_standard_io_requests": NUMBER})
def ebs_volume(q: Quote) -> None:
    size = q.resource.get("size")
    if size is None:
        raise Unpriceable("size unknown at preview (from a snapshot?): set `size` in the program")
    spec = {"volumeSize": size, "volumeType": q.resource.get("type") or "gp2",
            "iops": q.resource.get("iops"), "throughput": q.resource.get("throughput")}  # fmt: skip
    volume = volume_from(spec, "Volume")
    volume_lines(q, volume, io_requests=q.usage.number("monthly_standard_io_requests"))
