"""Workload hygiene on Kubernetes: non-root pods, health probes, resource limits, and a
PodDisruptionBudget for every long-running workload (the ones a node drain evicts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .core import Res, get, guardrail, is_map, items, known, truthy
from .kubernetes import POD_SPEC_PATHS, _namespace, _pod_spec

LONG_RUNNING = (
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
)
DISRUPTABLE = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")
PDB = "kubernetes:policy/v1:PodDisruptionBudget"


def _containers(spec: Any, *, init: bool = True) -> list[Any]:
    found = items(get(spec, "containers"))
    return found + items(get(spec, "initContainers")) if init else found


def _name(container: Any) -> str:
    return str(get(container, "name", default="?"))


@guardrail(
    "k8s-pod-non-root",
    "Every workload's containers run as non-root (runAsNonRoot true on the pod or the container), "
    "unprivileged, without privilege escalation. Remediation: set securityContext.runAsNonRoot: "
    "true (and a runAsUser the image owns), privileged: false, allowPrivilegeEscalation: false.",
    severity="high",
)
def non_root(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in POD_SPEC_PATHS:
        return
    spec = _pod_spec(res)
    if spec is None:
        return
    pod_non_root = truthy(get(spec, "securityContext", "runAsNonRoot"))
    for container in _containers(spec):
        security = get(container, "securityContext", default={})
        non_root_ = get(security, "runAsNonRoot")
        if not (truthy(non_root_) or (pod_non_root and non_root_ is None)):
            yield f"container '{_name(container)}' may run as root (runAsNonRoot is not true)"
        if truthy(get(security, "privileged")):
            yield f"container '{_name(container)}' is privileged"
        if get(security, "allowPrivilegeEscalation") is not False:
            yield f"container '{_name(container)}' allows privilege escalation (unset or true)"


@guardrail(
    "k8s-probes",
    "Every container of a Deployment, StatefulSet or DaemonSet has a liveness and a readiness "
    "probe, so a hung server is restarted and an unready one gets no traffic. Remediation: set "
    "livenessProbe and readinessProbe.",
    severity="medium",
)
def probes(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in LONG_RUNNING:
        return
    spec = _pod_spec(res)
    for container in _containers(spec, init=False):
        for probe in ("livenessProbe", "readinessProbe"):
            if not is_map(get(container, probe)):
                yield f"container '{_name(container)}' has no {probe}"


@guardrail(
    "k8s-resource-limits",
    "Every container sets CPU and memory requests and limits, so the scheduler places it on "
    "what it uses and it cannot starve its neighbours. Remediation: set resources.requests and "
    "resources.limits for cpu and memory.",
    severity="medium",
)
def limits(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type not in POD_SPEC_PATHS:
        return
    spec = _pod_spec(res)
    for container in _containers(spec):
        missing = [
            f"{kind}.{resource}"
            for kind in ("requests", "limits")
            for resource in ("cpu", "memory")
            if get(container, "resources", kind, resource) is None
        ]
        if missing:
            yield f"container '{_name(container)}' sets no {', '.join(missing)}"


def _matches(selector: Any, labels: Any) -> bool:
    wanted = get(selector, "matchLabels", default={})
    return is_map(wanted) and is_map(labels) and all(labels.get(k) == wanted[k] for k in wanted)


_UNKNOWN = object()


class _Budgets:
    """PodDisruptionBudgets by namespace and first matchLabels pair, so a workload is matched
    against the few that could select it, not every one. Those whose first pair is not a known
    string (unknown during preview, empty, odd) are tried for every workload of their namespace,
    so a workload meets exactly the matches and unknowns it met when all were scanned in order.
    """

    def __init__(self, resources: list[Res]) -> None:
        self._always: dict[str, list[tuple[int, Any]]] = {}
        self._by_label: dict[tuple[str, str, str], list[tuple[int, Any]]] = {}
        self._by_key: dict[tuple[str, str], list[tuple[int, Any]]] = {}
        budgets = [
            (_namespace(r), get(r.props, "spec", "selector")) for r in resources if r.type == PDB
        ]
        for i, (namespace, selector) in enumerate(budgets):
            wanted = known(lambda s=selector: get(s, "matchLabels", default={}), _UNKNOWN)
            if wanted is not _UNKNOWN and not is_map(wanted):
                continue  # selects nothing
            first = next(iter(wanted), None) if is_map(wanted) else None
            value = known(lambda w=wanted, k=first: w[k], _UNKNOWN) if first else _UNKNOWN
            if isinstance(value, str):
                self._by_label.setdefault((namespace, first, value), []).append((i, selector))
                self._by_key.setdefault((namespace, first), []).append((i, selector))
            else:
                self._always.setdefault(namespace, []).append((i, selector))

    def select(self, namespace: str, labels: Any) -> bool:
        """Whether a budget in `namespace` selects pods with `labels` (as `any` over all)."""
        tried = dict(self._always.get(namespace, ()))
        for key in labels if is_map(labels) else ():
            value = known(lambda k=key: labels.get(k), _UNKNOWN)
            if isinstance(value, str):
                tried.update(self._by_label.get((namespace, key, value), ()))
            else:
                tried.update(self._by_key.get((namespace, key), ()))
        return any(_matches(tried[i], labels) for i in sorted(tried))


@guardrail(
    "k8s-pdb-exists",
    "Every Deployment and StatefulSet has a PodDisruptionBudget in its namespace that selects its "
    "pods, so node drains (spot interruptions, scale-in) evict them a few at a time. "
    "Remediation: add a policy/v1 PodDisruptionBudget whose selector matches the pod labels.",
    severity="medium",
    kind="stack",
)
def pdb_exists(resources: list[Res], cfg: Mapping[str, Any]):
    budgets = _Budgets(resources)
    for res in resources:
        if res.type not in DISRUPTABLE:
            continue
        labels = known(lambda r=res: get(r.props, "spec", "template", "metadata", "labels"))
        namespace = _namespace(res)
        if not budgets.select(namespace, labels):
            name = get(res.props, "metadata", "name", default=res.name)
            yield res.urn, f"no PodDisruptionBudget in '{namespace}' selects the pods of '{name}'"
