"""What a pool's instance types are, from the EC2 catalog: checked before anything is registered.

The facts (GPU count and memory, vCPUs, architecture, where a type is offered) come from moto's
packaged DescribeInstanceTypes data (`components.facts.catalog`); no network. A pool whose types
AWS would not launch together (unknown type, not offered in its region, mixed CPU architectures,
training types of unequal GPU count or memory, GPU types in a CPU pool) fails here with the key
path of the offending entry, before the first resource is registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.facts.catalog import Catalog, InstanceSpec, family_of, from_moto_package
from components.facts.shapes import interchangeable, shape_of
from components.settings import PROJECT, Pool, StackSettings


@dataclass(frozen=True)
class PoolFacts:
    """What the components need to know about one pool's types."""

    architecture: str  # x86_64 or arm64: one AMI per launch template
    gpus_per_node: int  # the smallest GPU count among the types (0 for CPU pools)
    max_gpus_per_node: int
    weights: dict[str, int]  # weighted capacity per type, in units of the smallest type
    accelerator: str = ""  # GPU model as a label value, e.g. nvidia-h100 ("" for CPU pools)
    efa_interfaces: int = 0  # EFA interfaces every type of the pool takes (0: no EFA)

    @property
    def has_gpu(self) -> bool:
        return self.gpus_per_node > 0


class PoolTypeError(ValueError):
    """A pool's instance types that AWS would not launch; one line per problem, key path first."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def capacity(pool: Pool, spec: InstanceSpec) -> int:
    """A type's capacity in its pool's basis: GPUs in GPU pools, vCPUs in the others."""
    return spec.gpu_count if pool.is_gpu else spec.vcpus


def capacity_of(pool: Pool, instance_type: str, region: str) -> int | None:
    """`capacity` by type name, from the catalog; None for a type the catalog lacks."""
    spec = from_moto_package((region,)).get(instance_type)
    return None if spec is None else capacity(pool, spec)


def pool_facts(settings: StackSettings) -> dict[str, PoolFacts]:
    """Facts for every pool, or PoolTypeError listing every problem found."""
    catalog = from_moto_package(tuple(sorted({r.name for r in settings.regions})))
    facts: dict[str, PoolFacts] = {}
    problems: list[str] = []
    for index, pool in enumerate(settings.pools):
        found = _facts(pool, f"{PROJECT}:pools[{index}]", catalog, problems)
        if found is not None:
            facts[pool.name] = found
    if settings.serving is not None and not problems:
        inference = settings.serving.inference
        for pool in settings.node_group(inference.pool):
            target = facts.get(pool.name)
            if target is not None and target.gpus_per_node < inference.tensor_parallelism:
                problems.append(
                    f"{PROJECT}:serving.inference.tensor_parallelism: "
                    f"{inference.tensor_parallelism} GPUs per pod, but pool {pool.name!r} of "
                    f"node group {inference.pool!r} has types with {target.gpus_per_node} GPU(s) "
                    "per node"
                )
    if problems:
        raise PoolTypeError(problems)
    return facts


def _facts(pool: Pool, path: str, catalog: Catalog, problems: list[str]) -> PoolFacts | None:
    specs = []
    before = len(problems)
    for i, name in enumerate(pool.instance_types):
        where = f"{path}.instance_types[{i}] ({pool.name!r})"
        spec = catalog.get(name)
        if spec is None:
            family = family_of(name)
            known = any(family_of(t) == family for t in catalog.specs)
            what = f"size of family {family}" if known else f"family {family}"
            problems.append(
                f"{where}: unknown instance type {name!r} (no such {what} in the EC2 catalog)"
            )
            continue
        if not catalog.is_offered(name, pool.region):
            problems.append(f"{where}: {name} is not offered in {pool.region}")
            continue
        if pool.is_gpu and not spec.has_gpu:
            problems.append(f"{where}: {name} has no NVIDIA GPU but the pool's role is {pool.role}")
            continue
        if not pool.is_gpu and spec.gpu_count:
            problems.append(f"{where}: {name} has GPUs; a {pool.role} pool runs CPU types only")
            continue
        specs.append(spec)
    if len(problems) > before or not specs:
        return None
    arches = {("arm64" if "arm64" in s.architectures else "x86_64") for s in specs}
    if len(arches) > 1:
        problems.append(
            f"{path}.instance_types ({pool.name!r}): mixes architectures "
            f"{', '.join(sorted(arches))}; "
            "one launch template boots one AMI"
        )
        return None
    if pool.role.runs_on_kubernetes and not interchangeable(specs):
        listing = "; ".join(f"{s.instance_type} ({shape_of(s).describe()})" for s in specs)
        problems.append(
            f"{path}.instance_types ({pool.name!r}): the Cluster Autoscaler scales this pool in "
            "nodes of one shape, so its types must be interchangeable (same vCPUs, memory within "
            f"10%, same GPU count and GPU memory); got {listing}. Split it into one pool per "
            "shape with the same node_group"
        )
        return None
    # Autoscaler pools count nodes (weight 1); fleets keep ASG-native weighted capacity.
    smallest = min(capacity(pool, s) for s in specs)
    one_shape = pool.role.runs_on_kubernetes
    return PoolFacts(
        architecture=arches.pop(),
        gpus_per_node=min(s.gpu_count for s in specs),
        max_gpus_per_node=max(s.gpu_count for s in specs),
        weights={
            s.instance_type: 1 if one_shape else max(1, round(capacity(pool, s) / smallest))
            for s in specs
        },
        accelerator=_accelerator(specs),
        efa_interfaces=min(s.efa_interfaces for s in specs),
    )


def _accelerator(specs) -> str:
    names = sorted({s.gpu_name for s in specs if s.has_gpu and s.gpu_name})
    return "-".join(["nvidia", *(n.lower().replace(" ", "-") for n in names)]) if names else ""
