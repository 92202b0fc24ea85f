"""EKS version support: a cluster's Kubernetes version against AWS's release calendar.

Past the end of standard support AWS bills extended support, 6x the standard rate per
cluster-hour ($0.60 instead of $0.10); past the end of extended support (or of standard support
with `upgradePolicy.supportType: STANDARD`) AWS upgrades the control plane itself, on its schedule,
to the oldest version it still supports (docs/costing.md#conventions-each-with-its-source).

The calendar and the day to judge on are policy config, so the checks are pure: the default
calendar is the copy of `components/facts/eks.py` (tests/test_policy_facts_contract.py), the
default day today (UTC). An in-place upgrade moves one minor version at a time, so the remediation
names the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .core import Res, get, guardrail

CLUSTER = "aws:eks/cluster:Cluster"

# Kubernetes version -> [end of standard support, end of extended support] (ISO dates, UTC).
CALENDAR = {
    "1.23": ["2023-10-11", "2024-10-11"],
    "1.24": ["2024-01-31", "2025-01-31"],
    "1.25": ["2024-05-01", "2025-05-01"],
    "1.26": ["2024-06-11", "2025-06-11"],
    "1.27": ["2024-07-24", "2025-07-24"],
    "1.28": ["2024-11-26", "2025-11-26"],
    "1.29": ["2025-03-23", "2026-03-23"],
    "1.30": ["2025-07-23", "2026-07-23"],
    "1.31": ["2025-11-26", "2026-11-26"],
    "1.32": ["2026-03-23", "2027-03-23"],
    "1.33": ["2026-07-29", "2027-07-29"],
    "1.34": ["2026-12-02", "2027-12-02"],
    "1.35": ["2027-03-27", "2028-03-27"],
}
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
CONFIG = {
    "calendar": {
        "type": "object",
        "default": CALENDAR,
        "propertyNames": {"pattern": r"^[0-9]+\.[0-9]+$"},
        "additionalProperties": {
            "type": "array",
            "items": {"type": "string", "pattern": DATE_PATTERN},
            "minItems": 2,
            "maxItems": 2,
        },
        "description": "Kubernetes version -> [end of standard support, end of extended "
        "support] (the Amazon EKS Kubernetes release calendar)",
    },
    "date": {
        "type": "string",
        "default": "",
        "pattern": f"^$|{DATE_PATTERN}",
        "description": "the day to judge support on (YYYY-MM-DD, UTC); empty: today",
    },
}


def _minor(version: str) -> tuple[int, int] | None:
    parts = version.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


class ConfigError(ValueError):
    """A day in the policy config that matches the schema's pattern but does not exist."""


def _day(text: Any, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise ConfigError(f"policy config {what}: {text!r} is not a day of the calendar") from None


def judged_on(cfg: Mapping[str, Any]) -> dt.date:
    text = cfg.get("date") or ""
    return _day(text, "date") if text else dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Support:
    version: str  # major.minor
    phase: str  # "standard", "extended" or "ended"
    standard_end: dt.date
    extended_end: dt.date
    older_than_calendar: bool = False

    @property
    def next_version(self) -> str:
        major, minor = self.version.split(".")
        return f"{major}.{int(minor) + 1}"


def support_of(version: str, calendar: Mapping[str, Any], on: dt.date) -> Support | None:
    """Where `version` stands on `on`; None for a version newer than the calendar, between its
    entries, or not a version. A version older than the calendar left extended support before the
    oldest listed one did: past extended support from that one's end (unknown before)."""
    minor = _minor(version)
    listed = {m: key for key in calendar if (m := _minor(key)) is not None}
    if minor is None or not listed:
        return None
    older = minor < min(listed)
    if minor in listed:
        key = listed[minor]
        standard_end, extended_end = (_day(d, f"calendar {key!r}") for d in calendar[key])
    elif older:
        key = listed[min(listed)]
        standard_end = extended_end = _day(calendar[key][1], f"calendar {key!r}")
    else:
        return None
    if on < standard_end:
        phase = "standard"
    else:
        phase = "extended" if on < extended_end else "ended"
    return Support(f"{minor[0]}.{minor[1]}", phase, standard_end, extended_end, older)


def _judge(
    res: Res, cfg: Mapping[str, Any], finding: Callable[[Support, str], str | None]
) -> Iterable[str]:
    """`finding(support, upgradePolicy.supportType)` for a cluster whose version the calendar
    places; a day in the config that does not exist is reported instead."""
    if res.type != CLUSTER:
        return
    version = res.props.get("version")
    if not isinstance(version, str) or not version:
        return  # no version: AWS creates the latest
    try:
        support = support_of(version, cfg["calendar"], judged_on(cfg))
    except ConfigError as exc:
        yield str(exc)
        return
    if support is None:
        return
    support_type = str(get(res.props, "upgradePolicy", "supportType", default="EXTENDED"))
    message = finding(support, support_type)
    if message:
        yield message


def _billed_extended(support: Support, support_type: str) -> str | None:
    if support.phase != "extended" or support_type == "STANDARD":
        return None
    return (
        f"Kubernetes {support.version} left standard support on "
        f"{support.standard_end.isoformat()}: AWS bills extended support (6x the standard rate "
        f"per cluster-hour) until {support.extended_end.isoformat()}; upgrade to "
        f"{support.next_version}"
    )


def _upgraded_by_aws(support: Support, support_type: str) -> str | None:
    if support.phase == "ended":
        when = "before " if support.older_than_calendar else ""
        return (
            f"Kubernetes {support.version} is past its end of extended support "
            f"({when}{support.extended_end.isoformat()}): AWS upgrades the control plane itself "
            f"to the oldest version still in extended support, billed at 6x the standard rate; "
            f"upgrade to {support.next_version} yourself"
        )
    if support.phase == "extended" and support_type == "STANDARD":
        return (
            f"Kubernetes {support.version} left standard support on "
            f"{support.standard_end.isoformat()} and upgradePolicy.supportType is STANDARD: AWS "
            f"upgrades the control plane itself; upgrade to {support.next_version} yourself"
        )
    return None


@guardrail(
    "eks-version-standard-support",
    "An EKS cluster runs a Kubernetes version in standard support: past its end AWS bills "
    "extended support, 6x the standard rate per cluster-hour ($0.60 instead of $0.10), for up "
    "to 12 more months. Remediation: upgrade the cluster (kubernetes.version, one minor version "
    "at a time) before its version leaves standard support.",
    severity="medium",
    enforcement="advisory",
    config=CONFIG,
)
def in_standard_support(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    yield from _judge(res, cfg, _billed_extended)


@guardrail(
    "eks-version-supported",
    "An EKS cluster runs a Kubernetes version AWS still supports: past the end of extended "
    "support (or of standard support with upgradePolicy.supportType STANDARD) AWS upgrades the "
    "control plane itself, on its own schedule, to the oldest version it supports, billed at the "
    "extended-support rate. Remediation: upgrade the cluster (kubernetes.version) one minor "
    "version at a time, testing each, before AWS does.",
    severity="high",
    enforcement="advisory",
    config=CONFIG,
)
def still_supported(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    yield from _judge(res, cfg, _upgraded_by_aws)
