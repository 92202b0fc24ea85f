"""Every AWS enum value the stacks set is one the AWS API accepts: botocore's own service models.

Each row names a resource input (dotted path, `[]` for every list item), the AWS service and the
shape in that service's model whose `enum` lists the accepted values. A row whose path finds no
value in either stack fails too: the table must follow the code.
"""

from __future__ import annotations

from typing import Any

import botocore.loaders
import botocore.session
import pytest

from tests.components import component_runs as runs

ENUMS = [
    ("aws:cloudfront/distribution:Distribution",
     "origins[].customOriginConfig.originProtocolPolicy", "cloudfront", "OriginProtocolPolicy"),
    ("aws:cloudfront/distribution:Distribution",
     "origins[].customOriginConfig.originSslProtocols[]", "cloudfront", "SslProtocol"),
    ("aws:cloudfront/distribution:Distribution", "viewerCertificate.minimumProtocolVersion",
     "cloudfront", "MinimumProtocolVersion"),
    ("aws:cloudfront/distribution:Distribution", "viewerCertificate.sslSupportMethod",
     "cloudfront", "SSLSupportMethod"),
    ("aws:cloudfront/distribution:Distribution", "defaultCacheBehavior.viewerProtocolPolicy",
     "cloudfront", "ViewerProtocolPolicy"),
    ("aws:cloudfront/distribution:Distribution", "priceClass", "cloudfront", "PriceClass"),
    ("aws:lb/listener:Listener", "protocol", "elbv2", "ProtocolEnum"),
    ("aws:lb/targetGroup:TargetGroup", "protocol", "elbv2", "ProtocolEnum"),
    ("aws:lb/targetGroup:TargetGroup", "healthCheck.protocol", "elbv2", "ProtocolEnum"),
    ("aws:lb/targetGroup:TargetGroup", "targetType", "elbv2", "TargetTypeEnum"),
    ("aws:budgets/budget:Budget", "notifications[].notificationType", "budgets",
     "NotificationType"),
    ("aws:budgets/budget:Budget", "notifications[].comparisonOperator", "budgets",
     "ComparisonOperator"),
    ("aws:budgets/budget:Budget", "notifications[].thresholdType", "budgets", "ThresholdType"),
    ("aws:budgets/budget:Budget", "budgetType", "budgets", "BudgetType"),
    ("aws:budgets/budget:Budget", "timeUnit", "budgets", "TimeUnit"),
    ("aws:acm/certificate:Certificate", "validationMethod", "acm", "ValidationMethod"),
    ("aws:acm/certificate:Certificate", "keyAlgorithm", "acm", "KeyAlgorithm"),
    ("aws:route53/healthCheck:HealthCheck", "type", "route53", "HealthCheckType"),
    ("aws:route53/record:Record", "type", "route53", "RRType"),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "comparisonOperator", "cloudwatch",
     "ComparisonOperator"),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "statistic", "cloudwatch", "Statistic"),
    ("aws:ec2/placementGroup:PlacementGroup", "strategy", "ec2", "PlacementStrategy"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "metadataOptions.httpTokens", "ec2",
     "LaunchTemplateHttpTokensState"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "blockDeviceMappings[].ebs.volumeType", "ec2",
     "VolumeType"),
    ("aws:eks/addon:Addon", "resolveConflictsOnCreate", "eks", "ResolveConflicts"),
    ("aws:eks/addon:Addon", "resolveConflictsOnUpdate", "eks", "ResolveConflicts"),
]  # fmt: skip


def values_at(value: Any, path: list[str]) -> list[Any]:
    if not path:
        return [value]
    step, rest = path[0], path[1:]
    many = step.endswith("[]")
    key = step.removesuffix("[]")
    if not isinstance(value, dict) or key not in value:
        return []
    found = value[key]
    if many:
        return [v for item in found or [] for v in values_at(item, rest)]
    return values_at(found, rest)


@pytest.fixture(scope="module")
def models():
    loader = botocore.loaders.Loader()
    return lambda service: loader.load_service_model(service, "service-2")


@pytest.mark.parametrize(("type_", "path", "service", "shape"), ENUMS)
def test_aws_accepts_every_enum_value_we_set(models, type_, path, service, shape) -> None:
    accepted = models(service)["shapes"][shape]["enum"]
    seen = []
    for stack in ("prod", "dev"):
        for resource in runs.of_type(runs.stack_run(stack), type_):
            for value in values_at(resource.inputs, path.split(".")):
                seen.append(value)
                assert value in accepted, f"{stack} {resource.name} {path}={value!r}"
    assert seen, f"no {type_} sets {path}: update the table"


# Inputs the provider handles itself rather than sending them to the EC2 request.
PROVIDER_ONLY = {"tags", "autoAccept", "region"}
REQUESTS = [
    ("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "CreateVpcPeeringConnection"),
    ("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
     "AcceptVpcPeeringConnection"),
    ("aws:ec2/route:Route", "CreateRoute"),
]  # fmt: skip


@pytest.mark.parametrize(("type_", "operation"), REQUESTS)
def test_peering_and_route_inputs_are_members_of_their_ec2_request(models, type_, operation):
    ec2 = models("ec2")
    members = set(ec2["shapes"][ec2["operations"][operation]["input"]["shape"]]["members"])
    resources = runs.of_type(runs.stack_run("prod"), type_)
    assert resources
    for resource in resources:
        sent = {k[0].upper() + k[1:] for k in resource.inputs if k not in PROVIDER_ONLY}
        assert sent <= members, f"{resource.name}: {sorted(sent - members)} not in {operation}"


def test_every_peer_region_offers_ec2_and_differs_from_the_requester() -> None:
    ec2_regions = set(botocore.session.get_session().get_available_regions("ec2"))
    run = runs.stack_run("prod")
    connections = runs.of_type(run, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    assert connections
    for connection in connections:
        assert connection.inputs["peerRegion"] in ec2_regions
        assert connection.inputs["peerRegion"] != connection.region
