"""Usage files in infracost's format, so a team coming from infracost keeps its files.

    version: 0.1
    resource_type_default_usage:      # optional: by Pulumi type token or Terraform type
      aws_nat_gateway: {monthly_data_processed_gb: 100}
    resource_usage:
      us-east-1-nat-0:                # a Pulumi resource name, a URN, or `<terraform type>.<name>`
        monthly_data_processed_gb: 2500

Each resource kind declares the keys it reads (infracost's names) in a schema: a number, a
whole number, one of a few words, or a nested block (S3 storage classes, CloudFront regions).
A value of the wrong kind is the user's mistake (`UsageFileError`, exit 2); a key no priced
kind reads is a warning, never silently used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.facts.files import UnreadableFile, load_yaml

NUMBER = "number"  # any non-negative number
WHOLE = "whole"  # a non-negative whole number
WORD = "word"  # any text (an instance type, ...)
Schema = Mapping[str, "str | tuple[str, ...] | Schema"]

# Terraform types infracost users key usage by, and the Pulumi tokens they stand for.
TERRAFORM_TYPES: dict[str, tuple[str, ...]] = {
    "aws_instance": ("aws:ec2/instance:Instance",),
    "aws_autoscaling_group": ("aws:autoscaling/group:Group",),
    "aws_eks_node_group": ("aws:eks/nodeGroup:NodeGroup",),
    "aws_ebs_volume": ("aws:ebs/volume:Volume",),
    "aws_nat_gateway": ("aws:ec2/natGateway:NatGateway",),
    "aws_lb": ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
    "aws_alb": ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
    "aws_elb": ("aws:elb/loadBalancer:LoadBalancer",),
    "aws_s3_bucket": ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"),
    "aws_elasticache_cluster": ("aws:elasticache/cluster:Cluster",),
    "aws_elasticache_replication_group": ("aws:elasticache/replicationGroup:ReplicationGroup",),
    "aws_route53_record": ("aws:route53/record:Record",),
    "aws_route53_health_check": ("aws:route53/healthCheck:HealthCheck",),
    "aws_cloudfront_distribution": ("aws:cloudfront/distribution:Distribution",),
    "aws_vpc_endpoint": ("aws:ec2/vpcEndpoint:VpcEndpoint",),
    "aws_kms_key": ("aws:kms/key:Key",),
    "aws_sqs_queue": ("aws:sqs/queue:Queue",),
    "aws_sns_topic": ("aws:sns/topic:Topic",),
}


class UsageFileError(ValueError):
    """The usage file is malformed or says something impossible (a user error)."""


def _check(value: Any, spec: Any, where: str, warnings: list[str]) -> Any:
    if isinstance(spec, Mapping):
        if not isinstance(value, Mapping):
            raise UsageFileError(f"{where}: expected a block of keys, got {value!r}")
        return _validate(value, spec, where, warnings)
    if isinstance(spec, tuple):
        if value not in spec:
            raise UsageFileError(f"{where}: {value!r} is not one of {', '.join(spec)}")
        return value
    if spec == WORD:
        if not isinstance(value, str) or not value:
            raise UsageFileError(f"{where}: expected a word, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageFileError(f"{where}: expected a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise UsageFileError(f"{where}: {value!r} is not a non-negative number")
    if spec == WHOLE and value != int(value):
        raise UsageFileError(f"{where}: expected a whole number, got {value!r}")
    return float(value)


def _validate(values: Mapping[str, Any], schema: Schema, where: str, warnings: list[str]):
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in schema:
            known = ", ".join(sorted(schema)) or "none"
            warnings.append(f"{where}.{key}: not a usage key of this resource (known: {known})")
            continue
        if value is None:  # infracost's generated files leave keys empty: same as absent
            continue
        out[key] = _check(value, schema[key], f"{where}.{key}", warnings)
    return out


@dataclass(frozen=True)
class Usage:
    """The validated usage of one resource (or one block of it)."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return key in self.values

    def number(self, key: str, default: float = 0.0) -> float:
        return float(self.values.get(key, default))

    def word(self, key: str, default: str) -> str:
        return str(self.values.get(key, default))

    def block(self, key: str) -> Usage:
        return Usage(self.values.get(key, {}))

    @staticmethod
    def validated(values: Mapping[str, Any], schema: Schema, where: str) -> tuple[Usage, list]:
        warnings: list[str] = []
        return Usage(_validate(values, schema, where, warnings)), warnings


@dataclass(frozen=True)
class UsageFile:
    source: str
    entries: Mapping[str, Mapping[str, Any]]  # resource_usage, by its key
    type_defaults: Mapping[str, Mapping[str, Any]]  # by Pulumi type token

    def keys_for(self, urn: str, type_: str, name: str) -> list[str]:
        """The resource_usage keys that name this resource."""
        found = []
        for key in self.entries:
            if key in (urn, name):
                found.append(key)
                continue
            tf_type, _, tf_name = key.partition(".")
            if tf_name == name and type_ in TERRAFORM_TYPES.get(tf_type, ()):
                found.append(key)
        return found

    def raw_for(self, urn: str, type_: str, name: str) -> tuple[dict[str, Any], list[str]]:
        """Type defaults overlaid by the entries naming this resource; and those keys."""
        keys = self.keys_for(urn, type_, name)
        merged: dict[str, Any] = dict(self.type_defaults.get(type_, {}))
        for key in sorted(keys, key=lambda k: k == urn):  # a URN entry wins over a name entry
            merged.update(self.entries[key])
        return merged, keys


EMPTY_USAGE = UsageFile("no usage file", {}, {})


def parse_usage(data: Any, source: str) -> UsageFile:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise UsageFileError(f"{source}: expected a mapping with `version` and `resource_usage`")
    version = data.get("version")
    if str(version) != "0.1":
        raise UsageFileError(f"{source}: `version` must be 0.1 (infracost's), got {version!r}")
    unknown = set(data) - {"version", "resource_usage", "resource_type_default_usage"}
    if unknown:
        raise UsageFileError(f"{source}: unknown top-level keys {', '.join(sorted(unknown))}")
    entries = data.get("resource_usage") or {}
    defaults = data.get("resource_type_default_usage") or {}
    for section, block in (("resource_usage", entries), ("resource_type_default_usage", defaults)):
        if not isinstance(block, Mapping) or not all(
            isinstance(v, Mapping) or v is None for v in block.values()
        ):
            raise UsageFileError(f"{source}: `{section}` must map names to blocks of usage keys")
    by_token: dict[str, Mapping[str, Any]] = {}
    for key, block in defaults.items():
        for token in TERRAFORM_TYPES.get(key, (key,)):
            by_token[token] = block or {}
    return UsageFile(source, {str(k): v or {} for k, v in entries.items()}, by_token)


def load_usage(path: Path) -> UsageFile:
    try:
        data = load_yaml(path, "usage file")  # UTF-8, bounded aliases (components/facts/files)
    except UnreadableFile as exc:
        raise UsageFileError(str(exc)) from None
    return parse_usage(data, str(path))
