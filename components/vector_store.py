"""The vector store: Qdrant in distributed mode as a StatefulSet, its collection, and the
off-peak index optimization.

Checked against Qdrant v1.12 (image, REST API, config) and its Helm chart qdrant-1.12.4 (how
peers bootstrap). Pod 0 starts the Raft cluster (`--uri` of its own peer address); every other
pod joins through pod 0 (`--bootstrap`). A Job creates the collection through the REST API with
the framework's partitions as `shard_number` and its `replication_factor`, so Qdrant itself
spreads and replicates the shards over the peers. The collection is created with optimizations
paused (`max_optimization_threads: 0`); a CronJob opens them in the off-peak window (framework
4.1: daily, at most 2 h) with one optimization thread per CPU of a peer, and pauses them again
before the window closes. It must name a number: in a collection update Qdrant 1.12 skips every
null field (`merge_level_0` in `lib/collection/src/operations/config_diff.rs`), so `null` ("no
limit") would leave the optimizers paused. Both jobs use an image that has curl (the Qdrant image
has none). The unprivileged Qdrant image runs as uid 1000 on a read-only root filesystem; its data
volume is sized from the partition size.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.node_pool import NODE_GROUP_LABEL
from components.settings import VectorStore
from components.workloads import (
    container_security,
    disruption_budget,
    from_pods,
    guaranteed,
    http_probe,
    network_policy,
    pod_security,
)

HTTP_PORT, GRPC_PORT, P2P_PORT = 6333, 6334, 6335
NAME = "vector-store"
QDRANT_USER = 1000  # the `-unprivileged` image's user
CURL_IMAGE = "curlimages/curl:8.11.1"  # non-root (uid 100), has curl and a POSIX shell
CURL_USER = 100


def store_config(store: VectorStore) -> dict[str, Any]:
    """Published for clients (the query-side caches); Qdrant reads its own settings from env."""
    return {
        "partitions": store.partitions,
        "replication_factor": store.replication_factor,
        "partition_size_gb": store.partition_size_gb,
        "cache": {
            level: {"medium": medium, "size_gb": cache.size_gb, "ttl_s": cache.ttl_s}
            for level, medium, cache in (
                ("l1", "memory", store.l1_cache),
                ("l2", "disk", store.l2_cache),
            )
        },
    }


def data_volume_gi(store: VectorStore) -> int:
    return math.ceil(store.partition_size_gb * (1 + store.volume_headroom_pct / 100))


def peer_url(pod: str) -> str:
    return f"http://{pod}.{NAME}:{P2P_PORT}"


def start_script() -> str:
    """Pod 0 founds the cluster; the others bootstrap from it (as the Qdrant chart does)."""
    me = f"http://${{HOSTNAME}}.{NAME}:{P2P_PORT}"
    return (
        'if [ "${HOSTNAME##*-}" = "0" ]; then\n'
        f"  exec ./entrypoint.sh --uri {me}\n"
        "fi\n"
        f"exec ./entrypoint.sh --bootstrap {peer_url(NAME + '-0')} --uri {me}\n"
    )


def collection_body(store: VectorStore, vector_size: int, distance: str) -> dict[str, Any]:
    return {
        "vectors": {"size": vector_size, "distance": distance},
        "shard_number": store.partitions,
        "replication_factor": store.replication_factor,
        "write_consistency_factor": 1,
        "optimizers_config": {"max_optimization_threads": 0},  # opened off-peak by the CronJob
    }


def create_collection_script(collection: str, body: dict[str, Any], peers: int) -> str:
    api = f"http://{NAME}:{HTTP_PORT}"
    return (
        "set -eu\n"
        # Every peer must have joined, or Qdrant would place all shards on the first ones.
        f'until [ "$(curl -fsS {api}/cluster | grep -o \'"uri"\' | wc -l)" -ge {peers} ]; do\n'
        "  sleep 5\n"
        "done\n"
        f"if curl -fsS -o /dev/null {api}/collections/{collection}; then\n"
        f"  echo 'collection {collection} exists'; exit 0\n"
        "fi\n"
        f"curl -fsS -X PUT {api}/collections/{collection} "
        f"-H 'Content-Type: application/json' -d '{json.dumps(body)}'\n"
    )


GREEN = '\'"status":"green"\''  # a fully optimized collection, as GET /collections/<c> says


def threads_body(threads: int) -> str:
    return json.dumps({"optimizers_config": {"max_optimization_threads": threads}})


def optimize_script(collection: str, window_s: int, threads: int) -> str:
    """Open optimizations (`threads` per shard), wait for the collection to turn green or the
    window to close, pause."""
    api = f"http://{NAME}:{HTTP_PORT}/collections/{collection}"
    patch = "curl -fsS -X PATCH " + api + " -H 'Content-Type: application/json' -d "
    return (
        "set -eu\n"
        f"{patch}'{threads_body(threads)}'\n"
        f"end=$(( $(date +%s) + {window_s} ))\n"
        f'while [ "$(date +%s)" -lt "$end" ] && ! curl -fsS {api} | grep -q {GREEN}; do\n'
        "  sleep 30\n"
        "done\n"
        f"{patch}'{threads_body(0)}'\n"
    )


def curl_pod(script: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "securityContext": pod_security(CURL_USER),
        "containers": [
            {
                "name": "curl",
                "image": CURL_IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "command": ["/bin/sh", "-c", script],
                "resources": guaranteed(1, 0.25),
                "securityContext": container_security(),
            }
        ],
    }


class VectorStoreArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    store: VectorStore
    storage_class: str
    collection: str = "documents"
    vector_size: int = 768  # the embedding model's output dimension
    distance: str = "Cosine"
    client_labels: dict[str, str] = {}  # who may query the store (besides its own jobs)


class VectorStoreService(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: VectorStoreArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:VectorStore", name, None, opts)
        store = args.store
        child = pulumi.ResourceOptions(parent=self)
        labels = {"app.kubernetes.io/name": NAME}
        job_labels = {"app.kubernetes.io/name": f"{NAME}-admin"}
        meta = {"namespace": store.namespace, "labels": labels}
        replicas = store.partitions * store.replication_factor
        k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata={**meta, "name": NAME},
            data={"store.json": json.dumps(store_config(store), indent=1)},
            opts=child,
        )
        service = k8s.core.v1.Service(
            name,
            metadata={**meta, "name": NAME},
            spec={
                "clusterIP": "None",
                "publishNotReadyAddresses": True,  # peers must find each other before ready
                "selector": labels,
                "ports": [
                    {"name": "http", "port": HTTP_PORT},
                    {"name": "grpc", "port": GRPC_PORT},
                    {"name": "p2p", "port": P2P_PORT},
                ],
            },
            opts=child,
        )
        self.stateful_set = k8s.apps.v1.StatefulSet(
            name,
            metadata={**meta, "name": NAME},
            spec={
                "serviceName": service.metadata["name"],
                "replicas": replicas,
                "podManagementPolicy": "Parallel",
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": self._pod(args, labels)},
                "volumeClaimTemplates": [
                    _claim("data", data_volume_gi(store), args.storage_class),
                    _claim("l2-cache", store.l2_cache.size_gb, args.storage_class),
                ],
            },
            opts=child,
        )
        # Drains move one peer at a time: every shard keeps a live replica (factor >= 2).
        disruption_budget(f"{name}-pdb", NAME, store.namespace, labels, 1, child)
        network_policy(
            f"{name}-ingress",
            NAME,
            store.namespace,
            labels,
            [
                from_pods(labels, [P2P_PORT, HTTP_PORT, GRPC_PORT]),
                from_pods(job_labels, [HTTP_PORT]),
                from_pods(args.client_labels, [HTTP_PORT, GRPC_PORT]),
            ],
            child,
        )
        # The admin jobs only call out: nothing may connect to them.
        network_policy(
            f"{name}-admin-ingress", f"{NAME}-admin", store.namespace, job_labels, [], child
        )
        body = collection_body(store, args.vector_size, args.distance)
        self.collection_job = k8s.batch.v1.Job(
            f"{name}-create-collection",
            metadata={**meta, "name": f"{NAME}-create-{args.collection}"},
            spec={
                "backoffLimit": 3,
                "activeDeadlineSeconds": 1800,
                "template": {
                    "metadata": {"labels": job_labels},
                    "spec": curl_pod(
                        create_collection_script(args.collection, body, replicas), job_labels
                    ),
                },
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.stateful_set]),
        )
        window_s = int(store.index_max_duration_h * 3600)
        self.index_job = k8s.batch.v1.CronJob(
            f"{name}-optimize-index",
            metadata={**meta, "name": f"{NAME}-optimize-index"},
            spec={
                "schedule": store.index_schedule,
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 600,
                "jobTemplate": {
                    "spec": {
                        # The job must end inside the off-peak window; it pauses 5 min before.
                        "activeDeadlineSeconds": window_s,
                        "backoffLimit": 0,
                        "template": {
                            "metadata": {"labels": job_labels},
                            "spec": curl_pod(
                                optimize_script(
                                    args.collection,
                                    max(60, window_s - 300),
                                    max(1, int(store.cpu_per_replica)),
                                ),
                                job_labels,
                            ),
                        },
                    }
                },
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.collection_job]),
        )
        self.register_outputs({"replicas": replicas, "collection": args.collection})

    @staticmethod
    def _pod(args: VectorStoreArgs, labels: dict[str, str]) -> dict[str, Any]:
        store = args.store
        memory = store.memory_gib_per_replica + store.l1_cache.size_gb
        env = [
            {"name": "QDRANT__CLUSTER__ENABLED", "value": "true"},
            {"name": "QDRANT__CLUSTER__P2P__PORT", "value": str(P2P_PORT)},
            {"name": "QDRANT__STORAGE__STORAGE_PATH", "value": "/qdrant/storage"},
            {"name": "QDRANT__STORAGE__SNAPSHOTS_PATH", "value": "/qdrant/snapshots"},
            {"name": "QDRANT_INIT_FILE_PATH", "value": "/qdrant/init/.qdrant-initialized"},
        ]
        pod: dict[str, Any] = {
            "automountServiceAccountToken": False,
            "securityContext": pod_security(QDRANT_USER),
            "containers": [
                {
                    "name": "qdrant",
                    "image": store.image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["/bin/bash", "-c", start_script()],
                    "env": env,
                    "ports": [
                        {"name": "http", "containerPort": HTTP_PORT},
                        {"name": "grpc", "containerPort": GRPC_PORT},
                        {"name": "p2p", "containerPort": P2P_PORT},
                    ],
                    "resources": guaranteed(store.cpu_per_replica, memory),
                    "livenessProbe": http_probe("/livez", "http"),
                    "readinessProbe": http_probe("/readyz", "http", period_s=5),
                    "securityContext": container_security(),
                    "volumeMounts": [
                        {"name": "data", "mountPath": "/qdrant/storage"},
                        {"name": "l2-cache", "mountPath": "/cache/l2"},
                        {"name": "snapshots", "mountPath": "/qdrant/snapshots"},
                        {"name": "init", "mountPath": "/qdrant/init"},
                        {"name": "tmp", "mountPath": "/tmp"},
                    ],
                }
            ],
            "volumes": [
                {"name": "snapshots", "emptyDir": {}},
                {"name": "init", "emptyDir": {}},
                {"name": "tmp", "emptyDir": {}},
            ],
            # Replicas of a shard on different nodes.
            "topologySpreadConstraints": [
                {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                 "whenUnsatisfiable": "ScheduleAnyway",
                 "labelSelector": {"matchLabels": labels}}
            ],
        }  # fmt: skip
        if store.pool:
            pod["nodeSelector"] = {NODE_GROUP_LABEL: store.pool}
        return pod


def _claim(claim_name: str, size_gi: float, storage_class: str) -> dict[str, Any]:
    return {
        "metadata": {"name": claim_name},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "resources": {"requests": {"storage": f"{math.ceil(size_gi)}Gi"}},
        },
    }
