"""Pricing a whole stack: every custom resource priced, free, or unpriced with the reason."""

from __future__ import annotations

from collections.abc import Mapping

from optimizers.costing import kinds  # noqa: F401  (registers the priced kinds)
from optimizers.costing.graph import PlannedResource, StackGraph
from optimizers.costing.model import CostReport, ResourceCost, Unpriced
from optimizers.costing.quote import PriceSources, Quote, Unpriceable
from optimizers.costing.registry import PRICED, free_reason
from optimizers.costing.usage import EMPTY_USAGE, Usage, UsageFile, UsageFileError

SKIPPED_PREFIXES = ("pulumi:providers:", "pulumi:pulumi:")


def _priced_by_name(graph: StackGraph, usage: UsageFile) -> dict[str, list[PlannedResource]]:
    """Usage keys -> the resources that read usage and that they name."""
    claims: dict[str, list[PlannedResource]] = {key: [] for key in usage.entries}
    for r in graph.resources:
        kind = PRICED.get(r.type)
        if kind is None or not kind.usage:
            continue
        for key in usage.keys_for(r.urn, r.type, r.name):
            claims[key].append(r)
    return claims


def price_stack(
    graph: StackGraph,
    sources: PriceSources,
    *,
    project: str,
    stack: str,
    usage: UsageFile = EMPTY_USAGE,
    commitments: Mapping[str, float] | None = None,
) -> CostReport:
    commitments = commitments or {}
    claims = _priced_by_name(graph, usage)
    warnings: list[str] = []
    for key, claimed in sorted(claims.items()):
        if len(claimed) > 1:
            names = ", ".join(r.urn for r in claimed)
            raise UsageFileError(
                f"{usage.source}: resource_usage.{key} names {len(claimed)} resources ({names}); "
                "key it by URN"
            )
        if not claimed:
            warnings.append(f"{usage.source}: resource_usage.{key} names no priced resource")

    priced: list[ResourceCost] = []
    unpriced: list[Unpriced] = []
    for r in graph.resources:
        if not r.custom or r.type.startswith(SKIPPED_PREFIXES):
            continue
        component = graph.component_of(r)
        region = r.region or ""

        def gap(why: str, r=r, component=component, region=region) -> None:
            unpriced.append(Unpriced(r.urn, r.type, r.name, region, component, why))

        kind = PRICED.get(r.type)
        if kind is None:
            reason = free_reason(r.type)
            if reason is None:
                gap("no cost model for this resource type")
            else:
                priced.append(ResourceCost(r.urn, r.type, r.name, region, component,
                                           free=True, note=reason))  # fmt: skip
            continue
        if not r.region:
            gap("its region is unknown (no provider region, `aws:region` or `region` input)")
            continue
        raw, keys = usage.raw_for(r.urn, r.type, r.name)
        where = f"{usage.source}: resource_usage.{keys[-1] if keys else r.type}"
        resource_usage, usage_warnings = Usage.validated(raw, kind.usage, where)
        warnings += usage_warnings
        quote = Quote(r, graph, resource_usage, sources, commitments)
        try:
            kind.price(quote)
        except Unpriceable as exc:
            gap(str(exc))
            continue
        except UsageFileError:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            # Inputs of a shape the provider's schema does not allow (a hostile or broken plan):
            # the resource is listed as unpriced with the reason, never counted as zero.
            gap(f"inputs the cost model cannot read ({type(exc).__name__}: {exc})")
            continue
        if quote.missing:
            gap("; ".join(dict.fromkeys(quote.missing)))
            continue
        priced.append(
            ResourceCost(r.urn, r.type, r.name, region, component, tuple(quote.lines),
                         free=not quote.lines, note=quote.note, warnings=tuple(quote.warnings))
        )  # fmt: skip
        warnings += [f"{r.name}: {w}" for w in quote.warnings]
    return CostReport(
        project=project,
        stack=stack,
        price_date=sources.on.isoformat(),
        resources=tuple(priced),
        unpriced=tuple(unpriced),
        warnings=tuple(warnings),
    )
