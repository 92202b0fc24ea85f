"""The root component: checks the pools against the EC2 catalog, then one RegionalDeployment per
configured region, VPC peering from the primary to each edge, global routing across their
inference endpoints, and the stack's budget."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.budgets import CostBudget, CostBudgetArgs
from components.charts import REPOSITORIES
from components.peering import PeerSide, VpcPeering, VpcPeeringArgs
from components.pod_fit import pod_fit_problems
from components.pool_types import PoolFacts, PoolTypeError, pool_facts
from components.regional_deployment import RegionalDeployment, RegionalDeploymentArgs
from components.regional_serving import MODEL_BUCKET
from components.routing import GlobalRouting, GlobalRoutingArgs
from components.settings import PROJECT, Region, RegionRole, StackSettings

GLOBAL_REGION = "us-east-1"  # CloudFront takes certificates from us-east-1 only


class DeploymentConfigError(pulumi.RunError):
    """A config the schema accepts but AWS or the cluster could not run; raised before any
    resource is registered. The Pulumi CLI prints the message without a traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid stack config for stack {pulumi.get_stack()!r}:\n{listing}")


def preflight(settings: StackSettings) -> dict[str, PoolFacts]:
    """Everything that needs the catalog or several keys at once; raises DeploymentConfigError."""
    problems: list[str] = []
    try:
        facts = pool_facts(settings)
    except PoolTypeError as exc:
        problems.extend(exc.problems)
        facts = {}
    on_kubernetes = [p.name for p in settings.pools if p.role.runs_on_kubernetes]
    if on_kubernetes and settings.kubernetes is None:
        problems.append(
            f"{PROJECT}:kubernetes: required key is missing; pools "
            f"{', '.join(on_kubernetes)} run on EKS"
        )
    if settings.kubernetes is not None and on_kubernetes:
        missing = sorted(set(REPOSITORIES) - set(settings.kubernetes.chart_versions))
        if missing:
            problems.append(
                f"{PROJECT}:kubernetes.chart_versions: no version for chart(s) {', '.join(missing)}"
            )
    problems.extend(_serving_references(settings))
    if not problems:  # the pools' types are known
        problems.extend(pod_fit_problems(settings))
    if problems:
        raise DeploymentConfigError(problems)
    return facts


def _serving_references(settings: StackSettings) -> list[str]:
    """Serving workloads land in namespaces and on pools that exist where they run."""
    serving, kube = settings.serving, settings.kubernetes
    if serving is None or kube is None:
        return []
    namespaces = {ns.name: ns.region_roles for ns in kube.namespaces}
    wanted = [
        ("serving.inference.namespace", serving.inference.namespace, RegionRole.PRIMARY),
        ("serving.vector_store.namespace", serving.vector_store.namespace, RegionRole.PRIMARY),
    ]
    if serving.edge_inference is not None:
        wanted.append(
            ("serving.edge_inference.namespace", serving.edge_inference.namespace, RegionRole.EDGE)
        )
    problems = [
        f"{PROJECT}:{key}: namespace {name!r} is not in kubernetes.namespaces for {role} "
        f"clusters; defined: {', '.join(sorted(namespaces)) or 'none'}"
        for key, name, role in wanted
        if role not in namespaces.get(name, [])
    ]
    buckets = {b.name for b in settings.storage.buckets} if settings.storage else set()
    if MODEL_BUCKET not in buckets:
        problems.append(
            f"{PROJECT}:storage.buckets: serving reads model artifacts from the "
            f"{MODEL_BUCKET!r} bucket (models/<model>/); add it"
        )
    store_pool = serving.vector_store.pool
    primary = {p.group for p in settings.pools_in(settings.primary_region.name)}
    if store_pool is not None and store_pool not in primary:
        problems.append(
            f"{PROJECT}:serving.vector_store.pool: {store_pool!r} is not a pool or node group "
            f"of the primary region {settings.primary_region.name}"
        )
    return problems


class GlobalDeployment(pulumi.ComponentResource):
    def __init__(
        self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None
    ):
        facts = preflight(settings)  # before anything is registered
        super().__init__("aeon:index:GlobalDeployment", name, None, opts)
        # Global services (Route 53, CloudFront and its certificate, Budgets) live in us-east-1.
        self.global_provider = aws.Provider(
            "global", region=GLOBAL_REGION, opts=pulumi.ResourceOptions(parent=self)
        )
        global_opts = pulumi.ResourceOptions(parent=self, providers={"aws": self.global_provider})
        # The zone comes first: every region validates its TLS certificate in it.
        self.zone = None
        if settings.routing is not None:
            self.zone = aws.route53.Zone(
                f"aeon-{settings.environment}-zone", name=settings.routing.domain, opts=global_opts
            )
        zone_id = self.zone.zone_id if self.zone is not None else None
        # The primary first: edges serve models from the primary's model bucket.
        ordered = sorted(settings.regions, key=lambda r: r.role != RegionRole.PRIMARY)
        self.regions: dict[str, RegionalDeployment] = {}
        model_bucket = None
        for region in ordered:
            deployment = RegionalDeployment(
                region.name,
                RegionalDeploymentArgs(
                    region=region,
                    settings=settings,
                    facts=facts,
                    model_bucket=model_bucket,
                    zone_id=zone_id,
                ),  # fmt: skip
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.regions[region.name] = deployment
            if region.role == RegionRole.PRIMARY and deployment.storage is not None:
                bucket = deployment.storage.buckets.get(MODEL_BUCKET)
                model_bucket = bucket.bucket if bucket is not None else None
        # `pulumi up` runs in the primary VPC; the edges' private EKS endpoints are reached
        # through these connections.
        self.peerings: dict[str, VpcPeering] = {}
        if settings.network.peer_edges:
            primary = settings.primary_region
            for edge in settings.edge_regions:
                cluster = self.regions[edge.name].cluster
                self.peerings[edge.name] = VpcPeering(
                    f"{primary.name}-{edge.name}",
                    VpcPeeringArgs(
                        requester=self._peer_side(primary),
                        accepter=self._peer_side(edge),
                        api_security_group_id=cluster and cluster.cluster_security_group_id,
                    ),
                    opts=pulumi.ResourceOptions(parent=self),
                )
        endpoints = {r: d.endpoint for r, d in self.regions.items() if d.endpoint is not None}
        self.routing = None
        if settings.routing is not None and self.zone is not None and endpoints:
            self.routing = GlobalRouting(
                f"aeon-{settings.environment}-routing",
                GlobalRoutingArgs(routing=settings.routing, endpoints=endpoints, zone=self.zone),
                opts=global_opts,
            )
        if settings.budget is not None:
            CostBudget(
                f"aeon-{settings.environment}-budget",
                CostBudgetArgs(budget=settings.budget, environment=settings.environment),
                opts=global_opts,
            )
        self.register_outputs({name: r.outputs for name, r in self.regions.items()})

    def _peer_side(self, region: Region) -> PeerSide:
        deployment = self.regions[region.name]
        return PeerSide(
            region=region,
            provider=deployment.provider,
            vpc_id=deployment.network.vpc_id,
            route_table_ids=deployment.network.private_route_table_ids,
        )
