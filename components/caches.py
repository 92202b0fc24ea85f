"""Serving caches as ElastiCache Redis: the embedding cache (LRU) and the result cache (TTL).

Each cache's eviction policy lives in its own parameter group; TTLs are set by the clients that
write keys, so each cache's TTL is published with its endpoint in a ConfigMap the services read.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.settings import Cache


def parameter_family(engine_version: str) -> str:
    return f"redis{engine_version.split('.')[0]}"


class ServingCachesArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    caches: dict[str, Cache]  # cache name -> spec
    subnet_ids: list
    security_group_id: object
    namespace: str


class ServingCaches(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ServingCachesArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:ServingCaches", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets", subnet_ids=args.subnet_ids, description="private subnets", opts=child
        )
        self.groups: dict[str, aws.elasticache.ReplicationGroup] = {}
        endpoints = {}
        for cache_name, cache in args.caches.items():
            params = aws.elasticache.ParameterGroup(
                f"{name}-{cache_name}",
                family=parameter_family(cache.engine_version),
                description=f"{cache_name}: {cache.eviction}, {cache.size_gb:g} GB",
                parameters=[{"name": "maxmemory-policy", "value": cache.eviction}],
                opts=child,
            )
            group = aws.elasticache.ReplicationGroup(
                f"{name}-{cache_name}",
                description=f"{cache_name} ({cache.size_gb:g} GB, {cache.eviction})",
                engine="redis",
                engine_version=cache.engine_version,
                node_type=cache.node_type,
                num_cache_clusters=1 + cache.replicas,
                automatic_failover_enabled=cache.replicas > 0,
                multi_az_enabled=cache.replicas > 0,
                parameter_group_name=params.name,
                subnet_group_name=subnets.name,
                security_group_ids=[args.security_group_id],
                at_rest_encryption_enabled=True,
                transit_encryption_enabled=True,
                tags={"aeon:cache-size-gb": f"{cache.size_gb:g}"},
                opts=child,
            )
            self.groups[cache_name] = group
            endpoints[cache_name] = group.primary_endpoint_address.apply(
                lambda host, c=cache: {"host": host, "port": 6379, "size_gb": c.size_gb,
                                       "eviction": c.eviction, "ttl_s": c.ttl_s}
            )  # fmt: skip
        k8s.core.v1.ConfigMap(
            f"{name}-endpoints",
            metadata={"name": "serving-caches", "namespace": args.namespace},
            data={
                "caches.json": pulumi.Output.all(**endpoints).apply(
                    lambda e: json.dumps(e, indent=1)
                )
            },
            opts=child,
        )
        self.register_outputs({k: g.primary_endpoint_address for k, g in self.groups.items()})
