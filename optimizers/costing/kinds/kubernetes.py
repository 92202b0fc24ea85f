"""Kubernetes objects that create AWS resources the plan does not show.

Most Kubernetes objects run on the node pools and are free here. Two kinds make AWS bill more:
volumes claimed through the EBS CSI driver (a PersistentVolumeClaim, or a StatefulSet's
volumeClaimTemplates x replicas), priced as EBS volumes of their StorageClass's `type`
(the driver's default, gp3, when the class names none); and a Service of type LoadBalancer,
for which the cloud controller creates a load balancer: unpriced, with that said.
"""

from __future__ import annotations

import math
import re
from typing import Any

from optimizers.costing.graph import PlannedResource
from optimizers.costing.kinds.ebs import Volume, volume_lines
from optimizers.costing.quote import Quote, Unpriceable
from optimizers.costing.registry import KUBERNETES, priced

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
EBS_CSI = "ebs.csi.aws.com"
CSI_DEFAULT_TYPE = "gp3"
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$")
_BYTES = {None: 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "Ki": 2**10,
          "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}  # fmt: skip


def quantity_gib(text: Any) -> int:
    """A Kubernetes storage request ("15Gi", "500G") as the whole GiB the EBS CSI driver
    provisions (it rounds up); EBS's "GB-month" is per GiB of provisioned size."""
    match = _QUANTITY.match(str(text).strip())
    if match is None:
        raise Unpriceable(f"storage request {text!r} is not a quantity")
    return math.ceil(round(float(match.group(1)) * _BYTES[match.group(2)] / 2**30, 9))


def _storage_class(q: Quote, name: Any) -> PlannedResource:
    for sc in q.graph.of_type(STORAGE_CLASS):
        same_cluster = sc.region == q.resource.region
        if same_cluster and (sc.get("metadata", "name") or sc.name) == name:
            return sc
    raise Unpriceable(f"storage class {name!r} is not in the plan (the cluster's default?)")


def _claim_lines(q: Quote, spec: dict, claim: str, copies: float) -> None:
    sc = _storage_class(q, spec.get("storageClassName"))
    provisioner = sc.get("provisioner", default=EBS_CSI)
    if provisioner not in (EBS_CSI, "kubernetes.io/aws-ebs"):
        raise Unpriceable(f"storage class {sc.name!r} uses {provisioner}, not EBS")
    parameters = sc.get("parameters", default={}) or {}
    size = quantity_gib(((spec.get("resources") or {}).get("requests") or {}).get("storage"))
    volume = Volume(
        f"Volume claim {claim}",
        parameters.get("type", CSI_DEFAULT_TYPE),
        size,
        float(parameters["iops"]) if "iops" in parameters else None,
        float(parameters["throughput"]) if "throughput" in parameters else None,
    )
    volume_lines(q, volume, copies)


@priced("kubernetes:core/v1:PersistentVolumeClaim")
def persistent_volume_claim(q: Quote) -> None:
    _claim_lines(q, q.resource.get("spec", default={}), q.resource.name, 1.0)


@priced("kubernetes:apps/v1:StatefulSet")
def stateful_set(q: Quote) -> None:
    spec = q.resource.get("spec", default={})
    templates = spec.get("volumeClaimTemplates") or []
    if not templates:
        q.note = KUBERNETES
        return
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int | float):
        raise Unpriceable("replicas unknown at preview")
    for template in templates:
        name = (template.get("metadata") or {}).get("name", "?")
        _claim_lines(q, template.get("spec") or {}, f"{name} x{replicas:g}", float(replicas))
    q.note = f"{replicas:g} replicas, each with {len(templates)} volume claim(s)"


@priced("kubernetes:core/v1:Service")
def service(q: Quote) -> None:
    if q.resource.get("spec", "type") == "LoadBalancer":
        raise Unpriceable(
            "a LoadBalancer Service: the cluster creates an AWS load balancer the plan does not "
            "show (declare it in the program, as the inference endpoint does, to price it)"
        )
    q.note = KUBERNETES
