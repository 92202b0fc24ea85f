"""What AWS and Kubernetes would answer: invoke results and the computed outputs of resources.

Offline, a missing output is unknown during preview and every input that depends on it is lost
(docs/pulumi-offline-engine.md#invokes-and-computed-outputs), so each answer here mirrors the
shape the real provider returns. Values are derived from the URN, so repeated runs are identical.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

ACCOUNT_ID = "123456789012"

# EC2-style id prefixes by resource token (what `id` looks like in AWS).
_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:kms/key:Key": "key",
}


class UnansweredInvoke(Exception):
    """The program called a function the offline engine cannot answer like AWS would."""


def digest(text: str, length: int = 17) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


# ---- invokes ---------------------------------------------------------------------------------


@cache
def _moto_zones(region: str) -> tuple[list[str], list[str]]:
    """Availability zone names and ids from moto's offerings data (real AWS zones)."""
    base = resources.files("moto.ec2.resources.instance_type_offerings")

    def locations(kind: str) -> list[str]:
        path = base / kind / f"{region}.json.gz"
        if not path.is_file():
            return []
        return sorted({row["Location"] for row in json.loads(gzip.decompress(path.read_bytes()))})

    return locations("availability-zone"), locations("availability-zone-id")


def availability_zones(args: dict[str, Any], region: str) -> dict[str, Any]:
    names, ids = _moto_zones(region)
    if not names:  # a region moto does not know: AWS's usual a/b/c naming
        names = [f"{region}{suffix}" for suffix in "abc"]
        ids = [f"{region}-az{i}" for i in range(1, 4)]
    return {
        "id": region,
        "region": region,
        "names": names,
        "zoneIds": ids[: len(names)],
        "groupNames": [region] * len(names),
        "state": args.get("state"),
        "allAvailabilityZones": args.get("allAvailabilityZones"),
    }


def policy_document(args: dict[str, Any], _region: str) -> dict[str, Any]:
    statements = []
    for st in args.get("statements") or []:
        statement: dict[str, Any] = {"Effect": st.get("effect") or "Allow"}
        if st.get("sid"):
            statement["Sid"] = st["sid"]
        if st.get("actions"):
            statement["Action"] = _one_or_many(st["actions"])
        if st.get("resources"):
            statement["Resource"] = _one_or_many(st["resources"])
        if st.get("principals"):
            statement["Principal"] = {
                p["type"]: _one_or_many(p["identifiers"]) for p in st["principals"]
            }
        for cond in st.get("conditions") or []:
            statement.setdefault("Condition", {}).setdefault(cond["test"], {})[cond["variable"]] = (
                _one_or_many(cond["values"])
            )
        statements.append(statement)
    document = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    minified = json.dumps(document, separators=(",", ":"))
    return {
        "id": digest(minified, 10),
        "json": json.dumps(document, indent=2),
        "minifiedJson": minified,
        "statements": args.get("statements") or [],
    }


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def ssm_parameter(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = args["name"]
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter{name}",
        "type": "String",
        "value": f"ami-{digest(region + name)}",  # EKS-optimized AMI ids are what these hold
        "insecureValue": f"ami-{digest(region + name)}",
        "version": 1,
        "withDecryption": args.get("withDecryption", True),
    }


def cluster_auth(args: dict[str, Any], _region: str) -> dict[str, Any]:
    return {
        "id": args["name"],
        "name": args["name"],
        "token": f"k8s-aws-v1.{digest(args['name'], 40)}",
    }


def caller_identity(_args: dict[str, Any], _region: str) -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/aeon-offline",
        "userId": "AIDAOFFLINE",
    }


def current_region(_args: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
    }


def partition(_args: dict[str, Any], _region: str) -> dict[str, Any]:
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


def no_manifests(_args: dict[str, Any], _region: str) -> dict[str, Any]:
    # Charts and manifests are not available offline: Helm releases are plain resources instead.
    return {"result": []}


