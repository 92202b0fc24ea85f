"""The monthly cost of a stack, and of a change to it (pure: prices in, figures out).

    graph = StackGraph(planned_resources)              # from the offline engine or a plan
    report = price_stack(graph, default_sources(date.today()), project=..., stack=...,
                         usage=load_usage(path), commitments={"training": 1.0})
    diff = diff_reports(base_report, head_report, base="main")

Conventions (infracost's where it has one) and their sources: docs/costing.md.
"""

from optimizers.costing.diff import diff_reports
from optimizers.costing.estimate import price_stack
from optimizers.costing.graph import UNKNOWN, PlannedResource, StackGraph
from optimizers.costing.model import CostDiff, CostLine, CostReport, ResourceCost, Unpriced
from optimizers.costing.quote import PriceSources, default_sources
from optimizers.costing.usage import EMPTY_USAGE, UsageFile, UsageFileError, load_usage, parse_usage

__all__ = [
    "EMPTY_USAGE",
    "UNKNOWN",
    "CostDiff",
    "CostLine",
    "CostReport",
    "PlannedResource",
    "PriceSources",
    "ResourceCost",
    "StackGraph",
    "Unpriced",
    "UsageFile",
    "UsageFileError",
    "default_sources",
    "diff_reports",
    "load_usage",
    "parse_usage",
    "price_stack",
]
