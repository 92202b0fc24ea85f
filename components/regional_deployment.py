"""Everything deployed in one region, with that region's own AWS provider.

The primary region runs core inference, the vector store, training, the serving caches and the
data buckets; edge regions run edge inference, HTTP cache fleets and preprocessing workers.
Kubernetes resources use the region's cluster through a provider built from its outputs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.eks_cluster import EksCluster, EksClusterArgs
from components.fleet import FleetArgs, ScaledFleet, fleet_ami_parameter
from components.gpu_sharing import GpuSharing, GpuSharingArgs
from components.monitoring import MonitoringArgs, RegionalMonitoring
from components.network import Network, NetworkArgs
from components.node_lifecycle import ClusterAutoscaler, NodeLifecycleArgs, NodeTerminationHandler
from components.node_pool import CpuNodePool, GpuNodePool, NodePoolArgs, eks_ami_parameter
from components.node_storage import NodeStorage, NodeStorageArgs
from components.pool_types import PoolFacts
from components.regional_serving import MODEL_BUCKET, RegionalServing, RegionalServingArgs
from components.settings import EbsClasses, Region, StackSettings
from components.storage_tiering import StorageTiering, StorageTieringArgs


class RegionalDeploymentArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    region: Region
    settings: StackSettings
    facts: dict[str, PoolFacts] = {}
    model_bucket: Any = None  # edges: the primary's bucket holding models/<name>/
    zone_id: Any = None  # the hosted zone ACM validates certificates in

    @property
    def is_primary(self) -> bool:
        return self.region.role == "primary"


def cluster_name(settings: StackSettings, region: str) -> str:
    return f"aeon-{settings.environment}-{region}"


class RegionalDeployment(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: RegionalDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:RegionalDeployment", name, None, opts)
        settings, region = args.settings, args.region.name
        self.provider = aws.Provider(
            region, region=region, opts=pulumi.ResourceOptions(parent=self)
        )
        # Children inherit the regional provider through `providers`.
        within = pulumi.ResourceOptions(parent=self, providers={"aws": self.provider})
        self._amis: dict[str, Any] = {}
        ebs = settings.storage.ebs if settings.storage else EbsClasses()

        self.network = Network(region, NetworkArgs(region=args.region), opts=within)
        pools = settings.pools_in(region)
        kube = settings.kubernetes
        node_pools = [p for p in pools if p.role.runs_on_kubernetes]

        self.storage = None
        if args.is_primary and settings.storage is not None:
            self.storage = StorageTiering(
                f"aeon-{settings.environment}-data",
                StorageTieringArgs(storage=settings.storage, environment=settings.environment),
                opts=within,
            )

        self.cluster: EksCluster | None = None
        self.node_pools: dict[str, Any] = {}
        k8s_within = within
        if kube is not None and node_pools:
            name_ = cluster_name(settings, region)
            self.cluster = EksCluster(
                f"{region}-eks",
                EksClusterArgs(
                    cluster_name=name_,
                    region=region,
                    kubernetes=kube,
                    subnet_ids=self.network.private_subnet_ids,
                    vpc_id=self.network.vpc_id,
                    vpc_cidr=args.region.vpc_cidr,
                ),  # fmt: skip
                opts=within,
            )
            for pool in node_pools:
                facts = args.facts[pool.name]
                kind = GpuNodePool if facts.has_gpu else CpuNodePool
                self.node_pools[pool.name] = kind(
                    pool.name,
                    NodePoolArgs(
                        pool=pool,
                        facts=facts,
                        kubernetes=kube,
                        ebs=ebs,
                        cluster_name=name_,
                        cluster=self.cluster,
                        subnet_ids=self.network.private_subnet_ids,
                        ami_id=self._ami(
                            eks_ami_parameter(kube.version, facts.architecture, facts.has_gpu)
                        ),
                    ),  # fmt: skip
                    opts=within,
                )
            # Releases wait for their pods: the CPU pools' nodes must be on their way first, or
            # a first `pulumi up` times out on charts whose pods have nowhere to run.
            system_nodes = [
                self.node_pools[p.name] for p in node_pools if not args.facts[p.name].has_gpu
            ]
            k8s_within = pulumi.ResourceOptions(
                parent=self,
                providers={"aws": self.provider, "kubernetes": self.cluster.k8s_provider},
                depends_on=system_nodes,
            )
        # First on the cluster: kube-prometheus-stack installs the CRDs others' ServiceMonitors use.
        self.monitoring = RegionalMonitoring(
            f"{region}-monitoring",
            MonitoringArgs(
                monitoring=settings.monitoring, kubernetes=kube if self.cluster else None
            ),
            opts=k8s_within,
        )
        self.serving: RegionalServing | None = None
        if self.cluster is not None and kube is not None:
            storage_classes = NodeStorage(
                f"{region}-node-storage", NodeStorageArgs(ebs=ebs), opts=k8s_within
            )
            sharing = GpuSharing(
                f"{region}-gpu-sharing",
                GpuSharingArgs(
                    kubernetes=kube,
                    region_role=args.region.role,
                    gpu_pools=[p for p in node_pools if p.is_gpu],
                    crd_provider=self.monitoring.prometheus_stack,
                ),  # fmt: skip
                opts=k8s_within,
            )
            lifecycle = NodeLifecycleArgs(
                region=region, cluster_name=name_, cluster=self.cluster, kubernetes=kube
            )
            ClusterAutoscaler(f"{region}-cluster-autoscaler", lifecycle, opts=k8s_within)
            NodeTerminationHandler(f"{region}-node-termination", lifecycle, opts=k8s_within)
            if settings.serving is not None:
                bucket = args.model_bucket
                if bucket is None and self.storage is not None:
                    bucket = self.storage.buckets[MODEL_BUCKET].bucket
                self.serving = RegionalServing(
                    f"{region}-serving",
                    RegionalServingArgs(
                        region=args.region,
                        settings=settings,
                        cluster=self.cluster,
                        node_groups={n: p.group.name for n, p in self.node_pools.items()},
                        vpc_id=self.network.vpc_id,
                        public_subnet_ids=self.network.public_subnet_ids,
                        private_subnet_ids=self.network.private_subnet_ids,
                        internal_security_group_id=self.network.internal_security_group.id,
                        model_bucket=bucket,
                        zone_id=args.zone_id,
                    ),  # fmt: skip
                    # Workloads wait for their namespaces, quotas, priority and storage classes.
                    opts=pulumi.ResourceOptions.merge(
                        k8s_within,
                        pulumi.ResourceOptions(depends_on=[storage_classes, sharing]),
                    ),
                )

        self.fleets: dict[str, ScaledFleet] = {}
        for pool in pools:
            if pool.role.runs_on_kubernetes:
                continue
            facts = args.facts[pool.name]
            self.fleets[pool.name] = ScaledFleet(
                pool.name,
                FleetArgs(
                    pool=pool,
                    facts=facts,
                    ebs=ebs,
                    monitoring=settings.monitoring,
                    subnet_ids=self.network.private_subnet_ids,
                    security_group_id=self.network.internal_security_group.id,
                    ami_id=self._ami(fleet_ami_parameter(facts.architecture)),
                    alert_topic_arn=self.monitoring.alert_topic.arn,
                    origin=settings.routing.domain if settings.routing else None,
                ),  # fmt: skip
                opts=within,
            )
        self.endpoint = self.serving.endpoint if self.serving is not None else None

        self.outputs: dict[str, object] = {
            "vpc_id": self.network.vpc_id,
            "public_subnet_ids": self.network.public_subnet_ids,
            "private_subnet_ids": self.network.private_subnet_ids,
        }
        if self.cluster is not None:
            self.outputs["cluster_name"] = self.cluster.name
        if self.endpoint is not None:
            self.outputs["inference_endpoint"] = self.endpoint.dns_name
        self.register_outputs(self.outputs)

    def _ami(self, parameter: str) -> Any:
        """One SSM lookup per AMI parameter and region."""
        if parameter not in self._amis:
            self._amis[parameter] = aws.ssm.get_parameter_output(
                name=parameter, opts=pulumi.InvokeOutputOptions(provider=self.provider)
            ).value
        return self._amis[parameter]
