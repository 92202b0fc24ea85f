"""S3 buckets per data class, tiered by lifecycle rules S3 accepts.

The framework's tiers (hot 7 days on SSD, warm 30 days on HDD, cold archive 365 days) cannot map
literally: S3 refuses Standard-IA before day 30. The stack config maps them to STANDARD days 0-7,
INTELLIGENT_TIERING from day 7, GLACIER from day 37 and expiry at day 402 (settings reject specs
S3 would reject). Every bucket is encrypted, versioned (noncurrent versions expire) and closed to
the public with all four public-access-block flags.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.settings import Lifecycle, Storage


def plan_lifecycle(lifecycle: Lifecycle, abort_multipart_days: int) -> dict[str, Any]:
    """One enabled rule for the whole bucket: transitions, expiry, noncurrent expiry."""
    rule: dict[str, Any] = {
        "id": "tiering",
        "status": "Enabled",
        "filter": {},  # the whole bucket
        "transitions": [
            {"days": tier.after_days, "storage_class": tier.storage_class}
            for tier in lifecycle.tiers[1:]  # the first tier is where objects land
        ],
        "noncurrent_version_expiration": {
            "noncurrent_days": lifecycle.noncurrent_expire_after_days
        },
        "abort_incomplete_multipart_upload": {"days_after_initiation": abort_multipart_days},
    }
    if lifecycle.expire_after_days is not None:
        rule["expiration"] = {"days": lifecycle.expire_after_days}
    return rule


def deny_insecure_transport(bucket_arn: str) -> str:
    """Every request over plain HTTP is refused (aws:SecureTransport is false)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


class StorageTieringArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    storage: Storage
    environment: str


class StorageTiering(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: StorageTieringArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:StorageTiering", name, None, opts)
        storage = args.storage
        self.buckets: dict[str, aws.s3.Bucket] = {}
        for spec in storage.buckets:
            bucket_name = f"{name}-{spec.name}"
            bucket = aws.s3.Bucket(
                bucket_name,
                tags={"aeon:data-class": spec.name},
                opts=pulumi.ResourceOptions(parent=self),
            )
            within = pulumi.ResourceOptions(parent=bucket)
            block = aws.s3.BucketPublicAccessBlock(
                bucket_name,
                bucket=bucket.id,
                block_public_acls=True,
                ignore_public_acls=True,
                block_public_policy=True,
                restrict_public_buckets=True,
                opts=within,
            )
            aws.s3.BucketServerSideEncryptionConfiguration(
                bucket_name,
                bucket=bucket.id,
                rules=[
                    {
                        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"},
                        "bucket_key_enabled": True,  # one KMS call per bucket key, not per object
                    }
                ],
                opts=within,
            )
            aws.s3.BucketPolicy(
                bucket_name,
                bucket=bucket.id,
                policy=bucket.arn.apply(deny_insecure_transport),
                # S3 rejects policies while the public-access block is being applied.
                opts=pulumi.ResourceOptions(parent=bucket, depends_on=[block]),
            )
            versioning = aws.s3.BucketVersioning(
                bucket_name,
                bucket=bucket.id,
                versioning_configuration={"status": "Enabled" if spec.versioning else "Suspended"},
                opts=within,
            )
            aws.s3.BucketLifecycleConfiguration(
                bucket_name,
                bucket=bucket.id,
                rules=[
                    plan_lifecycle(
                        spec.lifecycle or storage.lifecycle, storage.abort_incomplete_multipart_days
                    )
                ],
                # A lifecycle with noncurrent rules needs versioning in place first.
                opts=pulumi.ResourceOptions(parent=bucket, depends_on=[versioning]),
            )
            self.buckets[spec.name] = bucket
        self.register_outputs({k: b.bucket for k, b in self.buckets.items()})
