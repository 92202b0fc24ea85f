"""The aeon-infra Pulumi program: typed settings in, the global deployment out."""

import pulumi

from components.config import load_settings
from components.global_deployment import GlobalDeployment
from components.tagging import cost_tags, register_cost_tags

settings = load_settings()
register_cost_tags(cost_tags(settings, pulumi.get_stack()))
deployment = GlobalDeployment(f"aeon-{settings.environment}", settings)

pulumi.export("primary_region", settings.primary_region.name)
for name, regional in deployment.regions.items():
    pulumi.export(name, regional.outputs)
if deployment.routing is not None:
    pulumi.export("hosted_zone_id", deployment.zone.zone_id)
    if deployment.routing.distribution is not None:
        pulumi.export("cdn_domain", deployment.routing.distribution.domain_name)