INVOKES: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": availability_zones,
    "aws:iam/getPolicyDocument:getPolicyDocument": policy_document,
    "aws:ssm/getParameter:getParameter": ssm_parameter,
    "aws:eks/getClusterAuth:getClusterAuth": cluster_auth,
    "aws:index/getCallerIdentity:getCallerIdentity": caller_identity,
    "aws:index/getRegion:getRegion": current_region,
    "aws:index/getPartition:getPartition": partition,
    "kubernetes:helm:template": no_manifests,
    "kubernetes:yaml:decode": no_manifests,
}


def answer_invoke(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    handler = INVOKES.get(token)
    if handler is None:
        raise UnansweredInvoke(
            f"the offline engine has no answer for invoke {token!r}; add one to "
            "aeon/engine/answers.py INVOKES (returning what AWS returns)"
        )
    return handler(args, region)


# ---- computed outputs ------------------------------------------------------------------------


def physical_name(logical: str, urn: str) -> str:
    """Pulumi's auto-naming: the logical name plus a random-looking 7-character suffix."""
    return f"{logical}-{digest(urn, 7)}"


def resource_id(token: str, logical: str, urn: str) -> str:
    prefix = _ID_PREFIX.get(token)
    return f"{prefix}-{digest(urn)}" if prefix else physical_name(logical, urn)


def _service(token: str) -> str:
    module = token.split(":")[1].split("/")[0]
    return {"index": "aws"}.get(module, module)


def computed_outputs(
    token: str, logical: str, urn: str, inputs: dict[str, Any], region: str
) -> dict[str, Any]:
    """Outputs AWS/Kubernetes compute at create time, merged over the inputs."""
    out = dict(inputs)
    if token.startswith("kubernetes:"):
        meta = dict(out.get("metadata") or {})
        meta.setdefault("name", physical_name(logical, urn)[:63])
        meta.setdefault("uid", digest(urn, 32))
        out["metadata"] = meta
        return out
    if not token.startswith("aws:"):
        return out
    name = out.get("name") or physical_name(logical, urn)
    service = _service(token)
    out.setdefault("name", name)
    out.setdefault("arn", f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{logical}/{name}")
    out.setdefault("tagsAll", out.get("tags") if isinstance(out.get("tags"), dict) else {})
    extra = _EXTRA_OUTPUTS.get(token)
    if extra:
        for key, value in extra(out, region, urn).items():
            given = inputs.get(key)
            if isinstance(given, dict) and isinstance(value, dict):
                out[key] = {**value, **given}  # nested outputs (vpcConfig.clusterSecurityGroupId)
            elif key not in inputs:
                out[key] = value
    return out


def _eks_cluster(out: dict[str, Any], region: str, urn: str) -> dict[str, Any]:
    oidc = digest(urn, 32).upper()
    return {
        "endpoint": f"https://{oidc}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="},
        "identities": [
            {"oidcs": [{"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{oidc}"}]}
        ],
        "status": "ACTIVE",
        "platformVersion": "eks.1",
        "clusterId": digest(urn, 36),
        "vpcConfig": {
            "clusterSecurityGroupId": f"sg-{digest(urn + 'sg')}",
            "vpcId": f"vpc-{digest(urn + 'vpc')}",
        },
    }


def _s3_bucket(out: dict[str, Any], region: str, urn: str) -> dict[str, Any]:
    bucket = out.get("bucket") or out["name"]
    return {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
        "region": region,
        "hostedZoneId": "Z3AQBSTGFYJSTF",
    }


def _launch_template(out: dict[str, Any], _region: str, _urn: str) -> dict[str, Any]:
    return {"latestVersion": 1, "defaultVersion": 1}


def _iam_role(out: dict[str, Any], _region: str, urn: str) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{out['name']}",
        "uniqueId": f"AROA{digest(urn, 17).upper()}",
    }


def _iam_policy(out: dict[str, Any], _region: str, _urn: str) -> dict[str, Any]:
    return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:policy/{out['name']}"}


def _oidc_provider(out: dict[str, Any], _region: str, _urn: str) -> dict[str, Any]:
    url = str(out.get("url", "")).removeprefix("https://")
    return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{url}"}


def _sqs_queue(out: dict[str, Any], region: str, _urn: str) -> dict[str, Any]:
    return {
        "url": f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{out['name']}",
        "arn": f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{out['name']}",
    }


