"""One Triton model server on a GPU pool: its model repository, a hardened Guaranteed-QoS
Deployment, its Service (a NodePort where the region's load balancer targets it), an HPA, a
PodDisruptionBudget and a NetworkPolicy.

The model repository is an emptyDir laid out as Triton expects (`<model>/config.pbtxt`,
`<model>/1/...`): an init container copies the model's artifacts from
`s3://<bucket>/models/<model>/` (IRSA: read-only on that prefix), and the rendered `config.pbtxt`
(and, for vLLM, `1/model.json`) are mounted from a ConfigMap. Files mounted by `subPath` never see
a ConfigMap update and Triton reads them only at start (`--model-control-mode=none`), so the pod
template carries a hash of the rendered files: any change to them (an applied `max_num_seqs` or
batcher) rolls the Deployment. The main container gets no Kubernetes API token; the EKS
pod-identity webhook still projects the web-identity token that the init container's AWS CLI uses.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.facts.triton_images import VLLM, backend_problem
from components.node_pool import GPU_RESOURCE, GPU_TAINT, NODE_GROUP_LABEL
from components.settings import DynamicBatching
from components.triton_models import VERSION, repository_files
from components.workloads import (
    container_security,
    disruption_budget,
    from_cidr,
    from_pods,
    guaranteed,
    http_probe,
    network_policy,
    pod_security,
)

HTTP_PORT, GRPC_PORT, METRICS_PORT = 8000, 8001, 8002  # Triton's own ports
MODEL_REPOSITORY = "/models"
TRITON_USER = 1000  # the tritonserver images' non-root `triton-server` user
# AWS's own CLI image, pinned; it copies the model artifacts before Triton starts.
ARTIFACT_COPIER_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.22.35"
COPIER_CPU, COPIER_MEMORY_GIB = 1, 2  # the init container that copies the model from S3
MONITORING_NAMESPACE = "monitoring"
SCRATCH_GIB = 8  # /tmp: vLLM and Triton compile caches (HOME points there)
CONFIG_HASH_ANNOTATION = "aeon.ai/model-config-sha256"
# Loading weights takes minutes: the startup probe gives Triton 20 minutes to turn ready.
STARTUP_PERIOD_S, STARTUP_FAILURES = 10, 120
# How long `pulumi up` waits for a rollout (pulumi-kubernetes' default for a Deployment is 10
# minutes, less than the startup probe alone). Before the probe's 20 minutes a new pod may wait
# for the Cluster Autoscaler's GPU node, pull the multi-GB Triton image and copy the weights from
# S3 (the init container); 10 more minutes covers those. The Deployment's own progress deadline
# matches, so Kubernetes does not report a rollout that is still loading as failed.
ROLLOUT_TIMEOUT_S = STARTUP_PERIOD_S * STARTUP_FAILURES + 600
ROLLOUT_TIMEOUTS = pulumi.CustomTimeouts(
    create=f"{ROLLOUT_TIMEOUT_S // 60}m", update=f"{ROLLOUT_TIMEOUT_S // 60}m"
)


class TritonServingArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    model_name: str
    backend: str  # "vllm", or a dynamically batched backend such as "onnxruntime"
    image: str
    namespace: str
    pool: str  # the node group the pods land on
    priority_class: str | None
    replicas: int
    max_replicas: int
    gpus: int  # per pod: the tensor parallelism for vLLM
    batching: DynamicBatching | int  # Triton's batcher, or vLLM's max_num_seqs
    hpa_target_cpu_pct: int
    cpu: float
    memory_gib: float
    artifact_gib: float = 40  # emptyDir for the copied weights
    node_port: int | None = None  # the load balancer's target; None: in-cluster only
    client_cidrs: list[str] = []  # who may reach the HTTP port (the NLB keeps client addresses)
    client_labels: dict[str, str] | None = None  # in-cluster callers of an internal model
    artifact_bucket: Any  # Output[str]: the bucket holding models/<name>/
    service_account_role_arn: Any  # IRSA role that reads that prefix


class TritonServing(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: TritonServingArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:TritonServing", name, None, opts)
        # The settings reject such an image with its key path; this guards other callers.
        if problem := backend_problem(args.image, args.backend):
            raise ValueError(f"image {args.image}: {problem}")
        child = pulumi.ResourceOptions(parent=self)
        app = f"triton-{args.model_name}"
        labels = {"app.kubernetes.io/name": "triton", "aeon.ai/model": args.model_name}
        meta = {"namespace": args.namespace, "labels": labels}
        model_dir = f"{MODEL_REPOSITORY}/{args.model_name}"
        files = repository_files(
            args.model_name,
            args.backend,
            args.batching,
            tensor_parallelism=args.gpus,
            weights_dir=f"{model_dir}/{VERSION}/weights",
        )
        keys = {path: path.replace("/", "_") for path in files}  # ConfigMap keys have no "/"
        config = k8s.core.v1.ConfigMap(
            f"{name}-model-config",
            metadata={**meta, "name": f"{args.model_name}-model-config"},
            data={keys[path]: text for path, text in files.items()},
            opts=child,
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata={
                **meta,
                "name": app,
                "annotations": {"eks.amazonaws.com/role-arn": args.service_account_role_arn},
            },
            automount_service_account_token=False,
            opts=child,
        )
        pod = self._pod(args, labels, model_dir, files, keys, config, account)
        template_meta = {
            "labels": labels,
            "annotations": {CONFIG_HASH_ANNOTATION: repository_digest(files)},
        }
        self.deployment = k8s.apps.v1.Deployment(
            name,
            metadata={**meta, "name": app},
            spec={
                "replicas": args.replicas,
                "progressDeadlineSeconds": ROLLOUT_TIMEOUT_S,
                "selector": {"matchLabels": labels},
                "template": {"metadata": template_meta, "spec": pod},
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=["spec.replicas"],  # the HPA owns the replica count after creation
                custom_timeouts=ROLLOUT_TIMEOUTS,
            ),
        )
        http: dict[str, Any] = {"name": "http", "port": HTTP_PORT, "targetPort": "http"}
        if args.node_port is not None:
            http["nodePort"] = args.node_port
        self.service = k8s.core.v1.Service(
            name,
            metadata={**meta, "name": app},
            spec={
                "type": "NodePort" if args.node_port is not None else "ClusterIP",
                "selector": labels,
                "ports": [
                    http,
                    {"name": "grpc", "port": GRPC_PORT, "targetPort": "grpc"},
                    {"name": "metrics", "port": METRICS_PORT, "targetPort": "metrics"},
                ],
            },
            opts=child,
        )
        self.hpa = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            name,
            metadata={**meta, "name": app},
            spec={
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.deployment]),
        )
        # A drain takes one server at a time; with one replica it waits for the HPA's next pod.
        disruption_budget(f"{name}-pdb", app, args.namespace, labels, 1, child)
        ingress = [from_pods({}, [METRICS_PORT], MONITORING_NAMESPACE)]
        ingress += [from_cidr(cidr, [HTTP_PORT, GRPC_PORT]) for cidr in args.client_cidrs]
        if args.client_labels is not None:
            ingress.append(from_pods(args.client_labels, [HTTP_PORT, GRPC_PORT]))
        network_policy(f"{name}-ingress", app, args.namespace, labels, ingress, child)
        self.register_outputs({"deployment": app, "service": app})

    @staticmethod
    def _pod(args, labels, model_dir, files, keys, config, account) -> dict[str, Any]:
        gpus = {GPU_RESOURCE: str(args.gpus)}
        mounts = [
            {"name": "model-repository", "mountPath": MODEL_REPOSITORY},
            {"name": "scratch", "mountPath": "/tmp"},
            {"name": "shm", "mountPath": "/dev/shm"},  # NCCL between tensor-parallel ranks
        ] + [
            {
                "name": "model-config",
                "mountPath": f"{model_dir}/{path}",
                "subPath": keys[path],
                "readOnly": True,
            }
            for path in files
        ]
        env = [{"name": "HOME", "value": "/tmp"}]
        triton = {
            "name": "triton",
            "image": args.image,
            "imagePullPolicy": "IfNotPresent",
            "args": [
                "tritonserver",
                f"--model-repository={MODEL_REPOSITORY}",
                "--model-control-mode=none",
                "--strict-readiness=true",
                # p50/p90/p95/p99 of request and queue time (nv_inference_request_summary_us):
                # what `aeon validate` judges a batching change by; the counters give only means
                "--metrics-config=summary_latencies=true",
            ],
            "env": env,
            "ports": [
                {"name": "http", "containerPort": HTTP_PORT},
                {"name": "grpc", "containerPort": GRPC_PORT},
                {"name": "metrics", "containerPort": METRICS_PORT},
            ],
            "resources": guaranteed(args.cpu, args.memory_gib, **gpus),
            "startupProbe": http_probe(
                "/v2/health/ready", "http", period_s=STARTUP_PERIOD_S, failures=STARTUP_FAILURES
            ),
            "livenessProbe": http_probe("/v2/health/live", "http"),
            "readinessProbe": http_probe("/v2/health/ready", "http", period_s=5),
            "securityContext": container_security(),
            "volumeMounts": mounts,
        }
        copy_to = f"{model_dir}/{VERSION}" + ("/weights" if args.backend == VLLM else "")
        copier = {
            "name": "copy-model",
            "image": ARTIFACT_COPIER_IMAGE,
            "imagePullPolicy": "IfNotPresent",
            "command": ["aws", "s3", "sync", "--only-show-errors"],
            "args": [
                pulumi.Output.concat("s3://", args.artifact_bucket, f"/models/{args.model_name}/"),
                copy_to,
            ],
            "env": env,
            # Guaranteed QoS needs every container, init containers too, at requests == limits.
            "resources": guaranteed(COPIER_CPU, COPIER_MEMORY_GIB),
            "securityContext": container_security(),
            "volumeMounts": mounts[:2],
        }
        pod: dict[str, Any] = {
            "serviceAccountName": account.metadata["name"],
            "automountServiceAccountToken": False,
            "securityContext": pod_security(TRITON_USER),
            "nodeSelector": {NODE_GROUP_LABEL: args.pool},
            "tolerations": [
                {"key": GPU_TAINT["key"], "operator": "Exists", "effect": GPU_TAINT["effect"]}
            ],
            "initContainers": [copier],
            "containers": [triton],
            "volumes": [
                {"name": "model-config", "configMap": {"name": config.metadata["name"]}},
                {"name": "model-repository", "emptyDir": {"sizeLimit": f"{args.artifact_gib:g}Gi"}},
                {"name": "scratch", "emptyDir": {"sizeLimit": f"{SCRATCH_GIB}Gi"}},
                {"name": "shm", "emptyDir": {"medium": "Memory"}},
            ],
            "terminationGracePeriodSeconds": 60,
        }
        if args.priority_class:
            pod["priorityClassName"] = args.priority_class
        return pod


def repository_digest(files: dict[str, str]) -> str:
    """SHA-256 of a model repository's rendered files (paths and contents)."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
