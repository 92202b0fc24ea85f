"""The root component: one RegionalDeployment per configured region."""

from __future__ import annotations

import pulumi

from components.regional_deployment import RegionalDeployment, RegionalDeploymentArgs
from components.settings import StackSettings


class GlobalDeployment(pulumi.ComponentResource):
    def __init__(self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:GlobalDeployment", name, None, opts)
        self.regions = {
            region.name: RegionalDeployment(
                region.name,
                RegionalDeploymentArgs(region=region, settings=settings),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for region in settings.regions
        }
        self.register_outputs({name: r.outputs for name, r in self.regions.items()})
