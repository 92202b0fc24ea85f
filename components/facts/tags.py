"""Tag keys: cost allocation on every taggable resource, pool identity on groups and templates."""

from __future__ import annotations

TEAM_TAG = "team"
COST_CENTER_TAG = "cost-center"
ENVIRONMENT_TAG = "environment"
SERVICE_TAG = "service"
STACK_TAG = "aeon:stack"
POOL_TAG = "aeon:pool"  # the pool's name
POOL_ROLE_TAG = "aeon:pool-role"  # a PoolRole value

# Carried by every AWS resource whose schema has `tags`, in its own inputs (the CLI contract).
COST_TAG_KEYS = (TEAM_TAG, COST_CENTER_TAG, ENVIRONMENT_TAG, SERVICE_TAG, STACK_TAG)
# Also carried by every Auto Scaling group and launch template.
POOL_TAG_KEYS = (POOL_TAG, POOL_ROLE_TAG)
