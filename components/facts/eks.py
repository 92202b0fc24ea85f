"""Amazon EKS Kubernetes versions: when each leaves standard support, then extended support.

From the Amazon EKS Kubernetes release calendar; 1.24-1.28 from infracost's copy of the
standard-support ends plus AWS's 12 months of extended support; 1.35 from endoflife.date's copy
(docs/costing.md#conventions-each-with-its-source). Past standard support AWS bills extended
support (6x the standard rate per cluster-hour); past extended support it upgrades the control
plane itself. The cost model prices by it and the policy pack's `eks-version-*` policies judge by
its copy (tests/test_policy_facts_contract.py keeps the two equal).
"""

from __future__ import annotations

from datetime import date

# Kubernetes version -> (end of standard support, end of extended support).
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


def eks_minor(version: str) -> tuple[int, int] | None:
    """(major, minor) of "1.31" or "1.31.2"; None when it is not a version."""
    parts = version.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


# Kubernetes ships about three minor versions a year and EKS follows within months: a version up
# to this many minors past the calendar's newest may be out by now; beyond it, none can be.
NEWER_THAN_CALENDAR = 3


def version_problem(version: str) -> str | None:
    """Why EKS would refuse to create a cluster at `version`, or None."""
    minor = eks_minor(version)
    known = sorted(eks_minor(v) or (0, 0) for v in EKS_CALENDAR)
    oldest, newest = known[0], known[-1]
    if minor is None:
        return f"{version!r} is not a Kubernetes version (1.NN)"
    if minor < oldest:
        return f"EKS no longer offers Kubernetes {version} (its calendar starts at 1.{oldest[1]})"
    if minor[0] != newest[0] or minor[1] > newest[1] + NEWER_THAN_CALENDAR:
        return (
            f"EKS offers no Kubernetes {version}: the newest in this release's calendar is "
            f"1.{newest[1]} (components/facts/eks.py); Kubernetes ships about three minors a year"
        )
    return None
