"""The primary VPC reaches every edge VPC: one cross-region peering per edge, routes both ways in
every private route table, and HTTPS from the primary VPC into each edge cluster's API endpoint
(`pulumi up` runs in the primary VPC and the endpoints are private)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from aeon.engine import run_program
from tests.components import component_runs as runs
from tests.helpers import copy_project

PRIMARY = "us-east-1"
EDGES = ("eu-west-1", "ap-southeast-1", "sa-east-1")
CIDRS = {"us-east-1": "10.0.0.0/16", "eu-west-1": "10.1.0.0/16",
         "ap-southeast-1": "10.2.0.0/16", "sa-east-1": "10.3.0.0/16"}  # fmt: skip
PCX = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def in_region(run, type_: str, region: str) -> list:
    return [r for r in runs.of_type(run, type_) if r.region == region]


def private_tables(run, region: str) -> list[str]:
    return [t.id for t in in_region(run, ROUTE_TABLE, region) if "-private-" in t.name]


def provider_region(run, resource) -> str:
    return run.provider_of(resource).inputs["region"]


def test_one_connection_requested_by_the_primary_and_accepted_in_each_edge(prod_run) -> None:
    (primary_vpc,) = in_region(prod_run, "aws:ec2/vpc:Vpc", PRIMARY)
    connections = {c.inputs["peerRegion"]: c for c in runs.of_type(prod_run, PCX)}
    assert sorted(connections) == sorted(EDGES)
    accepters = runs.of_type(prod_run, ACCEPTER)
    assert sorted(a.region for a in accepters) == sorted(EDGES)
    for edge, connection in connections.items():
        (edge_vpc,) = in_region(prod_run, "aws:ec2/vpc:Vpc", edge)
        assert provider_region(prod_run, connection) == PRIMARY
        assert connection.inputs["vpcId"] == primary_vpc.id
        assert connection.inputs["peerVpcId"] == edge_vpc.id
        # AWS accepts an inter-region request only in the accepter's region.
        assert "autoAccept" not in connection.inputs
        (accepter,) = [a for a in accepters if a.inputs["vpcPeeringConnectionId"] == connection.id]
        assert provider_region(prod_run, accepter) == edge
        assert accepter.inputs["autoAccept"] is True


def test_routes_both_ways_in_every_private_route_table(prod_run) -> None:
    routes = {
        (r.inputs["routeTableId"], r.inputs["destinationCidrBlock"]): r
        for r in runs.of_type(prod_run, ROUTE)
    }
    accepted = {a.inputs["vpcPeeringConnectionId"]: a for a in runs.of_type(prod_run, ACCEPTER)}
    primary_tables = private_tables(prod_run, PRIMARY)
    assert len(primary_tables) == 3  # one per AZ (a NAT gateway each)
    for connection in runs.of_type(prod_run, PCX):
        edge = connection.inputs["peerRegion"]
        edge_tables = private_tables(prod_run, edge)
        assert len(edge_tables) == 1
        wanted = [(t, CIDRS[edge]) for t in primary_tables] + [
            (t, CIDRS[PRIMARY]) for t in edge_tables
        ]
        for key in wanted:
            route = routes[key]
            assert route.inputs["vpcPeeringConnectionId"] == connection.id, key
            # Added once the connection is accepted (a route to a pending one is a blackhole).
            assert (
                accepted[connection.id].urn in route.property_dependencies["vpcPeeringConnectionId"]
            )
    peering_routes = [r for r in routes.values() if "vpcPeeringConnectionId" in r.inputs]
    assert len(peering_routes) == 3 * (3 + 1)  # public subnets hold nothing that calls across


def test_each_edge_cluster_api_admits_https_from_the_primary_vpc_only(prod_run) -> None:
    rules = [r for r in runs.of_type(prod_run, INGRESS) if r.inputs.get("fromPort") == 443]
    api_groups = {
        c.region: c.outputs["vpcConfig"]["clusterSecurityGroupId"]
        for c in runs.of_type(prod_run, "aws:eks/cluster:Cluster")
    }
    for edge in EDGES:
        (rule,) = [r for r in rules if r.inputs["securityGroupId"] == api_groups[edge]]
        assert rule.region == edge
        assert (rule.inputs["ipProtocol"], rule.inputs["toPort"]) == ("tcp", 443)
        assert rule.inputs["cidrIpv4"] == CIDRS[PRIMARY]
    assert not [r for r in rules if r.inputs["securityGroupId"] == api_groups[PRIMARY]]


def stack_with(tmp_path: Path, peer_edges: bool) -> list:
    """The dev stack with an edge region (no pools there, so no cluster) and the switch set."""
    tmp_path.mkdir()
    root = copy_project(tmp_path)
    path = root / "Pulumi.dev.yaml"
    yaml = YAML()
    doc = yaml.load(path.read_text())
    config = doc["config"]
    config["aeon-infra:regions"].append(
        {"name": "eu-west-1", "role": "edge", "vpc_cidr": "10.41.0.0/16",
         "availability_zones": 2, "nat_gateways": "single"}
    )  # fmt: skip
    config["aeon-infra:network"] = {"peer_edges": peer_edges}
    with path.open("w") as handle:
        yaml.dump(doc, handle)
    return list(run_program(root, "dev").resources)


def test_the_switch_peers_an_edge_without_a_cluster_and_turns_peering_off(tmp_path) -> None:
    on = stack_with(tmp_path / "on", peer_edges=True)
    kinds = [r.type for r in on]
    assert (kinds.count(PCX), kinds.count(ACCEPTER)) == (1, 1)
    assert kinds.count("aeon:index:VpcPeering") == 1
    peering_rules = [r for r in on if r.type == INGRESS and r.inputs.get("fromPort") == 443]
    assert peering_rules == []  # no cluster in the edge: nothing to admit
    off = stack_with(tmp_path / "off", peer_edges=False)
    assert not [r for r in off if "Peering" in r.type or "vpcPeeringConnectionId" in r.inputs]
    assert {r.urn for r in on} - {r.urn for r in off} == {
        r.urn for r in on if "Peering" in r.type or "vpcPeeringConnectionId" in r.inputs
    }


def test_a_one_region_stack_has_nothing_to_peer() -> None:
    dev = runs.stack_run("dev")
    assert not runs.of_type(dev, PCX) and not runs.of_type(dev, ACCEPTER)
