"""The vector store as a StatefulSet: partitions x replication factor pods, each holding one
partition replica on a hot-class volume sized from the partition size, with the L1 query cache in
memory and the L2 cache on its own volume; index optimization is a CronJob in the off-peak window
whose deadline is the window's length."""

from __future__ import annotations

import json
import math
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.node_pool import POOL_LABEL
from components.settings import VectorStore

HTTP_PORT = 6333


def store_config(store: VectorStore) -> dict[str, Any]:
    return {
        "partitions": store.partitions,
        "replication_factor": store.replication_factor,
        "partition_size_gb": store.partition_size_gb,
        "cache": {
            "l1": {
                "medium": "memory",
                "size_gb": store.l1_cache.size_gb,
                "ttl_s": store.l1_cache.ttl_s,
            },
            "l2": {
                "medium": "disk",
                "size_gb": store.l2_cache.size_gb,
                "ttl_s": store.l2_cache.ttl_s,
            },
        },
    }


def data_volume_gi(store: VectorStore) -> int:
    return math.ceil(store.partition_size_gb * (1 + store.volume_headroom_pct / 100))


class VectorStoreArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    store: VectorStore
    storage_class: str


class VectorStoreService(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: VectorStoreArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:VectorStore", name, None, opts)
        store = args.store
        child = pulumi.ResourceOptions(parent=self)
        labels = {"app.kubernetes.io/name": "vector-store"}
        meta = {"namespace": store.namespace, "labels": labels}
        config = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata={**meta, "name": "vector-store"},
            data={"store.json": json.dumps(store_config(store), indent=1)},
            opts=child,
        )
        service = k8s.core.v1.Service(
            name,
            metadata={**meta, "name": "vector-store"},
            spec={
                "clusterIP": "None",
                "selector": labels,
                "ports": [{"name": "http", "port": HTTP_PORT}],
            },
            opts=child,
        )
        memory = store.memory_gib_per_replica + store.l1_cache.size_gb
        pod: dict[str, Any] = {
            "containers": [
                {
                    "name": "store",
                    "image": store.image,
                    "ports": [{"name": "http", "containerPort": HTTP_PORT}],
                    "env": [{"name": "AEON_STORE_CONFIG", "value": "/etc/aeon/store.json"}],
                    "resources": {
                        "requests": {
                            "cpu": f"{store.cpu_per_replica:g}",
                            "memory": f"{memory:g}Gi",
                        },
                        "limits": {"memory": f"{memory:g}Gi"},
                    },
                    "volumeMounts": [
                        {"name": "data", "mountPath": "/qdrant/storage"},
                        {"name": "l2-cache", "mountPath": "/cache/l2"},
                        {"name": "l1-cache", "mountPath": "/cache/l1"},
                        {"name": "config", "mountPath": "/etc/aeon"},
                    ],
                }
            ],
            "volumes": [
                {"name": "config", "configMap": {"name": config.metadata["name"]}},
                {"name": "l1-cache",
                 "emptyDir": {"medium": "Memory", "sizeLimit": f"{store.l1_cache.size_gb:g}Gi"}},
            ],
            # Replicas of a partition on different nodes.
            "topologySpreadConstraints": [
                {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                 "whenUnsatisfiable": "ScheduleAnyway",
                 "labelSelector": {"matchLabels": labels}}
            ],
        }  # fmt: skip
        if store.pool:
            pod["nodeSelector"] = {POOL_LABEL: store.pool}

        def claim(claim_name: str, size_gi: float) -> dict[str, Any]:
            return {
                "metadata": {"name": claim_name},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": args.storage_class,
                    "resources": {"requests": {"storage": f"{math.ceil(size_gi)}Gi"}},
                },
            }

        self.stateful_set = k8s.apps.v1.StatefulSet(
            name,
            metadata={**meta, "name": "vector-store"},
            spec={
                "serviceName": service.metadata["name"],
                "replicas": store.partitions * store.replication_factor,
                "podManagementPolicy": "Parallel",
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod},
                "volumeClaimTemplates": [
                    claim("data", data_volume_gi(store)),
                    claim("l2-cache", store.l2_cache.size_gb),
                ],
            },
            opts=child,
        )
        self.index_job = k8s.batch.v1.CronJob(
            f"{name}-optimize-index",
            metadata={**meta, "name": "vector-store-optimize-index"},
            spec={
                "schedule": store.index_schedule,
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 600,
                "jobTemplate": {
                    "spec": {
                        # The job must end inside the off-peak window.
                        "activeDeadlineSeconds": int(store.index_max_duration_h * 3600),
                        "backoffLimit": 0,
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [
                                    {
                                        "name": "optimize",
                                        "image": store.image,
                                        "command": ["/bin/sh", "-c"],
                                        "args": [
                                            f"for p in $(seq 0 {store.partitions - 1}); do "
                                            "curl -fsS -X POST "
                                            f"http://vector-store:{HTTP_PORT}/collections/p$p/index;"
                                            " done"
                                        ],
                                    }
                                ],
                            }
                        },
                    }
                },
            },
            opts=child,
        )
        self.register_outputs({"replicas": store.partitions * store.replication_factor})
