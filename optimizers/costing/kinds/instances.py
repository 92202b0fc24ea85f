"""What one EC2 instance costs beyond its hours, and how its hours are bought.

Shared by instances, autoscaling groups and EKS node groups (infracost's conventions):
- the hours: on-demand, spot (the table's average spot price, else on-demand less the Spot
  Advisor saving, labelled an estimate), committed (the table's 1-year commitment discount),
  or reserved per the usage file's `reserved_instance_type|term|payment_option`;
- `operating_system` other than linux needs a price key the table may lack (then unpriced);
- EBS volumes per instance; detailed monitoring at 7 metrics per instance; the EBS-optimized
  surcharge of the older types that carry one (DescribeInstanceTypes says `supported`, not
  `default`); CPU credits of unlimited burstable types (t3/t3a/t4g default to unlimited, t2 to
  standard) from `monthly_cpu_credit_hrs` x `vcpu_count` (default: the type's vCPUs).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from optimizers.costing.graph import PlannedResource, is_known
from optimizers.costing.kinds.ebs import UNSPECIFIED_ROOT, Volume, volume_from, volume_lines
from optimizers.costing.quote import Quote, Unpriceable
from optimizers.costing.usage import NUMBER, WHOLE, WORD, Usage, UsageFileError

DETAILED_MONITORING_METRICS = 7
BURSTABLE = ("t2", "t3", "t3a", "t4g")
UNLIMITED_BY_DEFAULT = ("t3", "t3a", "t4g")
OPERATING_SYSTEMS = ("linux", "windows", "rhel", "suse")

INSTANCE_USAGE = {
    "operating_system": OPERATING_SYSTEMS,
    "reserved_instance_type": ("standard", "convertible"),
    "reserved_instance_term": ("1_year", "3_year"),
    "reserved_instance_payment_option": ("no_upfront", "partial_upfront", "all_upfront"),
    "monthly_cpu_credit_hrs": NUMBER,
    "vcpu_count": WHOLE,
}
FLEET_USAGE = {**INSTANCE_USAGE, "instances": WHOLE, "instance_type": WORD}


@lru_cache(maxsize=1)
def _describe_instance_types() -> dict[str, Any]:
    """DescribeInstanceTypes data as moto ships it (the same the catalog reads)."""
    from optimizers.catalog import moto_resources_dir

    with gzip.open(moto_resources_dir() / "instance_types.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def ebs_optimized_support(instance_type: str) -> str | None:
    info = _describe_instance_types().get(instance_type, {})
    return info.get("EbsInfo", {}).get("EbsOptimizedSupport")


def default_vcpus(instance_type: str) -> int | None:
    return _describe_instance_types().get(instance_type, {}).get("VCpuInfo", {}).get("DefaultVCpus")


@dataclass(frozen=True)
class Shape:
    """One instance as launched: type, tenancy, extras and volumes."""

    instance_type: str | None
    tenancy: str = "default"
    spot: bool = False
    ebs_optimized: bool = False
    monitoring: bool = False
    cpu_credits: str | None = None
    volumes: tuple[Volume, ...] = field(default_factory=lambda: (UNSPECIFIED_ROOT,))


def _flag(value: Any) -> bool:
    return value is True or value == "true"


def shape_of_instance(r: PlannedResource) -> Shape:
    volumes = [volume_from(r.get("rootBlockDevice", default={}), "Root volume")]
    for i, device in enumerate(r.get("ebsBlockDevices", default=[]) or []):
        name = device.get("deviceName") if isinstance(device, dict) else None
        volumes.append(volume_from(device, f"Volume {name or i}"))
    return Shape(
        instance_type=r.get("instanceType"),
        tenancy=r.get("tenancy", default="default"),
        spot=r.get("instanceMarketOptions", "marketType") == "spot",
        ebs_optimized=_flag(r.get("ebsOptimized")),
        monitoring=_flag(r.get("monitoring")),
        cpu_credits=r.get("creditSpecification", "cpuCredits"),
        volumes=tuple(volumes),
    )


def shape_of_launch_template(lt: PlannedResource) -> Shape:
    mappings = [m for m in lt.get("blockDeviceMappings", default=[]) or [] if isinstance(m, dict)]
    volumes = [
        volume_from(m.get("ebs"), "Root volume" if i == 0 else f"Volume {m.get('deviceName', i)}")
        for i, m in enumerate(mappings)
        if m.get("ebs") is not None
    ]
    return Shape(
        instance_type=lt.get("instanceType"),
        tenancy=lt.get("placement", "tenancy", default="default"),
        spot=lt.get("instanceMarketOptions", "marketType") == "spot",
        ebs_optimized=_flag(lt.get("ebsOptimized")),
        monitoring=_flag(lt.get("monitoring", "enabled")),
        cpu_credits=lt.get("creditSpecification", "cpuCredits"),
        volumes=tuple(volumes) or (UNSPECIFIED_ROOT,),
    )


def shape_of_launch_configuration(lc: PlannedResource) -> Shape:
    volumes = [volume_from(lc.get("rootBlockDevice", default={}), "Root volume")]
    for i, device in enumerate(lc.get("ebsBlockDevices", default=[]) or []):
        volumes.append(volume_from(device, f"Volume {device.get('deviceName', i)}"))
    return Shape(
        instance_type=lc.get("instanceType"),
        tenancy=lc.get("placementTenancy", default="default"),
        spot=is_known(lc.get("spotPrice")),
        ebs_optimized=_flag(lc.get("ebsOptimized")),
        monitoring=lc.get("enableMonitoring", default=True) is not False,  # AWS default: on
        volumes=tuple(volumes),
    )


def reserved_purchase(usage: Usage) -> tuple[str, str, str] | None:
    keys = ("reserved_instance_type", "reserved_instance_term", "reserved_instance_payment_option")
    given = [usage.has(k) for k in keys]
    if not any(given):
        return None
    if not all(given):
        raise UsageFileError(f"reserved instances need all of {', '.join(keys)}")
    return (usage.word(keys[0], ""), usage.word(keys[1], ""), usage.word(keys[2], ""))


def instance_hours(
    q: Quote, itype: str, counts: dict[str, float], hours: float, tenancy: str
) -> None:
    """Lines for the instance-hours of `counts` (purchase -> instances) of one type."""
    if tenancy == "host":
        raise Unpriceable("host tenancy is billed by the dedicated host, which is not modelled")
    system = q.usage.word("operating_system", "linux")
    reserved = reserved_purchase(q.usage)
    if reserved is not None and not (counts.get("on-demand") or counts.get("committed")):
        q.warn("reserved-instance keys ignored: a reservation covers on-demand instances, and "
               "there are none here")  # fmt: skip
    for purchase, count in counts.items():
        if not count:
            continue
        if purchase in ("on-demand", "committed") and reserved is not None:
            _reserved_hours(q, itype, count * hours, system, reserved)
            continue
        label = f"Instance usage ({system}, {purchase}, {itype})"
        if system != "linux" or tenancy == "dedicated":
            option = purchase.replace("-", "_")
            place = "dedicated" if tenancy == "dedicated" else "shared"
            q.service(label, f"ec2.{system}.{option}.{place}.{itype}", count * hours, "hours")
        else:
            q.ec2_hours(label, itype, purchase, count * hours)


def _reserved_hours(
    q: Quote, itype: str, hours: float, system: str, reserved: tuple[str, str, str]
) -> None:
    offering, term, payment = reserved
    label = f"Instance usage ({system}, reserved {offering} {term} {payment}, {itype})"
    key = f"ec2.{system}.reserved.{offering}.{term}.{payment}.{itype}"
    if q.sources.services.get(q.region, key) is not None:
        q.service(label, key, hours, "hours")
    elif system == "linux" and offering == "standard" and payment == "no_upfront":
        # The price table's commitment discounts are standard, no upfront reservations.
        q.ec2_hours(label, itype, "reserved-3y" if term == "3_year" else "reserved-1y", hours)
    else:
        q.missing.append(f"no price {key!r} for {q.region}")


def per_instance_extras(q: Quote, shape: Shape, itype: str, count: float, hours: float) -> None:
    """Volumes, monitoring, EBS-optimized surcharge and CPU credits for `count` instances."""
    for volume in shape.volumes:
        volume_lines(q, volume, count)
    if shape.monitoring:
        q.service("EC2 detailed monitoring", "cloudwatch.ec2_detailed_monitoring.metric",
                  DETAILED_MONITORING_METRICS * count, "metrics")  # fmt: skip
    if shape.ebs_optimized:
        support = ebs_optimized_support(itype)
        if support == "supported":  # older types: an hourly surcharge
            q.service("EBS-optimized usage", f"ec2.ebs_optimized.{itype}", count * hours, "hours")
        elif support == "unsupported":
            q.warn(f"{itype} cannot be EBS-optimized; AWS would reject ebsOptimized=true")
    family = itype.split(".", 1)[0]
    credits = shape.cpu_credits or ("unlimited" if family in UNLIMITED_BY_DEFAULT else None)
    credit_keys = [k for k in ("monthly_cpu_credit_hrs", "vcpu_count") if q.usage.has(k)]
    if family in BURSTABLE and credits == "unlimited":
        vcpus = q.usage.number("vcpu_count", float(default_vcpus(itype) or 0))
        credit_hours = q.usage.number("monthly_cpu_credit_hrs") * vcpus * count
        q.service("CPU credits", f"ec2.cpu_credits.{family}", credit_hours, "vCPU-hours",
                  usage_based=True)  # fmt: skip
    elif credit_keys:
        q.warn(f"{', '.join(credit_keys)} ignored: {itype} does not buy CPU credits "
               "(only unlimited t2/t3/t3a/t4g do)")  # fmt: skip
