"""What every settings model shares: strictness, name rules, the constrained value types every
domain uses (each bound from components/facts/limits.py, cited in docs/limits.md), and the checks
several domains run."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from components.facts import limits
from components.settings.schedules import check_cron, check_kubernetes_cron

INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
CRON = re.compile(r"^(\S+\s+){4}\S+$")  # the shape only; `Cron` parses the fields
# Semantic Versioning 2.0.0 (semver.org), as Helm requires of chart versions.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
# An OCI image reference: [registry[:port]/]repository[:tag][@digest] (distribution/reference).
IMAGE = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
_LABEL_VALUE = re.compile(r"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_DNS_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN = re.compile(rf"^{_DNS_LABEL}(?:\.{_DNS_LABEL})*$")
# AWS tags: letters, digits and spaces in UTF-8, and _ . : / = + - @ (Tagging best practices).
_TAG_TEXT = re.compile(r"^[\w .:/=+\-@]*$")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"  # RFC 5322 atext
_EMAIL_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_EMAIL_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# Node labels the kubelet may set on itself under the kubernetes.io / k8s.io namespaces
# (NodeRestriction admission); any other label there makes the node fail to register.
_KUBELET_PREFIXES = ("kubelet.kubernetes.io", "node.kubernetes.io")


class SettingsRuleError(ValueError):
    """A cross-field rule broken at `path` (relative to the model that checks it)."""

    def __init__(self, message: str, *path: str | int):
        super().__init__(message)
        self.path = path


class Model(BaseModel):
    """Strict about unknown keys (a typo is an error, not a silent default) and about numbers
    (no NaN or infinity)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- value checks ---------------------------------------------------------------------------


def check_tag_value(value: str) -> str:
    if len(value) > limits.TAG_VALUE_MAX:
        raise ValueError(f"an AWS tag value is at most {limits.TAG_VALUE_MAX} characters")
    if not _TAG_TEXT.match(value):
        raise ValueError("AWS tag values allow letters, digits, spaces and _ . : / = + - @")
    return value


def check_label_value(value: str) -> str:
    if len(value) > limits.K8S_LABEL_MAX or not _LABEL_VALUE.match(value):
        raise ValueError(
            f"a Kubernetes label value is at most {limits.K8S_LABEL_MAX} characters: letters, "
            "digits, - _ . inside, alphanumeric at both ends"
        )
    return value


def check_label_key(key: str) -> str:
    prefix, _, name = key.rpartition("/")
    if len(limits.NODE_TEMPLATE_LABEL_TAG + key) > limits.TAG_KEY_MAX:
        raise ValueError(
            f"label key {key!r} is too long: the Cluster Autoscaler reads it from the ASG tag "
            f"{limits.NODE_TEMPLATE_LABEL_TAG}<key>, and tag keys are at most "
            f"{limits.TAG_KEY_MAX} characters"
        )
    if not name or len(name) > limits.K8S_LABEL_MAX or not _LABEL_VALUE.match(name):
        raise ValueError(f"label key {key!r}: the name part is not a Kubernetes label name")
    if prefix and (len(prefix) > limits.K8S_PREFIX_MAX or not _DNS_SUBDOMAIN.match(prefix)):
        raise ValueError(f"label key {key!r}: the prefix is not a DNS subdomain")
    reserved = prefix.endswith(("kubernetes.io", "k8s.io"))
    if reserved and not prefix.endswith(_KUBELET_PREFIXES):
        raise ValueError(
            f"label key {key!r}: the kubelet may not set labels under {prefix} (NodeRestriction); "
            f"use your own prefix or {' / '.join(_KUBELET_PREFIXES)}"
        )
    return key


def check_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if (
        not at
        or len(value) > limits.EMAIL_MAX
        or len(local) > limits.EMAIL_LOCAL_MAX
        or not _EMAIL_LOCAL.match(local)
        or not _EMAIL_DOMAIN.match(domain)
    ):
        raise ValueError("not an e-mail address (name@example.com)")
    return value


def check_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        raise ValueError("not an IPv4 CIDR block (a.b.c.d/n)") from None
    if str(network) != value:
        raise ValueError(f"host bits are set or the text is not canonical; did you mean {network}?")
    return value


