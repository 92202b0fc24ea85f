"""Triton Inference Server on a GPU pool: model config with the framework's dynamic batching in a
mounted ConfigMap, GPU requests that follow the tensor parallelism, a NodePort service the
region's load balancer targets, and an HPA."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.node_pool import GPU_RESOURCE, GPU_TAINT, POOL_LABEL
from components.settings import DynamicBatching

HTTP_PORT, GRPC_PORT, METRICS_PORT = 8000, 8001, 8002  # Triton's own ports
MODEL_REPOSITORY = "/models"


def model_config(model: str, batching: DynamicBatching, tensor_parallelism: int) -> str:
    """config.pbtxt (protobuf text format) for Triton's vLLM backend."""
    lowest = batching.priority_levels  # Triton: 1 is the highest priority
    timeout_us = batching.queue_timeout_ms * 1000
    return (
        f'name: "{model}"\n'
        'backend: "vllm"\n'
        f"max_batch_size: {batching.max_batch_size}\n"
        "dynamic_batching {\n"
        f"  max_queue_delay_microseconds: {batching.max_queue_delay_microseconds}\n"
        f"  priority_levels: {batching.priority_levels}\n"
        f"  default_priority_level: {lowest}\n"
        "  default_queue_policy {\n"
        f"    max_queue_size: {batching.max_queue_size}\n"
        f"    default_timeout_microseconds: {timeout_us}\n"
        "    timeout_action: REJECT\n"
        "    allow_timeout_override: true\n"
        "  }\n"
        "}\n"
        "instance_group [ { kind: KIND_MODEL count: 1 } ]\n"
        "parameters {\n"
        '  key: "tensor_parallel_size"\n'
        f'  value: {{ string_value: "{tensor_parallelism}" }}\n'
        "}\n"
    )


class TritonServingArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_name: str
    image: str
    namespace: str
    pool: str
    priority_class: str | None
    replicas: int
    max_replicas: int
    tensor_parallelism: int
    batching: DynamicBatching
    hpa_target_cpu_pct: int
    node_port: int
    cpu: float
    memory_gib: float


class TritonServing(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: TritonServingArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:TritonServing", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = {"app.kubernetes.io/name": "triton", "aeon.ai/model": args.model_name}
        meta = {"namespace": args.namespace, "labels": labels}

        config = k8s.core.v1.ConfigMap(
            f"{name}-model-config",
            metadata={**meta, "name": f"{args.model_name}-model-config"},
            data={
                "config.pbtxt": model_config(
                    args.model_name, args.batching, args.tensor_parallelism
                )
            },
            opts=child,
        )
        gpus = str(args.tensor_parallelism)
        resources = {
            "requests": {
                GPU_RESOURCE: gpus,
                "cpu": f"{args.cpu:g}",
                "memory": f"{args.memory_gib:g}Gi",
            },
            "limits": {GPU_RESOURCE: gpus, "memory": f"{args.memory_gib:g}Gi"},
        }
        pod: dict[str, Any] = {
            "nodeSelector": {POOL_LABEL: args.pool},
            "tolerations": [
                {"key": GPU_TAINT["key"], "operator": "Exists", "effect": GPU_TAINT["effect"]}
            ],
            "containers": [
                {
                    "name": "triton",
                    "image": args.image,
                    "args": [
                        "tritonserver",
                        f"--model-repository={MODEL_REPOSITORY}",
                        "--strict-readiness=true",
                    ],
                    "ports": [
                        {"name": "http", "containerPort": HTTP_PORT},
                        {"name": "grpc", "containerPort": GRPC_PORT},
                        {"name": "metrics", "containerPort": METRICS_PORT},
                    ],
                    "resources": resources,
                    "readinessProbe": {"httpGet": {"path": "/v2/health/ready", "port": "http"}},
                    "volumeMounts": [
                        {
                            "name": "model-config",
                            "mountPath": f"{MODEL_REPOSITORY}/{args.model_name}/config.pbtxt",
                            "subPath": "config.pbtxt",
                        },
                        {"name": "shm", "mountPath": "/dev/shm"},  # NCCL between TP ranks
                    ],
                }
            ],
            "volumes": [
                {"name": "model-config", "configMap": {"name": config.metadata["name"]}},
                {"name": "shm", "emptyDir": {"medium": "Memory"}},
            ],
        }
        if args.priority_class:
            pod["priorityClassName"] = args.priority_class
        self.deployment = k8s.apps.v1.Deployment(
            name,
            metadata={**meta, "name": f"triton-{args.model_name}"},
            spec={
                "replicas": args.replicas,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod},
            },
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=["spec.replicas"]
            ),  # the HPA owns it
        )
        self.service = k8s.core.v1.Service(
            name,
            metadata={**meta, "name": f"triton-{args.model_name}"},
            spec={
                "type": "NodePort",
                "selector": labels,
                "ports": [
                    {
                        "name": "http",
                        "port": HTTP_PORT,
                        "targetPort": "http",
                        "nodePort": args.node_port,
                    },
                    {"name": "grpc", "port": GRPC_PORT, "targetPort": "grpc"},
                    {"name": "metrics", "port": METRICS_PORT, "targetPort": "metrics"},
                ],
            },
            opts=child,
        )
        self.hpa = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            name,
            metadata={**meta, "name": f"triton-{args.model_name}"},
            spec={
                "scaleTargetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": self.deployment.metadata["name"],
                },
                "minReplicas": args.replicas,
                "maxReplicas": args.max_replicas,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {
                                "type": "Utilization",
                                "averageUtilization": args.hpa_target_cpu_pct,
                            },
                        },
                    }
                ],
            },
            opts=child,
        )
        self.register_outputs({"deployment": self.deployment.metadata["name"]})
