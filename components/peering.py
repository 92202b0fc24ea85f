"""Cross-region VPC peering between the primary VPC and one edge VPC.

The EKS API endpoints are private and `pulumi up` runs in the primary VPC, so every
`kubernetes:*` resource of an edge cluster needs a network path to that cluster's VPC. A
private-only endpoint's name resolves, through public DNS, to its private addresses, so from a
peered VPC it takes routes both ways and HTTPS allowed into the endpoint's network interfaces
(docs/deployment.md#how-the-runner-reaches-the-edge-clusters).

An inter-region request is made in the requester's region and accepted in the accepter's
(`auto_accept` on the request works only within one region), so the connection uses the
primary's provider and the accepter the edge's. Routes are separate `ec2.Route` resources: a
route table's inline routes would drop them on the next update.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.settings import Region

HTTPS = 443


class PeerSide(BaseModel):
    """One VPC of the connection, as its region's deployment sees it."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    region: Region
    provider: Any  # the region's aws.Provider
    vpc_id: Any
    route_table_ids: list[Any]  # the private subnets' route tables


class VpcPeeringArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    requester: PeerSide  # the primary, where `pulumi up` runs
    accepter: PeerSide  # an edge
    # The group EKS puts on the accepter cluster's API endpoint: HTTPS in from the requester VPC.
    api_security_group_id: Any = None


class VpcPeering(pulumi.ComponentResource):
    """`connection_id` once the accepter has accepted it."""

    def __init__(self, name: str, args: VpcPeeringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:VpcPeering", name, None, opts)
        requester, accepter = args.requester, args.accepter
        at = {
            side.region.name: pulumi.ResourceOptions(parent=self, provider=side.provider)
            for side in (requester, accepter)
        }
        self.connection = aws.ec2.VpcPeeringConnection(
            name,
            vpc_id=requester.vpc_id,
            peer_vpc_id=accepter.vpc_id,
            peer_region=accepter.region.name,
            tags={"Name": name},
            opts=at[requester.region.name],
        )
        self.accepter = aws.ec2.VpcPeeringConnectionAccepter(
            name,
            vpc_peering_connection_id=self.connection.id,
            auto_accept=True,
            tags={"Name": name},
            opts=at[accepter.region.name],
        )
        # Routes name the connection through the accepter: they are added once it is active.
        self.connection_id = self.accepter.vpc_peering_connection_id
        for side, other in ((requester, accepter), (accepter, requester)):
            for index, table in enumerate(side.route_table_ids):
                aws.ec2.Route(
                    f"{side.region.name}-to-{other.region.name}-{index}",
                    route_table_id=table,
                    destination_cidr_block=other.region.vpc_cidr,
                    vpc_peering_connection_id=self.connection_id,
                    opts=at[side.region.name],
                )
        if args.api_security_group_id is not None:
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-eks-api",
                security_group_id=args.api_security_group_id,
                ip_protocol="tcp",
                from_port=HTTPS,
                to_port=HTTPS,
                cidr_ipv4=requester.region.vpc_cidr,
                description=f"EKS API from the {requester.region.name} VPC (pulumi up)",
                opts=at[accepter.region.name],
            )
        self.register_outputs({"vpc_peering_connection_id": self.connection_id})
