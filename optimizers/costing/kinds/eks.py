"""EKS control planes: the standard-support rate, or the extended-support rate for a Kubernetes
version past its end of standard support on the price date (AWS's release calendar,
`components/facts/eks.py`).

Billing for extended support starts on the day standard support ends (UTC); a cluster whose
`upgradePolicy.supportType` is STANDARD is upgraded then instead, so it stays on the standard
rate. A version past its end of extended support is upgraded by AWS to the oldest version still
in extended support, which is billed at the extended rate: priced so, with a warning.
"""

from __future__ import annotations

from datetime import date

from components.facts.eks import EKS_CALENDAR, eks_minor
from optimizers.costing.model import HOURS_PER_MONTH
from optimizers.costing.quote import Quote
from optimizers.costing.registry import priced


def support_on(version: str | None, on: date) -> tuple[str, str]:
    """("standard" | "extended", why) for a cluster version on the price date."""
    if not version:
        return "standard", "version not set: AWS creates the latest, in standard support"
    minor = eks_minor(version)
    if minor is None:
        return "standard", f"version {version!r} not understood: priced at the standard rate"
    known = sorted(EKS_CALENDAR, key=eks_minor)
    version = f"{minor[0]}.{minor[1]}"
    if version in EKS_CALENDAR:
        standard_end, extended_end = EKS_CALENDAR[version]
    elif minor > eks_minor(known[-1]):
        return "standard", f"{version} is newer than the calendar: in standard support"
    elif minor < eks_minor(known[0]):
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
