"""Security guardrails: IMDSv2, encryption at rest, no admin ports or API endpoints open to all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .core import LAUNCH_TEMPLATE, Res, get, guardrail, items, number, show, truthy

INSTANCE = "aws:ec2/instance:Instance"
WORLD = ("0.0.0.0/0", "::/0")


@guardrail(
    "imdsv2-required",
    "Launch templates and instances require IMDSv2 (metadataOptions.httpTokens = required), which "
    "blocks SSRF-style credential theft. Remediation: set metadataOptions.httpTokens to "
    "'required'.",
    severity="high",
)
def imdsv2(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in (LAUNCH_TEMPLATE, INSTANCE):
        return
    tokens = get(res.props, "metadataOptions", "httpTokens")
    if tokens != "required":
        yield f"HttpTokens is {tokens or 'unset (optional)'}; required: required (IMDSv2)"


@guardrail(
    "ebs-encrypted",
    "EBS volumes are encrypted: aws.ebs.Volume, launch template block devices and instance "
    "block devices. Remediation: set encrypted to true (and a kmsKeyId where required).",
    severity="high",
)
def ebs_encrypted(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    props = res.props
    if res.type == "aws:ebs/volume:Volume":
        if not truthy(props.get("encrypted")):
            yield f"Encrypted is {show(props.get('encrypted'))}; required: true"
    elif res.type == LAUNCH_TEMPLATE:
        for mapping in items(props.get("blockDeviceMappings")):
            ebs = get(mapping, "ebs")
            if ebs is not None and not truthy(get(ebs, "encrypted")):
                device = get(mapping, "deviceName", default="?")
                found = show(get(ebs, "encrypted"))
                yield f"block device {device}: Encrypted is {found}; required: true"
    elif res.type == INSTANCE:
        devices = [get(props, "rootBlockDevice")] + items(props.get("ebsBlockDevices"))
        for device in devices:
            if device is not None and not truthy(get(device, "encrypted")):
                name = get(device, "deviceName", default="root")
                found = show(get(device, "encrypted"))
                yield f"block device {name}: Encrypted is {found}; required: true"


def _covers(from_port: Any, to_port: Any, protocol: Any, port: int) -> bool:
    if str(protocol) in ("-1", "all"):
        return True
    low, high = number(from_port), number(to_port)
    return low is not None and high is not None and low <= port <= high


@guardrail(
    "no-open-admin-ports",
    "No security group rule opens an admin port (SSH 22, RDP 3389, Kubernetes API 6443, kubelet "
    "10250) to 0.0.0.0/0 or ::/0. Remediation: restrict the CIDR, or use SSM Session Manager.",
    severity="critical",
    config={
        "admin_ports": {
            "type": "array",
            "items": {"type": "integer"},
            "default": [22, 3389, 6443, 10250],
        }
    },
    relaxes={"admin_ports": "narrower"},
)
def open_admin_ports(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    ports = [int(p) for p in cfg["admin_ports"]]
    props = res.props
    rules: list[tuple[Any, Any, Any, list[Any]]] = []
    if res.type == "aws:ec2/securityGroup:SecurityGroup":
        for rule in items(props.get("ingress")):
            cidrs = items(get(rule, "cidrBlocks")) + items(get(rule, "ipv6CidrBlocks"))
            rules.append((get(rule, "fromPort"), get(rule, "toPort"), get(rule, "protocol"), cidrs))
    elif (
        res.type == "aws:ec2/securityGroupRule:SecurityGroupRule" and props.get("type") == "ingress"
    ):
        cidrs = items(props.get("cidrBlocks")) + items(props.get("ipv6CidrBlocks"))
        rules.append((props.get("fromPort"), props.get("toPort"), props.get("protocol"), cidrs))
    elif res.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        cidrs = [props.get("cidrIpv4"), props.get("cidrIpv6")]
        rules.append((props.get("fromPort"), props.get("toPort"), props.get("ipProtocol"), cidrs))
    for low, high, protocol, cidrs in rules:
        world = [c for c in cidrs if c in WORLD]
        if not world:
            continue
        for port in ports:
            if _covers(low, high, protocol, port):
                yield (
                    f"ingress opens port {port} to {world[0]}; admin ports must not be open to "
                    "the world"
                )


@guardrail(
    "eks-endpoint-not-public",
    "The EKS API endpoint is private, or public only to listed CIDRs that are not 0.0.0.0/0. "
    "Remediation: set vpcConfig.endpointPublicAccess false, or publicAccessCidrs to office/VPN "
    "ranges (kubernetes.endpoint_public_access_cidrs).",
    severity="high",
)
def eks_endpoint(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type != "aws:eks/cluster:Cluster":
        return
    vpc = get(res.props, "vpcConfig", default={})
    public = get(vpc, "endpointPublicAccess")
    if public is not None and not truthy(public):
        return  # AWS's default is a public endpoint: only an explicit false is private
    cidrs = [str(c) for c in items(get(vpc, "publicAccessCidrs"))]
    if not cidrs or "0.0.0.0/0" in cidrs:
        shown = cidrs or ["0.0.0.0/0"]
        yield (
            f"EndpointPublicAccess is true with PublicAccessCidrs {shown}; the API is open to the "
            "world"
        )
