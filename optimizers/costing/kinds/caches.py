"""ElastiCache node-based clusters and replication groups: node-hours by node type and engine,
and backup storage from the usage file's `snapshot_storage_size_gb`.

Redis OSS and Memcached nodes share a price; Valkey nodes have their own keys. Reserved nodes
(`reserved_instance_term`, `reserved_instance_payment_option`) need figures the table lacks:
asking for them makes the resource unpriced with the key named.
"""

from __future__ import annotations

from optimizers.costing.model import HOURS_PER_MONTH
from optimizers.costing.quote import Quote, Unpriceable
from optimizers.costing.registry import priced
from optimizers.costing.usage import NUMBER

CACHE_USAGE = {
    "snapshot_storage_size_gb": NUMBER,
    "reserved_instance_term": ("1_year", "3_year"),
    "reserved_instance_payment_option": ("no_upfront", "partial_upfront", "all_upfront"),
}


def _nodes_of_replication_group(q: Quote) -> float:
    r = q.resource
    groups, replicas = r.get("numNodeGroups"), r.get("replicasPerNodeGroup")
    if isinstance(groups, int | float):  # cluster mode: shards x (primary + replicas)
        return groups * (1 + (replicas if isinstance(replicas, int | float) else 0))
    clusters = r.get("numCacheClusters")
    return float(clusters) if isinstance(clusters, int | float) else 1.0


def _price_nodes(q: Quote, node_type: object, nodes: float, engine: str) -> None:
    if not isinstance(node_type, str):
        raise Unpriceable("node type unknown at preview")
    prefix = "elasticache.valkey" if engine == "valkey" else "elasticache"
    purchase = "on_demand"
    if q.usage.has("reserved_instance_term") or q.usage.has("reserved_instance_payment_option"):
        term = q.usage.word("reserved_instance_term", "1_year")
        payment = q.usage.word("reserved_instance_payment_option", "no_upfront")
        purchase = f"reserved.{term}.{payment}"
    q.note = f"{nodes:g} x {node_type} ({engine})"
    q.service(f"ElastiCache ({purchase.replace('_', '-')}, {node_type})",
              f"{prefix}.{purchase}.{node_type}", nodes * HOURS_PER_MONTH, "hours")  # fmt: skip
    q.service("Backup storage", "elasticache.backup.storage",
              q.usage.number("snapshot_storage_size_gb"), "GB", usage_based=True)  # fmt: skip


@priced("aws:elasticache/replicationGroup:ReplicationGroup", usage=CACHE_USAGE)
def replication_group(q: Quote) -> None:
    engine = q.resource.get("engine", default="redis")
    _price_nodes(q, q.resource.get("nodeType"), _nodes_of_replication_group(q), engine)


@priced("aws:elasticache/cluster:Cluster", usage=CACHE_USAGE)
def cache_cluster(q: Quote) -> None:
    r = q.resource
    if r.get("replicationGroupId") is not None and r.get("nodeType") is None:
        q.note = "a member of a replication group: priced there"
        return
    nodes = r.get("numCacheNodes", default=1)
    _price_nodes(q, r.get("nodeType"), float(nodes), r.get("engine", default="redis"))
