"""Cost tags on every taggable AWS resource, applied in one place.

A stack transformation runs inside the SDK before registration, so the tags are part of each
resource's own inputs: under the real CLI, offline under mocks, and in what policies see (provider
default tags are not). Modern `register_resource_transform` transforms are not run by Pulumi's mock
monitor (docs/pulumi-offline-engine.md#transforms), hence the stack transformation.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import cache

import pulumi
import pulumi_aws as aws

from components.facts.tags import (
    COST_CENTER_TAG,
    ENVIRONMENT_TAG,
    POOL_ROLE_TAG,
    POOL_TAG,
    SERVICE_TAG,
    STACK_TAG,
    TEAM_TAG,
)
from components.settings import StackSettings

# Autoscaling groups take tags as a list of {key, value, propagate_at_launch}.
_LIST_TAGGED = (aws.autoscaling.Group,)


def cost_tags(settings: StackSettings, stack: str) -> dict[str, str]:
    return {
        TEAM_TAG: settings.tags.team,
        COST_CENTER_TAG: settings.tags.cost_center,
        ENVIRONMENT_TAG: settings.environment,
        SERVICE_TAG: settings.tags.service,
        STACK_TAG: stack,
    }


def pool_tags(pool_name: str, role: str) -> dict[str, str]:
    return {POOL_TAG: pool_name, POOL_ROLE_TAG: role}


@cache
def _takes_tags(resource_type: type) -> bool:
    init = getattr(resource_type, "_internal_init", None)
    return init is not None and "tags" in inspect.signature(init).parameters


def _merged(existing: object, tags: Mapping[str, str]) -> object:
    if isinstance(existing, Mapping):
        return {**tags, **existing}  # a resource's own tags win (e.g. a more specific service)
    if existing is None:
        return dict(tags)
    # An Output or other lazy value: merge once it resolves.
    return pulumi.Output.from_input(existing).apply(lambda v: {**tags, **(v or {})})


def _merged_list(existing: object, tags: Mapping[str, str]) -> object:
    def merge(items: list | None) -> list:
        items = list(items or [])
        present = {_key(i) for i in items}
        extra = [
            aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=True)
            for k, v in tags.items()
            if k not in present
        ]
        return items + extra

    if existing is None or isinstance(existing, list):
        return merge(existing)
    return pulumi.Output.from_input(existing).apply(merge)


def _key(item: object) -> str | None:
    if isinstance(item, Mapping):
        return item.get("key")
    return getattr(item, "key", None) or (item.get("key") if hasattr(item, "get") else None)


def register_cost_tags(tags: Mapping[str, str]) -> None:
    """Add `tags` to every AWS resource whose schema has `tags`, created after this call."""

    def transformation(args: pulumi.ResourceTransformationArgs):
        resource = args.resource
        if not isinstance(resource, pulumi.CustomResource) or not _takes_tags(type(resource)):
            return None
        props = dict(args.props)
        if isinstance(resource, _LIST_TAGGED):
            props["tags"] = _merged_list(props.get("tags"), tags)
        else:
            props["tags"] = _merged(props.get("tags"), tags)
        return pulumi.ResourceTransformationResult(props, args.opts)

    pulumi.runtime.register_stack_transformation(transformation)
