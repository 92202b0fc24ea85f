"""Everything deployed in one region, with that region's own AWS provider."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.network import Network, NetworkArgs
from components.settings import Region, StackSettings


class RegionalDeploymentArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    region: Region
    settings: StackSettings

    @property
    def is_primary(self) -> bool:
        return self.region.role == "primary"


class RegionalDeployment(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: RegionalDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:RegionalDeployment", name, None, opts)
        region = args.region.name
        self.provider = aws.Provider(
            region, region=region, opts=pulumi.ResourceOptions(parent=self)
        )
        # Children inherit the regional provider through `providers`.
        within = pulumi.ResourceOptions(parent=self, providers={"aws": self.provider})

        self.network = Network(region, NetworkArgs(region=args.region), opts=within)

        self.outputs: dict[str, object] = {
            "vpc_id": self.network.vpc_id,
            "public_subnet_ids": self.network.public_subnet_ids,
            "private_subnet_ids": self.network.private_subnet_ids,
        }
        self.register_outputs(self.outputs)
