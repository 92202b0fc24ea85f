"""EBS classes for node storage as Kubernetes storage classes: hot (gp3 by default, SSD) and warm
(st1 by default, throughput HDD), encrypted, provisioned by the EBS CSI driver."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.settings import EbsClasses

PROVISIONER = "ebs.csi.aws.com"


class NodeStorageArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    ebs: EbsClasses


class NodeStorage(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: NodeStorageArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:NodeStorage", name, None, opts)
        self.classes = {
            tier: k8s.storage.v1.StorageClass(
                f"{name}-{tier}",
                metadata={"name": tier},
                provisioner=PROVISIONER,
                parameters={"type": volume_type, "encrypted": "true"},
                volume_binding_mode="WaitForFirstConsumer",  # the volume lands in the pod's AZ
                allow_volume_expansion=True,
                reclaim_policy="Delete",
                opts=pulumi.ResourceOptions(parent=self),
            )
            for tier, volume_type in (("hot", args.ebs.hot), ("warm", args.ebs.warm))
        }
        self.register_outputs({"classes": list(self.classes)})
