"""Plan fixtures of the cost model, one per priced resource kind, in `pulumi preview --json`'s
format (docs/pulumi-offline-engine.md#preview-json-plans): steps with `op`, `urn`, `provider`
and a `newState` holding `type`, `parent`, `provider`, `inputs`, `dependencies` and
`propertyDependencies`. A reference to another resource
created in the same preview is the engine's unknown sentinel, with the property dependency
naming the resource it comes from (as the real CLI prints a launch template id it cannot know).

`python -m tests.costing.plans` rewrites tests/costing/fixtures/*.json; a test checks they are
current. Property names follow the pulumi-aws 7.51 and pulumi-kubernetes 4.34 schemas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STACK, PROJECT = "costfix", "aeon-infra"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
FIXTURES = Path(__file__).parent / "fixtures"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
COMPONENT_TYPE = "aeon:index:Fixture"


def urn(type_: str, name: str, component: bool = True) -> str:
    chain = f"{COMPONENT_TYPE}${type_}" if component else type_
    return f"urn:pulumi:{STACK}::{PROJECT}::{chain}::{name}"


COMPONENT_URN = urn(COMPONENT_TYPE, "fixture", component=False)


def provider_urn(region: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws::{region}"


def provider_ref(region: str) -> str:
    return f"{provider_urn(region)}::{UNKNOWN}"


class Plan:
    def __init__(self, *regions: str):
        self.steps: list[dict[str, Any]] = [
            self._step(STACK_URN, "pulumi:pulumi:Stack", custom=False),
            self._step(COMPONENT_URN, COMPONENT_TYPE, custom=False, parent=STACK_URN),
        ]
        for region in regions or ("us-east-1",):
            self.steps.append(
                self._step(
                    provider_urn(region),
                    "pulumi:providers:aws",
                    parent=STACK_URN,
                    inputs={"region": region, "version": "7.51.0"},
                )
            )

    @staticmethod
    def _step(
        urn_: str,
        type_: str,
        *,
        custom: bool = True,
        parent: str | None = None,
        inputs: dict | None = None,
        provider: str | None = None,
        op: str = "create",
        refs: dict[str, list[str]] | None = None,
    ) -> dict[str, Any]:
        state: dict[str, Any] = {"urn": urn_, "custom": custom, "type": type_}
        if parent:
            state["parent"] = parent
        if provider:
            state["provider"] = provider
        if inputs is not None:
            state["inputs"] = inputs
        if custom and not type_.startswith("pulumi:providers:"):
            refs = refs or {}
            state["dependencies"] = sorted({u for urns in refs.values() for u in urns})
            state["propertyDependencies"] = {k: refs.get(k, []) for k in sorted(inputs or {})}
        step = {"op": op, "urn": urn_, "newState": state}
        if provider:
            step["provider"] = provider
        return step

    def add(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        *,
        region: str = "us-east-1",
        refs: dict[str, list[str]] | None = None,
        op: str = "create",
    ) -> str:
        resource_urn = urn(type_, name)
        self.steps.append(
            self._step(
                resource_urn,
                type_,
                parent=COMPONENT_URN,
                inputs=inputs,
                provider=provider_ref(region),
                op=op,
                refs=refs,
            )
        )
        return resource_urn

    def document(self, config: dict[str, Any] | None = None) -> dict[str, Any]:
        ops: dict[str, int] = {}
        for step in self.steps:
            ops[step["op"]] = ops.get(step["op"], 0) + 1
        return {
            "config": config or {},
            "steps": self.steps,
            "diagnostics": [],
            "changeSummary": ops,
        }


def launch_template(plan: Plan, name: str, **inputs: Any) -> str:
    return plan.add("aws:ec2/launchTemplate:LaunchTemplate", name, inputs)


def autoscaling_group() -> dict:
    plan = Plan()
    lt = launch_template(
        plan,
        "gpu",
        imageId="ami-0abc",
        monitoring={"enabled": True},
        blockDeviceMappings=[
            {
                "deviceName": "/dev/xvda",
                "ebs": {
                    "volumeSize": 200.0,
                    "volumeType": "gp3",
                    "iops": 4000.0,
                    "throughput": 250.0,
                },
            }
        ],
    )
    plan.add(
        "aws:autoscaling/group:Group",
        "inference",
        {
            "desiredCapacity": 5.0,
            "minSize": 1.0,
            "maxSize": 8.0,
            "mixedInstancesPolicy": {
                "instancesDistribution": {
                    "onDemandBaseCapacity": 1.0,
                    "onDemandPercentageAboveBaseCapacity": 50.0,
                    "spotAllocationStrategy": "price-capacity-optimized",
                },
                "launchTemplate": {
                    "launchTemplateSpecification": {
                        "launchTemplateId": UNKNOWN,
                        "version": UNKNOWN,
                    },
                    "overrides": [
                        {"instanceType": "g6e.12xlarge", "weightedCapacity": "1"},
                        {"instanceType": "g6e.24xlarge", "weightedCapacity": "2"},
                    ],
                },
            },
            "tags": [{"key": "aeon:pool", "value": "inference", "propagateAtLaunch": True}],
            "vpcZoneIdentifiers": [UNKNOWN, UNKNOWN],
        },
        refs={"mixedInstancesPolicy": [lt]},
    )
    plan.add(
        "aws:autoscaling/group:Group",
        "cpu",
        {
            "desiredCapacity": 12.0,
            "minSize": 2.0,
            "maxSize": 10.0,
            "launchTemplate": {"id": UNKNOWN, "version": "$Latest"},
        },
        refs={"launchTemplate": [launch_template(plan, "cpu", instanceType="m7i.xlarge")]},
    )
    return plan.document()


def ec2_instance() -> dict:
    plan = Plan()
    plan.add(
        "aws:ec2/instance:Instance", "bastion", {"instanceType": "t3.large", "ami": "ami-0abc"}
    )
    plan.add(
        "aws:ec2/instance:Instance",
        "legacy",
        {
            "instanceType": "r3.xlarge",
            "ami": "ami-0abc",
            "ebsOptimized": True,
            "monitoring": True,
            "rootBlockDevice": {"volumeSize": 50.0, "volumeType": "gp3"},
            "ebsBlockDevices": [
                {"deviceName": "/dev/sdf", "volumeSize": 100.0, "volumeType": "io1", "iops": 1000.0}
            ],
        },
    )
    return plan.document()


def eks_cluster() -> dict:
    plan = Plan()
    plan.add(
        "aws:eks/cluster:Cluster",
        "current",
        {"version": "1.34", "roleArn": UNKNOWN, "vpcConfig": {"subnetIds": [UNKNOWN]}},
    )
    plan.add("aws:eks/cluster:Cluster", "old", {"version": "1.30", "roleArn": UNKNOWN})
    plan.add(
        "aws:eks/cluster:Cluster",
        "old-standard-policy",
        {"version": "1.30", "upgradePolicy": {"supportType": "STANDARD"}},
    )
    return plan.document()


def eks_node_group() -> dict:
    plan = Plan()
    lt = launch_template(
        plan,
        "nodes",
        instanceType="m7i.xlarge",
        blockDeviceMappings=[
            {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100.0, "volumeType": "gp3"}}
        ],
    )
    plan.add(
        "aws:eks/nodeGroup:NodeGroup",
        "with-template",
        {
            "clusterName": UNKNOWN,
            "nodeRoleArn": UNKNOWN,
            "subnetIds": [UNKNOWN],
            "launchTemplate": {"id": UNKNOWN, "version": UNKNOWN},
            "scalingConfig": {"desiredSize": 2.0, "minSize": 1.0, "maxSize": 4.0},
        },
        refs={"launchTemplate": [lt]},
    )
    plan.add(
        "aws:eks/nodeGroup:NodeGroup",
        "spot",
        {
            "clusterName": UNKNOWN,
            "nodeRoleArn": UNKNOWN,
            "subnetIds": [UNKNOWN],
            "instanceTypes": ["m5.large"],
            "capacityType": "SPOT",
            "diskSize": 50.0,
            "scalingConfig": {"desiredSize": 3.0, "minSize": 1.0, "maxSize": 6.0},
        },
    )
    return plan.document()


def ebs_volumes() -> dict:
    plan = Plan()
    plan.add(
        "aws:ebs/volume:Volume",
        "fast",
        {
            "availabilityZone": "us-east-1a",
            "size": 1000.0,
            "type": "gp3",
            "iops": 6000.0,
            "throughput": 500.0,
        },
    )
    plan.add(
        "aws:ebs/volume:Volume",
        "db",
        {"availabilityZone": "us-east-1a", "size": 500.0, "type": "io2", "iops": 40000.0},
    )
    plan.add(
        "aws:ebs/volume:Volume",
        "magnetic",
        {"availabilityZone": "us-east-1a", "size": 100.0, "type": "standard"},
    )
    plan.add(
        "aws:ebs/volume:Volume",
        "archive",
        {"availabilityZone": "us-east-1a", "size": 2000.0, "type": "sc1"},
    )
    plan.add(
        "aws:ec2/volumeAttachment:VolumeAttachment",
        "fast-on-db-host",
        {"deviceName": "/dev/sdf", "instanceId": "i-0123456789abcdef0", "volumeId": UNKNOWN},
        refs={"volumeId": [urn("aws:ebs/volume:Volume", "fast")]},
    )
    return plan.document()


def s3_bucket() -> dict:
    plan = Plan()
    plan.add("aws:s3/bucket:Bucket", "datasets", {"tags": {"team": "ml-platform"}})
    return plan.document()


def networking() -> dict:
    plan = Plan("us-east-1", "sa-east-1")
    eip = plan.add("aws:ec2/eip:Eip", "nat-ip", {"domain": "vpc"})
    plan.add(
        "aws:ec2/natGateway:NatGateway",
        "nat",
        {"allocationId": UNKNOWN, "subnetId": UNKNOWN},
        refs={"allocationId": [eip]},
    )
    plan.add(
        "aws:lb/loadBalancer:LoadBalancer",
        "web",
        {"loadBalancerType": "application", "subnets": [UNKNOWN, UNKNOWN]},
    )
    plan.add(
        "aws:lb/loadBalancer:LoadBalancer",
        "tcp",
        {"loadBalancerType": "network", "subnets": [UNKNOWN]},
    )
    plan.add(
        "aws:elb/loadBalancer:LoadBalancer",
        "classic",
        {
            "subnets": [UNKNOWN],
            "listeners": [
                {
                    "instancePort": 80.0,
                    "instanceProtocol": "http",
                    "lbPort": 80.0,
                    "lbProtocol": "http",
                }
            ],
        },
    )
    plan.add(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "s3",
        {
            "serviceName": "com.amazonaws.us-east-1.s3",
            "vpcEndpointType": "Gateway",
            "vpcId": UNKNOWN,
        },
    )
    plan.add(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "ecr",
        {
            "serviceName": "com.amazonaws.us-east-1.ecr.dkr",
            "vpcEndpointType": "Interface",
            "vpcId": UNKNOWN,
            "subnetIds": [UNKNOWN, UNKNOWN, UNKNOWN],
        },
    )
    plan.add(
        "aws:ec2/natGateway:NatGateway",
        "edge-nat",
        {"allocationId": UNKNOWN, "subnetId": UNKNOWN},
        region="sa-east-1",
    )
    plan.add(
        "aws:lb/loadBalancer:LoadBalancer",
        "edge-tcp",
        {"loadBalancerType": "network"},
        region="sa-east-1",
    )
    return plan.document()


def elasticache() -> dict:
    plan = Plan()
    plan.add(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "embeddings",
        {
            "description": "e",
            "engine": "redis",
            "nodeType": "cache.m7g.large",
            "numCacheClusters": 2.0,
        },
    )
    plan.add(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "sharded",
        {
            "description": "s",
            "engine": "redis",
            "nodeType": "cache.r7g.large",
            "numNodeGroups": 3.0,
            "replicasPerNodeGroup": 1.0,
        },
    )
    plan.add(
        "aws:elasticache/cluster:Cluster",
        "sessions",
        {"engine": "memcached", "nodeType": "cache.m7g.large", "numCacheNodes": 3.0},
    )
    plan.add(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "valkey",
        {"description": "v", "engine": "valkey", "nodeType": "cache.m7g.large"},
    )
    return plan.document()


def dns_and_cdn() -> dict:
    plan = Plan()
    zone = plan.add("aws:route53/zone:Zone", "api", {"name": "api.example.com"})
    lb = plan.add("aws:lb/loadBalancer:LoadBalancer", "origin", {"loadBalancerType": "network"})
    check = plan.add(
        "aws:route53/healthCheck:HealthCheck",
        "origin",
        {
            "fqdn": UNKNOWN,
            "port": 443.0,
            "type": "HTTPS",
            "resourcePath": "/health",
            "requestInterval": 10.0,
            "measureLatency": True,
            "failureThreshold": 3.0,
        },
        refs={"fqdn": [lb]},
    )
    plan.add(
        "aws:route53/record:Record",
        "alias",
        {
            "zoneId": UNKNOWN,
            "name": "api.example.com",
            "type": "A",
            "healthCheckId": UNKNOWN,
            "aliases": [{"name": UNKNOWN, "zoneId": UNKNOWN, "evaluateTargetHealth": True}],
        },
        refs={"zoneId": [zone], "healthCheckId": [check], "aliases": [lb]},
    )
    plan.add(
        "aws:route53/record:Record",
        "www",
        {
            "zoneId": UNKNOWN,
            "name": "www.example.com",
            "type": "CNAME",
            "ttl": 300.0,
            "records": ["example.com"],
            "latencyRoutingPolicies": [{"region": "us-east-1"}],
            "setIdentifier": "use1",
        },
        refs={"zoneId": [zone]},
    )
    plan.add(
        "aws:cloudfront/distribution:Distribution",
        "cdn",
        {
            "enabled": True,
            "priceClass": "PriceClass_All",
            "origins": [{"domainName": UNKNOWN, "originId": "api"}],
            "defaultCacheBehavior": {
                "targetOriginId": "api",
                "viewerProtocolPolicy": "https-only",
                "allowedMethods": ["GET", "HEAD"],
                "cachedMethods": ["GET", "HEAD"],
            },
            "restrictions": {"geoRestriction": {"restrictionType": "none"}},
            "viewerCertificate": {"cloudfrontDefaultCertificate": True},
        },
        refs={"origins": [lb]},
    )
    return plan.document()


def monitoring_and_messaging() -> dict:
    plan = Plan()
    alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"
    plan.add(
        alarm,
        "cpu",
        {
            "comparisonOperator": "GreaterThanThreshold",
            "evaluationPeriods": 2.0,
            "metricName": "CPUUtilization",
            "namespace": "AWS/EC2",
            "period": 300.0,
            "statistic": "Average",
            "threshold": 80.0,
        },
    )
    plan.add(
        alarm,
        "fast",
        {
            "comparisonOperator": "GreaterThanThreshold",
            "evaluationPeriods": 3.0,
            "metricName": "Latency",
            "namespace": "App",
            "period": 10.0,
            "statistic": "Average",
            "threshold": 1.0,
        },
    )
    plan.add(
        alarm,
        "math",
        {
            "comparisonOperator": "GreaterThanThreshold",
            "evaluationPeriods": 1.0,
            "threshold": 100.0,
            "metricQueries": [
                {
                    "id": "a",
                    "metric": {
                        "metricName": "A",
                        "namespace": "App",
                        "period": 60.0,
                        "stat": "Sum",
                    },
                },
                {
                    "id": "b",
                    "metric": {
                        "metricName": "B",
                        "namespace": "App",
                        "period": 60.0,
                        "stat": "Sum",
                    },
                },
                {"id": "e", "expression": "a/b", "returnData": True},
            ],
        },
    )
    plan.add(
        alarm,
        "anomaly",
        {
            "comparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold",
            "evaluationPeriods": 2.0,
            "thresholdMetricId": "band",
            "metricQueries": [
                {
                    "id": "m",
                    "metric": {
                        "metricName": "Requests",
                        "namespace": "App",
                        "period": 300.0,
                        "stat": "Sum",
                    },
                },
                {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m)"},
            ],
        },
    )
    plan.add("aws:kms/key:Key", "secrets", {"enableKeyRotation": True})
    plan.add("aws:sqs/queue:Queue", "events", {"messageRetentionSeconds": 300.0})
    plan.add("aws:sqs/queue:Queue", "ordered.fifo", {"fifoQueue": True})
    plan.add("aws:sns/topic:Topic", "alerts", {})
    return plan.document()


def kubernetes_volumes() -> dict:
    plan = Plan()
    sc = plan.add(
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "fast",
        {
            "metadata": {"name": "fast"},
            "provisioner": "ebs.csi.aws.com",
            "parameters": {"type": "gp3", "iops": "4000"},
        },
    )
    plan.add(
        "kubernetes:apps/v1:StatefulSet",
        "store",
        {
            "metadata": {"name": "store"},
            "spec": {
                "replicas": 3.0,
                "serviceName": "store",
                "selector": {"matchLabels": {"app": "store"}},
                "template": {},
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "storageClassName": "fast",
                            "resources": {"requests": {"storage": "50Gi"}},
                        },
                    }
                ],
            },
        },
        refs={"spec": [sc]},
    )
    plan.add(
        "kubernetes:core/v1:PersistentVolumeClaim",
        "scratch",
        {
            "metadata": {"name": "scratch"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "fast",
                "resources": {"requests": {"storage": "500G"}},
            },
        },
    )
    plan.add(
        "kubernetes:core/v1:Service",
        "public",
        {
            "metadata": {"name": "public"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 443.0}]},
        },
    )
    plan.add(
        "kubernetes:core/v1:Service",
        "internal",
        {
            "metadata": {"name": "internal"},
            "spec": {"type": "ClusterIP", "ports": [{"port": 80.0}]},
        },
    )
    return plan.document()


BUILDERS = {
    "autoscaling-group": autoscaling_group,
    "ec2-instance": ec2_instance,
    "eks-cluster": eks_cluster,
    "eks-node-group": eks_node_group,
    "ebs-volumes": ebs_volumes,
    "s3-bucket": s3_bucket,
    "networking": networking,
    "elasticache": elasticache,
    "dns-and-cdn": dns_and_cdn,
    "monitoring-and-messaging": monitoring_and_messaging,
    "kubernetes-volumes": kubernetes_volumes,
}


def render(name: str) -> str:
    return json.dumps(BUILDERS[name](), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    FIXTURES.mkdir(exist_ok=True)
    for fixture in BUILDERS:
        (FIXTURES / f"{fixture}.json").write_text(render(fixture))
    print(f"wrote {len(BUILDERS)} plans to {FIXTURES}")
