"""Resource kinds the cost model knows: priced kinds register a pricer, free kinds a reason.

    @priced("aws:ec2/natGateway:NatGateway", usage={"monthly_data_processed_gb": NUMBER})
    def nat_gateway(q: Quote) -> None: ...

A type neither priced nor free is listed under `unpriced`, never counted as zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from optimizers.costing.quote import Quote
from optimizers.costing.usage import Schema

Pricer = Callable[[Quote], None]


@dataclass(frozen=True)
class Kind:
    types: tuple[str, ...]
    price: Pricer
    usage: Schema


PRICED: dict[str, Kind] = {}


def priced(*types: str, usage: Schema | None = None) -> Callable[[Pricer], Pricer]:
    def register(fn: Pricer) -> Pricer:
        kind = Kind(types, fn, usage or {})
        for token in types:
            if token in PRICED:
                raise ValueError(f"{token} is priced twice")
            PRICED[token] = kind
        return fn

    return register


LAUNCHED = "priced through the autoscaling group, node group or instance that launches it"
CONFIG = "configuration of a priced resource: no charge of its own"
KUBERNETES = (
    "runs on the node pools priced with their autoscaling groups; AWS resources it may create "
    "outside the plan (a LoadBalancer Service, volumes of a chart) are not in the plan"
)
# Types with no charge of their own (AWS bills nothing for them, or bills through another).
FREE: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "VPCs are free",
    "aws:ec2/subnet:Subnet": "subnets are free",
    "aws:ec2/routeTable:RouteTable": "route tables are free",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": CONFIG,
    "aws:ec2/route:Route": CONFIG,
    "aws:ec2/internetGateway:InternetGateway": "internet gateways are free (data transfer is not)",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": (
        "peering connections have no hourly charge; data across AZs or regions is billed per GB "
        "(usage, not estimated)"
    ),
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": (
        "the accepter's side of a peering connection: no charge of its own"
    ),
    "aws:ec2/vpcPeeringConnectionOptions:VpcPeeringConnectionOptions": CONFIG,
    "aws:ec2/securityGroup:SecurityGroup": "security groups are free",
    "aws:ec2/securityGroupRule:SecurityGroupRule": CONFIG,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": CONFIG,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": CONFIG,
    "aws:ec2/eipAssociation:EipAssociation": CONFIG,
    "aws:ec2/volumeAttachment:VolumeAttachment": "attaching is free; the volume is priced itself",
    "aws:ec2/keyPair:KeyPair": "key pairs are free",
    "aws:ec2/networkAcl:NetworkAcl": "network ACLs are free",
    "aws:ec2/networkAclRule:NetworkAclRule": CONFIG,
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": CONFIG,
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": CONFIG,
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": CONFIG,
    "aws:ec2/launchTemplate:LaunchTemplate": LAUNCHED,
    "aws:ec2/launchConfiguration:LaunchConfiguration": LAUNCHED,
    "aws:ec2/placementGroup:PlacementGroup": "placement groups are free",
    "aws:autoscaling/policy:Policy": CONFIG,
    "aws:autoscaling/schedule:Schedule": CONFIG,
    "aws:autoscaling/attachment:Attachment": CONFIG,
    "aws:autoscaling/lifecycleHook:LifecycleHook": CONFIG,
    "aws:eks/accessEntry:AccessEntry": CONFIG,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": CONFIG,
    "aws:eks/addon:Addon": "EKS add-ons are free (they run on the nodes)",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": CONFIG,
    "aws:iam/role:Role": "IAM is free",
    "aws:iam/rolePolicy:RolePolicy": "IAM is free",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is free",
    "aws:iam/policy:Policy": "IAM is free",
    "aws:iam/instanceProfile:InstanceProfile": "IAM is free",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "IAM is free",
    "aws:elasticache/parameterGroup:ParameterGroup": CONFIG,
    "aws:elasticache/subnetGroup:SubnetGroup": CONFIG,
    "aws:lb/listener:Listener": CONFIG,
    "aws:lb/listenerRule:ListenerRule": CONFIG,
    "aws:lb/targetGroup:TargetGroup": CONFIG,
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": CONFIG,
    "aws:alb/listener:Listener": CONFIG,
    "aws:alb/targetGroup:TargetGroup": CONFIG,
    "aws:cloudfront/cachePolicy:CachePolicy": CONFIG,
    "aws:cloudfront/originAccessControl:OriginAccessControl": CONFIG,
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": CONFIG,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": CONFIG,
    "aws:cloudwatch/eventRule:EventRule": "rules on AWS service events are free",
    "aws:cloudwatch/eventTarget:EventTarget": CONFIG,
    "aws:cloudwatch/dashboard:Dashboard": "the first three dashboards are free (not counted)",
    "aws:sqs/queuePolicy:QueuePolicy": CONFIG,
    "aws:sns/topicPolicy:TopicPolicy": CONFIG,
    "aws:sns/topicSubscription:TopicSubscription": "deliveries are priced on the topic",
    "aws:kms/alias:Alias": "aliases are free",
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": CONFIG,
    "aws:budgets/budget:Budget": "budgets without actions are free",
}
S3_CONFIG_TYPES = (
    "bucketLifecycleConfiguration", "bucketLifecycleConfigurationV2", "bucketPublicAccessBlock",
    "bucketServerSideEncryptionConfiguration", "bucketServerSideEncryptionConfigurationV2",
    "bucketVersioning", "bucketVersioningV2", "bucketPolicy", "bucketOwnershipControls",
    "bucketNotification", "bucketCorsConfiguration", "bucketCorsConfigurationV2",
)  # fmt: skip
for _name in S3_CONFIG_TYPES:
    FREE[f"aws:s3/{_name}:{_name[0].upper()}{_name[1:]}"] = "configuration of a priced bucket"


def free_reason(type_: str) -> str | None:
    if type_ in FREE:
        return FREE[type_]
    if type_.startswith("kubernetes:"):
        return KUBERNETES
    return None
