"""EKS control planes: the standard-support rate, or the extended-support rate for a Kubernetes
version past its end of standard support on the price date (AWS's release calendar below).

Billing for extended support starts on the day standard support ends (UTC); a cluster whose
`upgradePolicy.supportType` is STANDARD is upgraded then instead, so it stays on the standard
rate. A version past its end of extended support is upgraded by AWS to the oldest version still
in extended support, which is billed at the extended rate: priced so, with a warning.
"""

from __future__ import annotations

from datetime import date

from optimizers.costing.model import HOURS_PER_MONTH
from optimizers.costing.quote import Quote
from optimizers.costing.registry import priced

# Kubernetes version -> (end of standard support, end of extended support), from the Amazon EKS
# Kubernetes release calendar; 1.24-1.28 from infracost's copy of the standard-support ends plus
# the 12 months of extended support; 1.35 from endoflife.date's copy (docs/costing.md).
EKS_CALENDAR: dict[str, tuple[date, date]] = {
    "1.23": (date(2023, 10, 11), date(2024, 10, 11)),
    "1.24": (date(2024, 1, 31), date(2025, 1, 31)),
    "1.25": (date(2024, 5, 1), date(2025, 5, 1)),
    "1.26": (date(2024, 6, 11), date(2025, 6, 11)),
    "1.27": (date(2024, 7, 24), date(2025, 7, 24)),
    "1.28": (date(2024, 11, 26), date(2025, 11, 26)),
    "1.29": (date(2025, 3, 23), date(2026, 3, 23)),
    "1.30": (date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": (date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": (date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": (date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": (date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": (date(2027, 3, 27), date(2028, 3, 27)),
}


def _minor(version: str) -> tuple[int, int] | None:
    parts = version.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def support_on(version: str | None, on: date) -> tuple[str, str]:
    """("standard" | "extended", why) for a cluster version on the price date."""
    if not version:
        return "standard", "version not set: AWS creates the latest, in standard support"
    minor = _minor(version)
    if minor is None:
        return "standard", f"version {version!r} not understood: priced at the standard rate"
    known = sorted(EKS_CALENDAR, key=_minor)
    version = f"{minor[0]}.{minor[1]}"
    if version in EKS_CALENDAR:
        standard_end, extended_end = EKS_CALENDAR[version]
    elif minor > _minor(known[-1]):
        return "standard", f"{version} is newer than the calendar: in standard support"
    elif minor < _minor(known[0]):
        # Older than the calendar: its extended support ended before the oldest version's did.
        standard_end = extended_end = EKS_CALENDAR[known[0]][1]
        if on < extended_end:
            return "standard", f"{version} is older than the calendar: priced at standard"
    else:
        return "standard", f"{version} is not a released version: priced at standard"
    if on < standard_end:
        return "standard", f"{version} in standard support until {standard_end.isoformat()}"
    if on < extended_end:
        return "extended", f"{version} in extended support since {standard_end.isoformat()}"
    return "extended", (
        f"{version} is past its end of extended support ({extended_end.isoformat()}): AWS "
        "upgrades it to the oldest version in extended support"
    )


@priced("aws:eks/cluster:Cluster")
def eks_cluster(q: Quote) -> None:
    version = q.resource.get("version")
    support, why = support_on(version, q.sources.on)
    if support == "extended" and q.resource.get("upgradePolicy", "supportType") == "STANDARD":
        support, why = "standard", why + "; supportType STANDARD: upgraded instead of extended"
    elif "past its end of extended support" in why:
        q.warn(why)
    q.note = why
    label = "EKS cluster" + (" (extended support)" if support == "extended" else "")
    q.service(label, f"eks.cluster.{support}_support.hour", HOURS_PER_MONTH, "hours")
