"""What one region serves: in the primary, the LLM (vLLM in Triton), the embedding model (Triton's
dynamic batcher, `serving.embedder`), the vector store and the serving caches; in an edge region,
the distilled LLM. Each region's public models sit behind its TLS load balancer. Each model takes
its batching and replicas from its own keys.

Model artifacts come from `s3://<bucket>/models/<model>/` of the primary's model bucket; each
Triton Deployment's service account assumes an IRSA role that can only read that prefix.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict

from components.caches import ServingCaches, ServingCachesArgs
from components.facts.triton_images import VLLM
from components.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.serving import TritonServing, TritonServingArgs
from components.settings import Region, RegionRole, StackSettings
from components.vector_store import VectorStoreArgs, VectorStoreService

MODEL_BUCKET = "checkpoints"  # the data bucket whose models/ prefix holds served artifacts
INTERNET = "0.0.0.0/0"  # the network load balancer keeps client addresses


def read_models_statement(bucket: str, model: str) -> list[dict[str, Any]]:
    return [
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/models/{model}/*",
        },
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": [f"models/{model}/*"]}},
        },
    ]


class RegionalServingArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    region: Region
    settings: StackSettings
    cluster: Any  # EksCluster
    node_groups: dict[str, Any]  # pool name -> ASG name (Output)
    vpc_id: Any
    public_subnet_ids: list[Any]
    private_subnet_ids: list[Any]
    internal_security_group_id: Any
    model_bucket: Any
    zone_id: Any = None


class RegionalServing(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: RegionalServingArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:RegionalServing", name, None, opts)
        self._args = args
        settings, serving = args.settings, args.settings.serving
        assert serving is not None
        kube = settings.kubernetes
        assert kube is not None
        self._priorities = {ns.name: ns.priority_class for ns in kube.namespaces}
        inference = serving.inference
        primary = args.region.role == RegionRole.PRIMARY
        self.endpoint: InferenceEndpoint | None = None
        target = None
        if primary:
            target = inference.pool
            self._triton(
                name, inference.model_name, VLLM, inference.image, inference.namespace,
                target, inference.replicas, inference.max_replicas, inference.tensor_parallelism,
                inference.cpu_per_replica, inference.memory_gib_per_replica,
                inference.max_num_seqs, inference.hpa_target_cpu_pct, public=True,
            )  # fmt: skip
            embedder = serving.embedder
            self._triton(
                name, embedder.name, embedder.backend, serving.embedder_image(),
                inference.namespace,
                settings.embedder_group(), embedder.replicas, embedder.max_replicas, 1,
                embedder.cpu_per_replica, embedder.memory_gib_per_replica, embedder.batching,
                embedder.hpa_target_cpu_pct or inference.hpa_target_cpu_pct,
                public=False, artifact_gib=embedder.artifact_gib,
            )  # fmt: skip
            child = pulumi.ResourceOptions(parent=self)
            VectorStoreService(
                f"{args.region.name}-vector-store",
                VectorStoreArgs(store=serving.vector_store, storage_class="hot"),
                opts=child,
            )
            ServingCaches(
                f"{args.region.name}-caches",
                ServingCachesArgs(
                    caches={
                        "embedding-cache": serving.embedding_cache,
                        "result-cache": serving.result_cache,
                    },
                    subnet_ids=args.private_subnet_ids,
                    security_group_id=args.internal_security_group_id,
                    namespace=inference.namespace,
                ),  # fmt: skip
                opts=child,
            )
        elif serving.edge_inference is not None and args.region.role == RegionRole.EDGE:
            edge = serving.edge_inference
            target = settings.edge_inference_group(args.region.name)
            self._triton(
                name, edge.model_name, VLLM, inference.image, edge.namespace, target,
                edge.replicas, edge.max_replicas, 1, edge.cpu_per_replica,
                edge.memory_gib_per_replica, edge.max_num_seqs,
                edge.hpa_target_cpu_pct or inference.hpa_target_cpu_pct, public=True,
            )  # fmt: skip
        if target is not None and settings.routing is not None:
            self.endpoint = InferenceEndpoint(
                f"{args.region.name}-inference",
                InferenceEndpointArgs(
                    routing=settings.routing,
                    node_port=inference.node_port,
                    vpc_id=args.vpc_id,
                    public_subnet_ids=args.public_subnet_ids,
                    group_names=[args.node_groups[p.name] for p in settings.node_group(target)],
                    node_security_group_id=args.cluster.node_security_group_id,
                    zone_id=args.zone_id,
                ),  # fmt: skip
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})

    def _triton(
        self, name, model, backend, image, namespace, pool, replicas, max_replicas, gpus, cpu,
        memory_gib, batching, hpa_target_cpu_pct, *, public: bool, artifact_gib: float = 40,
    ) -> TritonServing:  # fmt: skip
        args = self._args
        inference = args.settings.serving.inference
        account = f"triton-{model}"
        role = args.cluster.service_account_role(
            f"{args.region.name}-{account}",
            namespace,
            account,
            statements=pulumi.Output.from_input(args.model_bucket).apply(
                lambda bucket: read_models_statement(bucket, model)
            ),
            parent=self,
        )
        return TritonServing(
            f"{args.region.name}-triton" if public else f"{args.region.name}-{account}",
            TritonServingArgs(
                model_name=model,
                backend=backend,
                image=image,
                namespace=namespace,
                pool=pool,
                priority_class=self._priorities.get(namespace),
                replicas=replicas,
                max_replicas=max_replicas,
                gpus=gpus,
                batching=batching,
                hpa_target_cpu_pct=hpa_target_cpu_pct,
                cpu=cpu,
                memory_gib=memory_gib,
                artifact_gib=artifact_gib,
                node_port=inference.node_port if public else None,
                client_cidrs=[INTERNET] if public else [],
                client_labels=None if public else {},
                artifact_bucket=args.model_bucket,
                service_account_role_arn=role.arn,
            ),  # fmt: skip
            opts=pulumi.ResourceOptions(parent=self),
        )


def policy_json(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
