"""URNs and provider references built the way the Pulumi engine builds them
(docs/pulumi-offline-engine.md#urns-and-default-providers)."""

from __future__ import annotations

import uuid

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
_NAMESPACE = uuid.UUID("6f1c1a52-6d0a-4f7e-9b1e-0c6d8a1a4e21")


def urn(stack: str, project: str, qualified_type: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{qualified_type}::{name}"


def qualified_type_of(resource_urn: str) -> str:
    return resource_urn.split("::")[2]


def type_of(resource_urn: str) -> str:
    return qualified_type_of(resource_urn).rsplit("$", 1)[-1]


def name_of(resource_urn: str) -> str:
    return resource_urn.split("::", 3)[3]


def stack_and_project(resource_urn: str) -> tuple[str, str]:
    head = resource_urn.split("::")
    return head[0].removeprefix("urn:pulumi:"), head[1]


def child_urn(stack: str, project: str, parent_urn: str | None, type_: str, name: str) -> str:
    """The chain of ancestor component types joined with `$`; the root Stack is not included."""
    if not parent_urn or type_of(parent_urn) == STACK_TYPE or type_ == STACK_TYPE:
        return urn(stack, project, type_, name)
    return urn(stack, project, f"{qualified_type_of(parent_urn)}${type_}", name)


def default_provider_urn(stack: str, project: str, package: str, version: str) -> str:
    suffix = version.replace(".", "_") if version else ""
    name = f"default_{suffix}" if suffix else "default"
    return urn(stack, project, f"{PROVIDER_PREFIX}{package}", name)


def stable_id(resource_urn: str) -> str:
    """A deterministic UUID, so repeated runs give identical output."""
    return str(uuid.uuid5(_NAMESPACE, resource_urn))


def provider_reference(provider_urn: str, provider_id: str) -> str:
    return f"{provider_urn}::{provider_id}"


def split_provider_reference(reference: str) -> tuple[str, str]:
    provider_urn, _, provider_id = reference.rpartition("::")
    return provider_urn, provider_id
