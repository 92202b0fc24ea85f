"""EC2 instance specs and where each type is offered, from DescribeInstanceTypes.

Three ways to fill it, all the same data (moto ships real DescribeInstanceTypes data):
- `from_moto_package()`: read moto's packaged JSON directly (fastest; no server, no network);
  it lives with the specs in `components.facts.catalog`, which components read too;
- `from_ec2(client_for_region)`: call `describe_instance_types` and
  `describe_instance_type_offerings` with boto3: against a moto server (embedded default, see
  `moto_server_catalog`) or real AWS.
`Catalog.source` says which one was used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from components.facts.catalog import (
    Catalog,
    InstanceSpec,
    family_of,
    from_moto_package,
    moto_resources_dir,
    spec_from_api,
)

__all__ = [
    "CATALOG_SOURCES",
    "Catalog",
    "InstanceSpec",
    "aws_catalog",
    "family_of",
    "from_ec2",
    "from_moto_package",
    "load_catalog",
    "moto_resources_dir",
    "moto_server_catalog",
    "spec_from_api",
]


def from_ec2(
    client_for_region: Callable[[str], Any], regions: Iterable[str], source: str
) -> Catalog:
    """DescribeInstanceTypes + DescribeInstanceTypeOfferings (LocationType=region) per region."""
    regions = list(regions)
    specs: dict[str, InstanceSpec] = {}
    offered: dict[str, frozenset[str]] = {}
    for region in regions:
        client = client_for_region(region)
        for page in client.get_paginator("describe_instance_types").paginate():
            for item in page["InstanceTypes"]:
                specs.setdefault(item["InstanceType"], spec_from_api(item))
        names: set[str] = set()
        paginator = client.get_paginator("describe_instance_type_offerings")
        for page in paginator.paginate(LocationType="region"):
            names.update(o["InstanceType"] for o in page["InstanceTypeOfferings"])
        offered[region] = frozenset(names)
    return Catalog(specs, offered, source)


def moto_server_catalog(regions: Iterable[str]) -> Catalog:
    """Start moto's server on 127.0.0.1 (a free port), ask it like AWS, stop it."""
    import logging

    import boto3
    import moto
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines on stderr
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"

        def client(region: str) -> Any:
            return boto3.client(
                "ec2",
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )

        return from_ec2(client, regions, f"moto {moto.__version__} server at {endpoint}")
    finally:
        server.stop()


def aws_catalog(regions: Iterable[str]) -> Catalog:
    import boto3

    return from_ec2(lambda region: boto3.client("ec2", region_name=region), regions, "AWS EC2 API")


CATALOG_SOURCES = ("moto-package", "moto-server", "aws")


def load_catalog(kind: str, regions: Iterable[str]) -> Catalog:
    regions = tuple(sorted(set(regions)))
    if kind == "moto-package":
        return from_moto_package(regions)
    if kind == "moto-server":
        return moto_server_catalog(regions)
    if kind == "aws":
        return aws_catalog(regions)
    raise ValueError(
        f"unknown catalog source {kind!r}; choose one of: {', '.join(CATALOG_SOURCES)}"
    )