def prefix_between(low: int, high: int):
    def check(value: str) -> str:
        prefix = ipaddress.IPv4Network(value).prefixlen
        if not low <= prefix <= high:
            raise ValueError(f"the prefix must be /{low} to /{high}")
        return value

    return AfterValidator(check)


def matching(regex: re.Pattern[str], what: str):
    """A regex check that says what was expected (the pattern goes to the JSON Schema)."""

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"not {what}")
        return value

    return AfterValidator(check), WithJsonSchema({"type": "string", "pattern": regex.pattern})


# --- constrained types ------------------------------------------------------------------------

Name = Annotated[str, Field(pattern=NAME.pattern, description="lowercase DNS label, 2-40 chars")]
Percent = Annotated[float, Field(ge=0, le=100)]
PoolSize = Annotated[int, Field(ge=0, le=limits.MAX_POOL_SIZE)]
Replicas = Annotated[int, Field(ge=1, le=limits.MAX_REPLICAS)]
Vcpus = Annotated[float, Field(gt=0, le=limits.MAX_INSTANCE_VCPUS, description="vCPUs")]
MemoryGib = Annotated[float, Field(gt=0, le=limits.MAX_INSTANCE_MEMORY_GIB, description="GiB")]
DiskGb = Annotated[float, Field(gt=0, le=limits.MAX_EBS_GIB, description="GB")]
Days = Annotated[int, Field(ge=0, le=limits.MAX_DAYS)]
PositiveDays = Annotated[int, Field(ge=1, le=limits.MAX_DAYS)]
TtlSeconds = Annotated[int, Field(ge=0, le=limits.MAX_TTL_S)]
RequestMs = Annotated[float, Field(gt=0, le=limits.MAX_REQUEST_S * 1000)]
MonthlyUsd = Annotated[float, Field(gt=0, le=limits.MAX_MONTHLY_USD)]
TagValue = Annotated[str, Field(min_length=1), AfterValidator(check_tag_value)]
LabelValue = Annotated[str, AfterValidator(check_label_value)]
LabelKey = Annotated[str, AfterValidator(check_label_key)]
Email = Annotated[str, AfterValidator(check_email)]
Cidr = Annotated[str, AfterValidator(check_cidr)]
Cron = Annotated[str, AfterValidator(check_cron)]  # an ASG scheduled action's recurrence
KubernetesCron = Annotated[str, AfterValidator(check_kubernetes_cron)]
SemVer = Annotated[str, *matching(SEMVER, "a SemVer 2.0 version (e.g. 0.17.0), as Helm requires")]
ImageRef = Annotated[
    str, Field(max_length=512), *matching(IMAGE, "an image reference (registry/name:tag)")
]
# A DNS-1035 label short enough for the `triton-<name>` Service (at most 63 characters).
ModelName = Annotated[
    str,
    *matching(
        re.compile(r"^[a-z]([-a-z0-9]{0,54}[a-z0-9])?$"),
        "a model name: lowercase letters, digits and -, at most 56 characters (it names "
        "Kubernetes objects)",
    ),
]


def unknown_name(what: str, value: object, known: Iterable[str]) -> str:
    """'unknown AWS region 'eu-west-9'; did you mean 'eu-west-1'?' (or the allowed list)."""
    names = sorted(known)
    close = sorted(difflib.get_close_matches(str(value), names, n=3, cutoff=0.6))
    if close:
        return f"unknown {what} {value!r}; did you mean {' or '.join(map(repr, close))}?"
    return f"unknown {what} {value!r}; allowed: {', '.join(names)}"


def check_sizes(min_size: int, desired_size: int, max_size: int) -> None:
    if not min_size <= desired_size <= max_size:
        raise ValueError(
            f"sizes must satisfy min_size <= desired_size <= max_size; got "
            f"min_size={min_size}, desired_size={desired_size}, max_size={max_size}"
        )


def check_unique(what: str, names: list[str], *path: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise SettingsRuleError(
                f"{what} name {name!r} is used twice; names must be unique", *path, index
            )
        seen.add(name)
