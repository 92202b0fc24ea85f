"""The aeon-infra guardrails: a CrossGuard catalogue that imports nothing from the rest of the repo.

`catalogue()` lists every guardrail (importing the modules registers them); `build_policies()` turns
them into pulumi-policy objects, the exemption reporter last.
"""

from __future__ import annotations

import os

from . import (  # noqa: F401  (registration)
    commitments,
    cost,
    eks_support,
    fleet,
    kubernetes,
    security,
    speed,
    spot,
    storage,
    workloads,
)
from .core import REGISTRY, Guardrail, exemptions_policy, to_pulumi_policy

PACK_NAME = "aeon-guardrails"
# Benchmarks start the pack with a single policy to measure the protocol's floor.
ONLY_ENV = "AEON_POLICY_ONLY"


def catalogue() -> list[Guardrail]:
    return sorted(REGISTRY, key=lambda g: g.name)


def build_policies(only: str | None = None) -> list:
    only = only if only is not None else os.environ.get(ONLY_ENV) or None
    chosen = [g for g in catalogue() if only is None or g.name == only]
    if not chosen:
        raise ValueError(f"{ONLY_ENV}={only!r} names no policy of the pack")
    speed.install()
    return [to_pulumi_policy(g) for g in chosen] + [exemptions_policy()]