def _sns_topic(out: dict[str, Any], region: str, _urn: str) -> dict[str, Any]:
    return {"arn": f"arn:aws:sns:{region}:{ACCOUNT_ID}:{out['name']}"}


def _kms_key(out: dict[str, Any], region: str, urn: str) -> dict[str, Any]:
    key_id = str(digest(urn, 32))
    return {"keyId": key_id, "arn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key_id}"}


def _vpc(out: dict[str, Any], _region: str, urn: str) -> dict[str, Any]:
    return {
        "defaultSecurityGroupId": f"sg-{digest(urn + 'default')}",
        "mainRouteTableId": f"rtb-{digest(urn + 'main')}",
        "defaultRouteTableId": f"rtb-{digest(urn + 'main')}",
        "ownerId": ACCOUNT_ID,
    }


def _replication_group(out: dict[str, Any], region: str, urn: str) -> dict[str, Any]:
    host = f"{out['name']}.{digest(urn, 6)}.{region}.cache.amazonaws.com"
    return {
        "primaryEndpointAddress": f"master.{host}",
        "readerEndpointAddress": f"replica.{host}",
        "port": 6379,
    }


def _cloudfront(out: dict[str, Any], _region: str, urn: str) -> dict[str, Any]:
    return {
        "domainName": f"d{digest(urn, 13)}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "status": "Deployed",
    }


def _route53_zone(out: dict[str, Any], _region: str, urn: str) -> dict[str, Any]:
    return {
        "zoneId": f"Z{digest(urn, 20).upper()}",
        "nameServers": [f"ns-{i}.awsdns-00.org" for i in range(1, 5)],
    }


def _nat_gateway(out: dict[str, Any], _region: str, urn: str) -> dict[str, Any]:
    return {"publicIp": "203.0.113.10", "privateIp": "10.0.0.10"}


def _eip(out: dict[str, Any], _region: str, urn: str) -> dict[str, Any]:
    return {"publicIp": "203.0.113.11", "allocationId": f"eipalloc-{digest(urn)}"}


# Canonical hosted zone ids of network load balancers per region (Elastic Load Balancing endpoints).
_NLB_ZONES = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "ap-southeast-1": "ZKVM4W9LS7TM",
    "sa-east-1": "ZTK26PT1VY4CU",
}


def _load_balancer(out: dict[str, Any], region: str, urn: str) -> dict[str, Any]:
    name = str(out["name"])[:32]
    return {
        "dnsName": f"{name}-{digest(urn, 16)}.elb.{region}.amazonaws.com",
        "zoneId": _NLB_ZONES.get(region, f"Z{digest(region, 13).upper()}"),
        "arnSuffix": f"net/{name}/{digest(urn, 16)}",
    }


def _acm_certificate(out: dict[str, Any], region: str, urn: str) -> dict[str, Any]:
    """ACM's DNS validation record for the domain (a CNAME under the domain itself)."""
    domain = str(out.get("domainName", "example.com"))
    token = digest(urn, 32)
    return {
        "arn": f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{digest(urn, 36)}",
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_{token}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{digest(urn + 'value', 32)}.acm-validations.aws.",
            }
        ],
        "status": "ISSUED",
    }


def _certificate_validation(out: dict[str, Any], _region: str, _urn: str) -> dict[str, Any]:
    return {"id": str(out.get("certificateArn", ""))}


def _route53_record(out: dict[str, Any], _region: str, _urn: str) -> dict[str, Any]:
    return {"fqdn": str(out.get("name", "")).rstrip(".")}


_EXTRA_OUTPUTS: dict[str, Callable[[dict[str, Any], str, str], dict[str, Any]]] = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketV2:BucketV2": _s3_bucket,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:sns/topic:Topic": _sns_topic,
    "aws:kms/key:Key": _kms_key,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:cloudfront/distribution:Distribution": _cloudfront,
    "aws:route53/zone:Zone": _route53_zone,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _eip,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:acm/certificate:Certificate": _acm_certificate,
    "aws:acm/certificateValidation:CertificateValidation": _certificate_validation,
    "aws:route53/record:Record": _route53_record,
}
