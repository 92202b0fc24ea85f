# ruff: noqa: E501  (fixture data: expected messages are kept whole, as the pack prints them)
"""Builders of `pulumi preview --json` plans for the policy fixtures (KICS style).

`clean_plan()` is a small but complete stack that passes every policy at the pack's defaults
(tagged, encrypted, blocked, valid lifecycle, diversified, with a budget). Each policy's positive
fixture is the clean plan with one fault; its negative fixture is the clean plan itself or a
variant exercising the passing side of the rule. `python -m tests.policy.plans` rewrites the JSON
files under tests/policy/fixtures and tests/policy/plans (a test checks they are current).

Property names follow the pulumi-aws 7.51 / pulumi-kubernetes 4.34 schemas (camelCase inputs,
numbers as floats, ASG tags as a list of {key, value, propagateAtLaunch}). Unknown values appear
as the engine prints them during preview.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

STACK = "fixture"
PROJECT = "aeon-infra"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
HERE = Path(__file__).parent
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
            "parent": urn(COMPONENT[-1], "us-east-1", COMPONENT[:-1]) if parents else "",
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
        steps = providers + self.steps
        return {
            "config": {
                "aws:region": "us-east-1",
                f"{PROJECT}:environment": "prod",
            },
            "steps": steps,
            "diagnostics": [],
            "changeSummary": {"create": len(steps)},
        }


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
        asg_inputs(
            "training", "training", ("p5.48xlarge", "p4de.24xlarge"), base=1, pct=0, subnets=3,
            max_size=8, extra_tags={"k8s.io/cluster-autoscaler/enabled": "true"},
        ),
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
            INFERENCE_TYPES,
            base=2,
            pct=20,
            subnets=3,
            max_size=16,
            min_size=2,
        ),
    )
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
        {
            "version": "1.31",
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
                        "containers": [
                            {
                                "name": "trainer",
                                "image": "nvcr.io/nvidia/pytorch:24.10-py3",
                                "resources": {"limits": {"nvidia.com/gpu": "8"}},
                            }
                        ],
                    },
                },
            },
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


# --- faults -------------------------------------------------------------------------------------


def step_of(plan: dict[str, Any], name: str) -> dict[str, Any]:
    for step in plan["steps"]:
        if step["urn"].endswith(f"::{name}"):
            return step["newState"]
    raise KeyError(name)


def drop(plan: dict[str, Any], name: str) -> None:
    plan["steps"] = [s for s in plan["steps"] if not s["urn"].endswith(f"::{name}")]


def set_override(types: list[str]) -> Callable[[dict], None]:
    def mutate(plan: dict) -> None:
        step_of(plan, "system")["inputs"]["mixedInstancesPolicy"]["launchTemplate"]["overrides"] = (
            _types(*types)
        )

    return mutate


def _asg_tag(plan: dict, group: str, key: str, value: str) -> None:
    step_of(plan, group)["inputs"]["tags"].append(
        {"key": key, "value": value, "propagateAtLaunch": True}
    )


def fault_ia_7_days(plan: dict) -> None:
    step_of(plan, "datasets-lifecycle")["inputs"]["rules"][0]["transitions"] = [
        {"days": 7.0, "storageClass": "STANDARD_IA"},
        {"days": 37.0, "storageClass": "GLACIER"},
    ]


def fault_spot_one_type(plan: dict) -> None:
    inputs = step_of(plan, "inference")["inputs"]
    inputs["mixedInstancesPolicy"]["launchTemplate"]["overrides"] = _types("g5.12xlarge")
    inputs["vpcZoneIdentifiers"] = ["subnet-inference-0"]


def fault_public_bucket(plan: dict) -> None:
    step_of(plan, "datasets-public-access")["inputs"]["blockPublicPolicy"] = False


def fault_gpu_in_cpu_pool(plan: dict) -> None:
    set_override(["m7i.xlarge", "g5.xlarge"])(plan)


def _expire_early(plan: dict) -> None:
    step_of(plan, "datasets-lifecycle")["inputs"]["rules"][0]["expiration"] = {"days": 60.0}


def _untag_bucket(plan: dict) -> None:
    del step_of(plan, "datasets")["inputs"]["tags"]["cost-center"]


def _quota(plan: dict) -> None:
    step_of(plan, "training")["inputs"]["maxSize"] = 20.0


def _swap_thresholds(plan: dict) -> None:
    step_of(plan, "edge-cache-euw1-cpu-out")["inputs"]["threshold"] = 30.0
    step_of(plan, "edge-cache-euw1-cpu-in")["inputs"]["threshold"] = 70.0


def _no_noncurrent(plan: dict) -> None:
    del step_of(plan, "datasets-lifecycle")["inputs"]["rules"][0]["noncurrentVersionExpiration"]


def _small_objects(size: float | None) -> Callable[[dict], None]:
    def mutate(plan: dict) -> None:
        inputs = step_of(plan, "datasets-lifecycle")["inputs"]
        inputs["transitionDefaultMinimumObjectSize"] = "varies_by_storage_class"
        rule = {
            "id": "checkpoints-ia",
            "status": "Enabled",
            "filter": {"prefix": "checkpoints/"}
            if size is None
            else {"and": {"prefix": "checkpoints/", "objectSizeGreaterThan": size}},
            "transitions": [{"days": 30.0, "storageClass": "STANDARD_IA"}],
            "expiration": {"days": 400.0},
            "noncurrentVersionExpiration": {"noncurrentDays": 30.0},
        }
        inputs["rules"].append(rule)

    return mutate


def _gpu_pod(plan: dict) -> None:
    spec = step_of(plan, "trainer")["inputs"]["spec"]["template"]["spec"]
    del spec["priorityClassName"]
    spec["containers"][0]["resources"] = {"requests": {"nvidia.com/gpu": "8"}}


def _time_slicing(plan: dict) -> None:
    data = step_of(plan, "device-plugin-config")["inputs"]["data"]
    data["shared"] = data["shared"].replace(
        "failRequestsGreaterThanOne: true", "failRequestsGreaterThanOne: false"
    )


def _imds(plan: dict) -> None:
    step_of(plan, "training-lt")["inputs"]["metadataOptions"]["httpTokens"] = "optional"


def _ebs(plan: dict) -> None:
    step_of(plan, "vector-data")["inputs"]["encrypted"] = False


def _ssh_world(plan: dict) -> None:
    step_of(plan, "nodes-sg")["inputs"]["ingress"][1]["cidrBlocks"] = ["0.0.0.0/0"]


def _eks_public(plan: dict) -> None:
    vpc = step_of(plan, "us-east-1-eks")["inputs"]["vpcConfig"]
    vpc["endpointPublicAccess"] = True
    vpc["publicAccessCidrs"] = ["0.0.0.0/0"]


def _nothing(plan: dict) -> None:
    return None


BUCKET = urn("aws:s3/bucket:Bucket", "datasets", COMPONENT)
LIFECYCLE = urn(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "datasets-lifecycle",
    COMPONENT,
)
ASG_URN = {
    n: urn("aws:autoscaling/group:Group", n, COMPONENT)
    for n in ("training", "inference", "system", "edge-cache-euw1")
}

# policy -> (positive mutation, negative mutation, (positive config, negative config) or None,
#            expected diagnostics of the positive plan)
FIXTURES: dict[str, tuple[Callable, Callable, dict | None, list[tuple[str, str]]]] = {
    "s3-lifecycle-transitions-valid": (
        fault_ia_7_days, _nothing, None,
        [(LIFECYCLE, "rule 'tiering': transition to STANDARD_IA after 7 days; S3 requires at least 30 days")],
    ),
    "s3-minimum-duration-trap": (
        _expire_early, _nothing, None,
        [(LIFECYCLE, "rule 'tiering': objects expire 23 days after entering GLACIER (day 60); GLACIER bills a minimum of 90 days")],
    ),
    "asg-spot-diversified": (
        fault_spot_one_type, _nothing, None,
        [
            (ASG_URN["inference"], "spot pool with role inference lists 1 instance type(s) (g5.12xlarge); required at least 10 interchangeable types (limit 10 for inference)"),
            (ASG_URN["inference"], "spot pool spans 1 Availability Zone(s); required at least 2"),
        ],
    ),
    "s3-public-access-blocked": (
        fault_public_bucket, _nothing, None,
        [(BUCKET, "public access block sets BlockPublicPolicy to false; required: true")],
    ),
    "gpu-types-in-gpu-pools": (
        fault_gpu_in_cpu_pool, _nothing, None,
        [(ASG_URN["system"], "GPU instance type g5.xlarge in a pool with role cpu; only training and inference pools take GPU types")],
    ),
    "budget-exists": (
        lambda p: drop(p, "monthly"), _nothing, None,
        [("", "no budget of BudgetType COST with LimitAmount > 0; found: none")],
    ),
    "required-cost-tags": (
        _untag_bucket, _nothing, None,
        [(BUCKET, "missing tag keys cost-center; required: team, cost-center, environment, service, aeon:stack")],
    ),
    "instance-families-approved": (
        set_override(["m7i.xlarge", "x2idn.16xlarge"]), _nothing, None,
        [(ASG_URN["system"], "instance type x2idn.16xlarge (family x2idn) is not approved for role cpu; approved: m5, m6i, m6a, m7i, m7a, r5, r6i, r6a, r7i, r7a, c5, c6i, c6a, c7i, c7a")],
    ),
    "on-demand-base-within-commitment": (
        _nothing, _nothing,
        ({"on-demand-base-within-commitment": {"pools": {"system": {"committed": 1, "role": "cpu"}}}},
         {"on-demand-base-within-commitment": {"pools": {"system": {"committed": 3, "role": "cpu"}}}}),
        [(ASG_URN["system"], "OnDemandBaseCapacity 3 exceeds the 1 instances committed for pool system")],
    ),
    "asg-max-within-family-quota": (
        _quota, _nothing, None,
        [
            (ASG_URN["training"], "MaxSize 20 exceeds the quota of 16 p4de instances"),
            (ASG_URN["training"], "MaxSize 20 exceeds the quota of 16 p5 instances"),
        ],
    ),
    "recommendation-enforced": (
        _nothing, _nothing,
        ({"recommendation-enforced": {"pools": {"system": {"allowed_instance_types": list(SYSTEM_TYPES[:9]), "max_size": 6, "generated_at": "2026-11-20", "source": "rightsizing"}}}},
         {"recommendation-enforced": {"pools": {"system": {"allowed_instance_types": list(SYSTEM_TYPES), "max_size": 10, "generated_at": "2026-11-20", "source": "rightsizing"}}}}),
        [
            (ASG_URN["system"], f"instance type m5.2xlarge is outside the allowed types {', '.join(SYSTEM_TYPES[:9])} (recommendation rightsizing of 2026-11-20)"),
            (ASG_URN["system"], "MaxSize 10 exceeds the recommended max_size 6 (recommendation rightsizing of 2026-11-20)"),
        ],
    ),
    "regions-allowed": (
        _nothing, _nothing,
        ({"regions-allowed": {"allowed_regions": ["us-east-1"]}},
         {"regions-allowed": {"allowed_regions": ["us-east-1", "eu-west-1"]}}),
        [(urn(t, n, COMPONENT), "region eu-west-1 is not allowed; allowed: us-east-1") for t, n in sorted([
            ("aws:autoscaling/group:Group", "edge-cache-euw1"),
            ("aws:autoscaling/policy:Policy", "edge-cache-euw1-scale-out"),
            ("aws:autoscaling/policy:Policy", "edge-cache-euw1-scale-in"),
            ("aws:cloudwatch/metricAlarm:MetricAlarm", "edge-cache-euw1-cpu-out"),
            ("aws:cloudwatch/metricAlarm:MetricAlarm", "edge-cache-euw1-cpu-in"),
        ])],
    ),
    "gpu-pools-regions-allowed": (
        _nothing, _nothing,
        ({"gpu-pools-regions-allowed": {"regions_by_role": {"inference": ["eu-west-1"]}}},
         {"gpu-pools-regions-allowed": {"regions_by_role": {"inference": ["us-east-1"]}}}),
        [(ASG_URN["inference"], "inference pool in region us-east-1; allowed for inference: eu-west-1")],
    ),
    "asg-scaling-sane": (
        _swap_thresholds, _nothing, None,
        [(ASG_URN["edge-cache-euw1"], "scale-out threshold 30 is not above scale-in threshold 70")],
    ),
    "off-hours-schedule": (
        lambda p: drop(p, "training-off-hours-down"), _nothing, None,
        [(ASG_URN["training"], "no recurring scale-down schedule for this group (role training, environment prod)")],
    ),
    "s3-data-bucket-lifecycle": (
        lambda p: drop(p, "datasets-lifecycle"), _nothing, None,
        [(BUCKET, "bucket has no lifecycle configuration (aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration)")],
    ),
    "s3-noncurrent-versions-expire": (
        _no_noncurrent, _nothing, None,
        [(LIFECYCLE, "no enabled rule sets NoncurrentVersionExpiration; noncurrent versions are kept forever")],
    ),
    "s3-small-object-transition": (
        _small_objects(None), _small_objects(131072.0), None,
        [(LIFECYCLE, "rule 'checkpoints-ia': moves objects to STANDARD_IA with TransitionDefaultMinimumObjectSize varies_by_storage_class but ObjectSizeGreaterThan is 0; the minimum is 131072 bytes")],
    ),
    "s3-encrypted": (
        lambda p: drop(p, "datasets-sse"), _nothing, None,
        [(BUCKET, "bucket has no server-side encryption configuration")],
    ),
    "k8s-gpu-namespace-quota": (
        lambda p: drop(p, "training-gpu-quota"), _nothing, None,
        [(urn("kubernetes:core/v1:Namespace", "training-ns", COMPONENT), "namespace 'training' can schedule GPUs but has no ResourceQuota on requests.nvidia.com/gpu")],
    ),
    "k8s-time-slicing-fail-multi-gpu": (
        _time_slicing, _nothing, None,
        [(urn("kubernetes:core/v1:ConfigMap", "device-plugin-config", COMPONENT), "time-slicing with 4 replicas sets failRequestsGreaterThanOne to false; required: true")],
    ),
    "k8s-gpu-pod-limits-priority": (
        _gpu_pod, _nothing, None,
        [
            (urn("kubernetes:apps/v1:Deployment", "trainer", COMPONENT), "container 'trainer' requests nvidia.com/gpu without a limit"),
            (urn("kubernetes:apps/v1:Deployment", "trainer", COMPONENT), "GPU pod has no priorityClassName"),
        ],
    ),
    "imdsv2-required": (
        _imds, _nothing, None,
        [(urn("aws:ec2/launchTemplate:LaunchTemplate", "training-lt", COMPONENT), "HttpTokens is optional; required: required (IMDSv2)")],
    ),
    "ebs-encrypted": (
        _ebs, _nothing, None,
        [(urn("aws:ebs/volume:Volume", "vector-data", COMPONENT), "Encrypted is false; required: true")],
    ),
    "no-open-admin-ports": (
        _ssh_world, _nothing, None,
        [(urn("aws:ec2/securityGroup:SecurityGroup", "nodes-sg", COMPONENT), "ingress opens port 22 to 0.0.0.0/0; admin ports must not be open to the world")],
    ),
    "eks-endpoint-not-public": (
        _eks_public, _nothing, None,
        [(urn("aws:eks/cluster:Cluster", "us-east-1-eks", COMPONENT), "EndpointPublicAccess is true with PublicAccessCidrs ['0.0.0.0/0']; the API is open to the world")],
    ),
}  # fmt: skip

# Fault plans named in the issue: the plan and the policy it must trigger.
FAULTS = {
    "fault-ia-7-days": (fault_ia_7_days, "s3-lifecycle-transitions-valid"),
    "fault-spot-one-type-one-az": (fault_spot_one_type, "asg-spot-diversified"),
    "fault-public-bucket": (fault_public_bucket, "s3-public-access-blocked"),
    "fault-gpu-in-cpu-pool": (fault_gpu_in_cpu_pool, "gpu-types-in-gpu-pools"),
}


def mutated(mutate: Callable[[dict], None]) -> dict[str, Any]:
    plan = copy.deepcopy(clean_plan())
    mutate(plan)
    return plan


def large_plan(copies: int) -> dict[str, Any]:
    """The clean plan's steps repeated under distinct names (benchmarks; one stack, one URN each)."""
    base = clean_plan()
    providers = [
        s for s in base["steps"] if s["urn"].split("::")[2].startswith("pulumi:providers:")
    ]
    others = [s for s in base["steps"] if s not in providers]
    text = json.dumps(others)
    steps = list(providers)
    for i in range(copies):
        copy_text = text
        for step in others:
            copy_text = copy_text.replace(f'"{step["urn"]}"', f'"{step["urn"]}-c{i}"')
        steps += json.loads(copy_text)
    return {**base, "steps": steps}


def files() -> dict[Path, Any]:
    out: dict[Path, Any] = {HERE / "plans" / "clean.json": clean_plan()}
    for name, (mutate, _) in FAULTS.items():
        out[HERE / "plans" / f"{name}.json"] = mutated(mutate)
    for policy, (positive, negative, config, expected) in FIXTURES.items():
        folder = HERE / "fixtures" / policy
        out[folder / "positive.json"] = mutated(positive)
        out[folder / "negative.json"] = mutated(negative)
        out[folder / "expected.json"] = [
            {"policy": policy, "urn": u, "message": m} for u, m in expected
        ]
        if config is not None:
            out[folder / "positive.config.json"] = config[0]
            out[folder / "negative.config.json"] = config[1]
    return out


def render(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_all() -> None:
    for path, data in files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(data))


if __name__ == "__main__":
    write_all()
