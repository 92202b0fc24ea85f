"""Commitment guardrails: a group's on-demand base within the commitments its pool holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .core import ASG, Res, get, guardrail, instance_types, number, region_of


@guardrail(
    "on-demand-base-within-commitment",
    "OnDemandBaseCapacity of a pool's group is not above the capacity the pool has committed "
    "(reservations or savings plans), so the base is never paid at on-demand rates. Remediation: "
    "lower capacity.committed-backed base or buy the commitment first (the purchases aeon apply "
    "recorded for the group's types are named in the message).",
    severity="medium",
    config={
        "pools": {
            "type": "object",
            "default": {},
            "description": "per pool: {committed: n, role: r} (written by aeon policy sync-config)",
        },
        "purchases": {
            "type": "object",
            "default": {},
            "description": "recommendation id -> {commitment: {type, instance_type, region, term, "
            "payment, units, usd_per_hour}, ...}: commitments to buy (written by aeon apply)",
        },
    },
)
def base_within_commitment(res: Res, cfg: Mapping[str, Any]) -> Iterable[str]:
    if res.type != ASG or res.pool is None:
        return
    committed = number(get(cfg, "pools", res.pool, "committed"))
    distribution = get(res.props, "mixedInstancesPolicy", "instancesDistribution", default={})
    base = number(get(distribution, "onDemandBaseCapacity")) or 0.0
    if committed is not None and base > committed:
        to_buy = _to_buy(res, cfg)
        yield (
            f"OnDemandBaseCapacity {base:g} exceeds the {committed:g} instances committed for pool "
            f"{res.pool}" + (f"; recommended, not yet bought: {to_buy}" if to_buy else "")
        )


def _to_buy(res: Res, cfg: Mapping[str, Any]) -> str:
    """The recorded purchases that would cover the group's types (a compute plan covers any)."""
    types, region = set(instance_types(res)), region_of(res, cfg)
    found = []
    for rec_id, purchase in sorted((get(cfg, "purchases", default={}) or {}).items()):
        c = get(purchase, "commitment", default={})
        itype = get(c, "instance_type")
        # a resource on the default provider may not say its region: its types decide then
        if itype is None or (itype in types and region in (None, get(c, "region"))):
            what = f"{get(c, 'units')} x {itype}" if itype else f"${get(c, 'usd_per_hour')}/h"
            found.append(f"{get(c, 'type')} {what} ({rec_id})")
    return ", ".join(found)
