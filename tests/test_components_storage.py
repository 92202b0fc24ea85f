"""Storage tiering: buckets per data class, lifecycle days and classes, EBS classes for nodes."""

from __future__ import annotations

import pytest

from components.settings import Lifecycle  # noqa: E402
from components.storage_tiering import plan_lifecycle  # noqa: E402
from tests.components import component_runs as runs

BUCKET = "aws:s3/bucket:Bucket"
DATA_CLASSES = ("datasets", "checkpoints", "embeddings", "logs")


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def attached(run, bucket, type_):
    return [
        r
        for r in runs.of_type(run, type_)
        if bucket.urn in r.property_dependencies.get("bucket", ())
    ]


def test_one_bucket_per_data_class_in_the_primary(prod_run) -> None:
    buckets = runs.of_type(prod_run, BUCKET)
    assert sorted(runs.tags(b)["aeon:data-class"] for b in buckets) == sorted(DATA_CLASSES)
    assert {b.region for b in buckets} == {"us-east-1"}


def test_each_bucket_is_encrypted_private_versioned_and_tiered(prod_run) -> None:
    for bucket in runs.of_type(prod_run, BUCKET):
        (block,) = attached(
            prod_run, bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
        )
        flags = (
            "blockPublicAcls",
            "ignorePublicAcls",
            "blockPublicPolicy",
            "restrictPublicBuckets",
        )
        assert all(block.inputs[f] is True for f in flags)
        (sse,) = attached(
            prod_run, bucket,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        )  # fmt: skip
        assert (
            sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
            == "aws:kms"
        )
        (versioning,) = attached(prod_run, bucket, "aws:s3/bucketVersioning:BucketVersioning")
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
        (lifecycle,) = attached(
            prod_run, bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
        )
        (rule,) = lifecycle.inputs["rules"]
        assert rule["status"] == "Enabled"
        assert [(t["storageClass"], t["days"]) for t in rule["transitions"]] == [
            ("INTELLIGENT_TIERING", 7), ("GLACIER", 37),
        ]  # fmt: skip
        assert rule["expiration"]["days"] == 402
        assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30


def test_plan_lifecycle_maps_tiers_after_the_landing_class() -> None:
    lifecycle = Lifecycle.model_validate(
        {
            "tiers": [
                {"storage_class": "STANDARD", "after_days": 0},
                {"storage_class": "STANDARD_IA", "after_days": 30},
                {"storage_class": "DEEP_ARCHIVE", "after_days": 210},
            ],
            "noncurrent_expire_after_days": 14,
        }
    )
    rule = plan_lifecycle(lifecycle, abort_multipart_days=3)
    assert rule["transitions"] == [
        {"days": 30, "storage_class": "STANDARD_IA"},
        {"days": 210, "storage_class": "DEEP_ARCHIVE"},
    ]
    assert "expiration" not in rule
    assert rule["abort_incomplete_multipart_upload"] == {"days_after_initiation": 3}


def test_node_storage_classes_hot_gp3_and_warm_st1_in_every_cluster(prod_run) -> None:
    classes = runs.of_type(prod_run, "kubernetes:storage.k8s.io/v1:StorageClass")
    assert len(classes) == 8
    for sc in classes:
        expected = {"hot": "gp3", "warm": "st1"}[sc.inputs["metadata"]["name"]]
        assert sc.inputs["parameters"] == {"type": expected, "encrypted": "true"}
        assert sc.inputs["provisioner"] == "ebs.csi.aws.com"


def test_nat_per_az_in_the_primary_one_in_edges_and_an_s3_endpoint(prod_run) -> None:
    inventory = runs.inventory(prod_run)
    assert inventory["us-east-1"]["aws:ec2/natGateway:NatGateway"] == 3
    for region in ("eu-west-1", "ap-southeast-1", "sa-east-1"):
        assert inventory[region]["aws:ec2/natGateway:NatGateway"] == 1
    endpoints = runs.of_type(prod_run, "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert sorted(e.inputs["serviceName"] for e in endpoints) == sorted(
        f"com.amazonaws.{r}.s3" for r in ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1")
    )
    assert all(e.inputs["vpcEndpointType"] == "Gateway" for e in endpoints)
    primary = next(e for e in endpoints if e.region == "us-east-1")
    assert len(primary.inputs["routeTableIds"]) == 3
