"""The schema of the stack config: one pydantic model tree, free of Pulumi imports.

Every key lives under the `aeon-infra:` namespace in `Pulumi.<stack>.yaml`; each top-level field of
`StackSettings` is one config key. Settings reject what AWS itself would reject (sizes out of order,
S3 transitions AWS refuses, unknown regions); what is legal but unwise is left to the policy pack.

One module per domain; import from this package (every public name is re-exported here):
- `base`: the strict `Model`, name patterns, `SettingsRuleError`, shared checks
- `regions`: regions and network (`Region`, `RegionRole`, `Network`, `Routing`)
- `pools`: pools and capacity (`Pool`, `CapacityMix`, `FleetScaling`, `OffHours`, `GpuSharing`)
- `storage`: storage tiers (`Storage`, `Lifecycle`, `Tier`, `Bucket`, `EbsClasses`)
- `kubernetes`: clusters, namespaces, priority classes, kubelet, Cluster Autoscaler
- `caches`: the vector store and its cache levels, ElastiCache caches
- `serving`: Triton in the primary region and at the edge (`Serving`, `Inference`, ...)
- `budgets`: budgets and monitoring (`Budget`, `Monitoring`, `PressureAlarm`)
- `recommendations`: what `aeon apply` recorded
- `stack`: `StackSettings`, the whole tree, and the rules across domains
- `loader`: `parse_settings`; `errors`: `InvalidSettings` and its one-line messages;
  `schema`: `json_schema()` for editors
"""

from __future__ import annotations

from components.facts.project import PROJECT
from components.facts.regions import AWS_REGIONS
from components.facts.roles import PoolRole
from components.facts.s3 import S3_FORBIDDEN_TRANSITIONS, S3_MIN_TRANSITION_DAYS, S3_WATERFALL
from components.settings.base import (
    CRON,
    INSTANCE_TYPE,
    NAME,
    Model,
    Name,
    Percent,
    SettingsRuleError,
)
from components.settings.budgets import Budget, Monitoring, PressureAlarm
from components.settings.caches import Cache, CacheLevel, VectorStore
from components.settings.errors import InvalidSettings
from components.settings.kubernetes import (
    ClusterAutoscaler,
    Kubelet,
    Kubernetes,
    Namespace,
    PriorityClass,
)
from components.settings.loader import parse_settings
from components.settings.pools import CapacityMix, FleetScaling, GpuSharing, OffHours, Pool
from components.settings.recommendations import AppliedRecommendation, Recommendations
from components.settings.regions import Network, Region, RegionRole, Routing
from components.settings.schema import json_schema
from components.settings.serving import (
    DynamicBatching,
    EdgeInference,
    Embedder,
    Inference,
    Serving,
)
from components.settings.stack import StackSettings, Tags
from components.settings.storage import Bucket, EbsClasses, Lifecycle, Storage, Tier

__all__ = [
    "AWS_REGIONS",
    "CRON",
    "INSTANCE_TYPE",
    "NAME",
    "PROJECT",
    "S3_FORBIDDEN_TRANSITIONS",
    "S3_MIN_TRANSITION_DAYS",
    "S3_WATERFALL",
    "AppliedRecommendation",
    "Bucket",
    "Budget",
    "Cache",
    "CacheLevel",
    "CapacityMix",
    "ClusterAutoscaler",
    "DynamicBatching",
    "EbsClasses",
    "EdgeInference",
    "Embedder",
    "FleetScaling",
    "GpuSharing",
    "Inference",
    "InvalidSettings",
    "Kubelet",
    "Kubernetes",
    "Lifecycle",
    "Model",
    "Monitoring",
    "Name",
    "Namespace",
    "Network",
    "OffHours",
    "Percent",
    "Pool",
    "PoolRole",
    "PressureAlarm",
    "PriorityClass",
    "Recommendations",
    "Region",
    "RegionRole",
    "Routing",
    "Serving",
    "SettingsRuleError",
    "StackSettings",
    "Storage",
    "Tags",
    "Tier",
    "VectorStore",
    "json_schema",
    "parse_settings",
]
