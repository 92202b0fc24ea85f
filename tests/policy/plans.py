"""The clean `pulumi preview --json` plan every policy case patches (see cases.py).

`clean_plan()` is a small but complete stack that passes every policy at the pack's defaults
(tagged, encrypted, blocked, valid lifecycle, diversified, with a budget). `python -m
tests.policy.plans` rewrites tests/policy/plans/clean.json from it (a test checks it is current).

Property names follow the pulumi-aws 7.51 / pulumi-kubernetes 4.34 schemas (camelCase inputs,
numbers as floats, ASG tags as a list of {key, value, propagateAtLaunch}). Unknown values appear
as the engine prints them during preview.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STACK = "fixture"
PROJECT = "aeon-infra"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
CLEAN_PLAN = Path(__file__).parent / "plans" / "clean.json"
FAR_FUTURE = "2099-12-31"


def urn(type_: str, name: str, parents: tuple[str, ...] = ()) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{'$'.join((*parents, type_))}::{name}"


PROVIDERS = {
    "us-east-1": urn("pulumi:providers:aws", "us-east-1"),
    "eu-west-1": urn("pulumi:providers:aws", "eu-west-1"),
}
K8S_PROVIDER = urn("pulumi:providers:kubernetes", "eks-k8s")
PROVIDER_IDS = {
    PROVIDERS["us-east-1"]: "4f3c2a1e-6a3b-4c55-9d0e-1f2a3b4c5d6e",
    PROVIDERS["eu-west-1"]: "7a1b2c3d-4e5f-4a6b-8c9d-0e1f2a3b4c5d",
    K8S_PROVIDER: "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b",
}
COMPONENT = ("aeon:index:GlobalDeployment", "aeon:index:RegionalDeployment")
REGIONAL = "us-east-1-region"  # the RegionalDeployment every resource is under
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"


def cost_tags(**extra: str) -> dict[str, str]:
    return {
        "team": "ml-platform",
        "cost-center": "cc-1042",
        "environment": "prod",
        "service": "aeon",
        "aeon:stack": STACK,
        **extra,
    }


def asg_tags(pool: str, role: str, **extra: str) -> list[dict[str, Any]]:
    tags = cost_tags(**{"aeon:pool": pool, "aeon:pool-role": role}, **extra)
    return [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in tags.items()]


class PlanBuilder:
    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    def add(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        *,
        region: str | None = "us-east-1",
        provider: str | None = None,
        deps: dict[str, list[str]] | None = None,
        parents: tuple[str, ...] = COMPONENT,
        custom: bool = True,
    ) -> str:
        the_urn = urn(type_, name, parents)
        prov = provider or (PROVIDERS[region] if region else None)
        ref = f"{prov}::{PROVIDER_IDS[prov]}" if prov else ""
        prop_deps = deps or {}
        state = {
            "urn": the_urn,
            "custom": custom,
            "type": type_,
            "inputs": inputs,
            "outputs": {},
            "parent": urn(COMPONENT[-1], REGIONAL, COMPONENT[:-1]) if parents else "",
            "provider": ref,
            "dependencies": sorted({u for urns in prop_deps.values() for u in urns}),
            "propertyDependencies": prop_deps,
        }
        self.steps.append({"op": "create", "urn": the_urn, "provider": ref, "newState": state})
        return the_urn

    def plan(self) -> dict[str, Any]:
        providers = [
            {
                "op": "create",
                "urn": p,
                "newState": {
                    "urn": p,
                    "custom": True,
                    "type": p.split("::")[2],
                    "inputs": (
                        {"region": p.rsplit("::", 1)[1], "version": "7.51.0"}
                        if "aws" in p
                        else {"version": "4.34.0", "kubeconfig": "[secret]"}
                    ),
                    "outputs": {},
                    "id": PROVIDER_IDS[p],
                },
            }
            for p in (*PROVIDERS.values(), K8S_PROVIDER)
        ]
        for step in providers:
            step["newState"]["parent"] = STACK_URN
        steps = components() + providers + self.steps
        return {
            "config": {
                "aws:region": "us-east-1",
                f"{PROJECT}:environment": "prod",
            },
            "steps": steps,
            "diagnostics": [],
            "changeSummary": {"create": len(steps)},
        }


def components() -> list[dict[str, Any]]:
    """The root stack and the component resources every resource descends from: a real plan
    declares them, and the plan reader checks that every parent is declared."""
    global_urn = urn(COMPONENT[0], "aeon-prod")
    regional_urn = urn(COMPONENT[-1], REGIONAL, COMPONENT[:-1])
    steps = []
    for the_urn, type_, parent in (
        (STACK_URN, "pulumi:pulumi:Stack", ""),
        (global_urn, COMPONENT[0], STACK_URN),
        (regional_urn, COMPONENT[-1], global_urn),
    ):
        state = {"urn": the_urn, "custom": False, "type": type_, "inputs": {}, "outputs": {}}
        if parent:
            state["parent"] = parent
        steps.append({"op": "create", "urn": the_urn, "newState": state})
    return steps


def _types(*names: str) -> list[dict[str, str]]:
    return [{"instanceType": n} for n in names]


INFERENCE_TYPES = (
    "g6e.12xlarge", "g6e.24xlarge", "g6e.48xlarge", "g5.12xlarge", "g5.24xlarge",
    "g5.48xlarge", "g6.12xlarge", "g6.24xlarge", "g6.48xlarge", "g4dn.12xlarge",
)  # fmt: skip
SYSTEM_TYPES = (
    "m7i.xlarge", "m7i.2xlarge", "m6i.xlarge", "m6i.2xlarge", "m7a.xlarge", "m7a.2xlarge",
    "m6a.xlarge", "m6a.2xlarge", "m5.xlarge", "m5.2xlarge",
)  # fmt: skip
CACHE_TYPES = (
    "c7i.large", "c7i.xlarge", "c6i.large", "c6i.xlarge", "c7a.large", "c7a.xlarge",
    "c6a.large", "c6a.xlarge", "c5.large", "c5.xlarge",
)  # fmt: skip


def asg_inputs(pool, role, types, *, base, pct, subnets, max_size, min_size=0.0, extra_tags=None):
    return {
        "name": f"{pool}-asg",
        "minSize": float(min_size),
        "maxSize": float(max_size),
        "desiredCapacity": float(min_size),
        "vpcZoneIdentifiers": [f"subnet-{pool}-{i}" for i in range(subnets)],
        "capacityRebalance": True,
        "mixedInstancesPolicy": {
            "instancesDistribution": {
                "onDemandBaseCapacity": float(base),
                "onDemandPercentageAboveBaseCapacity": float(pct),
                "spotAllocationStrategy": "price-capacity-optimized",
            },
            "launchTemplate": {
                "launchTemplateSpecification": {"launchTemplateId": UNKNOWN, "version": "$Latest"},
                "overrides": _types(*types),
            },
        },
        "tags": asg_tags(pool, role, **(extra_tags or {})),
    }


def launch_template_inputs(pool: str, role: str) -> dict[str, Any]:
    return {
        "namePrefix": f"{pool}-",
        "imageId": "ami-0abcdef1234567890",
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpTokens": "required",
            "httpPutResponseHopLimit": 2.0,
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {"volumeSize": 100.0, "volumeType": "gp3", "encrypted": "true"},
            }
        ],
        "tags": cost_tags(**{"aeon:pool": pool, "aeon:pool-role": role}),
    }


def lifecycle_inputs() -> dict[str, Any]:
    return {
        "bucket": UNKNOWN,
        "rules": [
            {
                "id": "tiering",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "transitions": [
                    {"days": 7.0, "storageClass": "INTELLIGENT_TIERING"},
                    {"days": 37.0, "storageClass": "GLACIER"},
                ],
                "expiration": {"days": 402.0},
                "noncurrentVersionExpiration": {"noncurrentDays": 30.0},
            }
        ],
    }


def clean_plan() -> dict[str, Any]:
    b = PlanBuilder()
    bucket = b.add(
        "aws:s3/bucket:Bucket",
        "datasets",
        {"bucketPrefix": "aeon-datasets-", "forceDestroy": False, "tags": cost_tags()},
    )
    on_bucket = {"bucket": [bucket]}
    b.add(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "datasets-lifecycle",
        lifecycle_inputs(),
        deps=on_bucket,
    )
    b.add(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "datasets-public-access",
        {
            "bucket": UNKNOWN,
            "blockPublicAcls": True,
            "ignorePublicAcls": True,
            "blockPublicPolicy": True,
            "restrictPublicBuckets": True,
        },
        deps=on_bucket,
    )
    b.add(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "datasets-sse",
        {
            "bucket": UNKNOWN,
            "rules": [
                {
                    "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"},
                    "bucketKeyEnabled": True,
                }
            ],
        },
        deps=on_bucket,
    )
    # Training: two 8-GPU types, Cluster Autoscaler managed, off-hours schedule.
    b.add(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "training-lt",
        launch_template_inputs("training", "training"),
    )
    training = b.add(
        "aws:autoscaling/group:Group",
        "training",
        {
            # EFA in a cluster placement group: one AZ, exempt from the several-AZ rule.
            **asg_inputs(
                "training", "training", ("p5.48xlarge", "p4de.24xlarge"), base=1, pct=0,
                subnets=1, max_size=8, extra_tags={"k8s.io/cluster-autoscaler/enabled": "true"},
            ),
            "placementGroup": "training-cluster",
        },
    )  # fmt: skip
    b.add(
        "aws:autoscaling/schedule:Schedule",
        "training-off-hours-down",
        {
            "autoscalingGroupName": UNKNOWN,
            "scheduledActionName": "off-hours-down",
            "recurrence": "0 20 * * MON-FRI",
            "timeZone": "America/New_York",
            "minSize": 0.0,
            "maxSize": 4.0,
        },
        deps={"autoscalingGroupName": [training]},
    )
    b.add(
        "aws:autoscaling/group:Group",
        "inference",
        asg_inputs(
            "inference",
            "inference",
            INFERENCE_TYPES[:5],
            base=2,
            pct=20,
            subnets=3,
            max_size=16,
            min_size=2,
        ),
    )
    # A sibling pool of other shapes: spot diversity counts across both.
    b.add(
        "aws:autoscaling/group:Group",
        "inference-b",
        asg_inputs("inference-b", "inference", INFERENCE_TYPES[5:], base=0, pct=20, subnets=3,
                   max_size=8),
    )  # fmt: skip
    b.add(
        "aws:autoscaling/group:Group",
        "system",
        asg_inputs(
            "system", "cpu", SYSTEM_TYPES, base=3, pct=100, subnets=3, max_size=10, min_size=3
        ),
    )
    # Edge cache fleet in eu-west-1: spot with step scaling 70/30.
    cache = b.add(
        "aws:autoscaling/group:Group",
        "edge-cache-euw1",
        asg_inputs(
            "edge-cache-euw1",
            "edge-cache",
            CACHE_TYPES,
            base=2,
            pct=50,
            subnets=2,
            max_size=8,
            min_size=2,
        ),
        region="eu-west-1",
    )
    for direction, adjustment, threshold, operator in (
        ("out", 1.0, 70.0, "GreaterThanOrEqualToThreshold"),
        ("in", -1.0, 30.0, "LessThanOrEqualToThreshold"),
    ):
        policy = b.add(
            "aws:autoscaling/policy:Policy",
            f"edge-cache-euw1-scale-{direction}",
            {
                "autoscalingGroupName": UNKNOWN,
                "policyType": "StepScaling",
                "adjustmentType": "ChangeInCapacity",
                "estimatedInstanceWarmup": 180.0,
                "stepAdjustments": [
                    {"scalingAdjustment": adjustment}
                    | (
                        {"metricIntervalLowerBound": "0"}
                        if adjustment > 0
                        else {"metricIntervalUpperBound": "0"}
                    )
                ],
            },
            region="eu-west-1",
            deps={"autoscalingGroupName": [cache]},
        )
        b.add(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            f"edge-cache-euw1-cpu-{direction}",
            {
                "comparisonOperator": operator,
                "evaluationPeriods": 2.0,
                "metricName": "CPUUtilization",
                "namespace": "AWS/EC2",
                "period": 60.0,
                "statistic": "Average",
                "threshold": threshold,
                "alarmActions": [UNKNOWN],
                "dimensions": {"AutoScalingGroupName": UNKNOWN},
                "tags": cost_tags(),
            },
            region="eu-west-1",
            deps={"alarmActions": [policy], "dimensions": [cache]},
        )
    b.add(
        "aws:budgets/budget:Budget",
        "monthly",
        {
            "budgetType": "COST",
            "limitAmount": "450000",
            "limitUnit": "USD",
            "timeUnit": "MONTHLY",
            "notifications": [
                {
                    "comparisonOperator": "GREATER_THAN",
                    "notificationType": "FORECASTED",
                    "threshold": 80.0,
                    "thresholdType": "PERCENTAGE",
                    "subscriberEmailAddresses": ["finops@aeon.example"],
                }
            ],
            "tags": cost_tags(),
        },
    )
    b.add(
        "aws:eks/cluster:Cluster",
        "us-east-1-eks",
        # No version: AWS creates the newest. A pinned one would age out of support as the
        # calendar moves on (the eks-version-* fixtures pin a version and the day to judge on).
        {
            "roleArn": UNKNOWN,
            "vpcConfig": {
                "subnetIds": [UNKNOWN, UNKNOWN],
                "endpointPrivateAccess": True,
                "endpointPublicAccess": False,
            },
            "tags": cost_tags(),
        },
    )
    b.add(
        "aws:ec2/securityGroup:SecurityGroup",
        "nodes-sg",
        {
            "description": "node group",
            "vpcId": UNKNOWN,
            "ingress": [
                {
                    "fromPort": 443.0,
                    "toPort": 443.0,
                    "protocol": "tcp",
                    "cidrBlocks": ["0.0.0.0/0"],
                },
                {"fromPort": 22.0, "toPort": 22.0, "protocol": "tcp", "cidrBlocks": ["10.0.0.0/8"]},
            ],
            "tags": cost_tags(),
        },
    )
    b.add(
        "aws:ebs/volume:Volume",
        "vector-data",
        {
            "availabilityZone": "us-east-1a",
            "size": 500.0,
            "type": "gp3",
            "encrypted": True,
            "tags": cost_tags(),
        },
    )
    k8s = {"region": None, "provider": K8S_PROVIDER}
    b.add("kubernetes:core/v1:Namespace", "training-ns", {"metadata": {"name": "training"}}, **k8s)
    b.add(
        "kubernetes:core/v1:ResourceQuota",
        "training-gpu-quota",
        {
            "metadata": {"name": "gpu-quota", "namespace": "training"},
            "spec": {"hard": {"requests.nvidia.com/gpu": "64"}},
        },
        **k8s,
    )
    b.add(
        "kubernetes:apps/v1:Deployment",
        "trainer",
        {
            "metadata": {"name": "trainer", "namespace": "training"},
            "spec": {
                "replicas": 1.0,
                "selector": {"matchLabels": {"app": "trainer"}},
                "template": {
                    "metadata": {"labels": {"app": "trainer"}},
                    "spec": {
                        "priorityClassName": "batch-training",
                        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000.0},
                        "containers": [
                            {
                                "name": "trainer",
                                "image": "nvcr.io/nvidia/pytorch:24.10-py3",
                                "resources": {
                                    "requests": {
                                        "cpu": "90",
                                        "memory": "900Gi",
                                        "nvidia.com/gpu": "8",
                                    },
                                    "limits": {
                                        "cpu": "90",
                                        "memory": "900Gi",
                                        "nvidia.com/gpu": "8",
                                    },
                                },  # fmt: skip
                                "securityContext": {"allowPrivilegeEscalation": False},
                                "livenessProbe": {
                                    "exec": {"command": ["test", "-f", "/tmp/alive"]}
                                },
                                "readinessProbe": {
                                    "exec": {"command": ["test", "-f", "/tmp/ready"]}
                                },
                            }
                        ],
                    },
                },
            },
        },
        **k8s,
    )
    b.add(
        "kubernetes:policy/v1:PodDisruptionBudget",
        "trainer-pdb",
        {
            "metadata": {"name": "trainer", "namespace": "training"},
            "spec": {"maxUnavailable": 1.0, "selector": {"matchLabels": {"app": "trainer"}}},
        },
        **k8s,
    )
    b.add(
        "kubernetes:core/v1:ConfigMap",
        "device-plugin-config",
        {
            "metadata": {"name": "nvidia-device-plugin-config", "namespace": "kube-system"},
            "data": {
                "shared": (
                    "version: v1\nsharing:\n  timeSlicing:\n    failRequestsGreaterThanOne: true\n"
                    "    resources:\n    - name: nvidia.com/gpu\n      replicas: 4\n"
                )
            },
        },
        **k8s,
    )
    return b.plan()


def render(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    CLEAN_PLAN.write_text(render(clean_plan()))
