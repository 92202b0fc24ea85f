"""Cost reports and diffs for the commands: a stack run offline, a plan, a git ref's stack."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from aeon.cost.base import BaseRun, start_base
from aeon.cost.inputs import StackInputs, commitments, stack_inputs
from aeon.errors import UserError
from aeon.project import Project
from optimizers.costing import (
    EMPTY_USAGE,
    CostDiff,
    CostReport,
    PriceSources,
    UsageFile,
    UsageFileError,
    default_sources,
    diff_reports,
    load_usage,
    price_stack,
)


def price_sources(price_date: str | None) -> PriceSources:
    if price_date is None:
        return default_sources(datetime.now(UTC).date())
    try:
        return default_sources(date.fromisoformat(price_date))
    except ValueError:
        raise UserError(f"--price-date {price_date!r} is not a date (YYYY-MM-DD)") from None


def usage_file(path: Path | None) -> UsageFile:
    if path is None:
        return EMPTY_USAGE
    try:
        return load_usage(path)
    except UsageFileError as exc:
        raise UserError(str(exc)) from None


def run_stack(project: Project, stack: str) -> tuple[StackInputs, object]:
    """The working tree's stack run offline: its inputs, and the run (for the policy pack)."""
    from aeon.engine import run_program

    project.stack_file(stack)
    run = run_program(project, stack)
    return stack_inputs(run.project, run.stack, run.resources, run.config), run


def plan_inputs(path: Path) -> tuple[StackInputs, object]:
    from aeon.analyzer.plan import load_plan

    plan = load_plan(path)
    return stack_inputs(plan.project, plan.stack, plan.resources, plan.config), plan


def price(inputs: StackInputs, sources: PriceSources, usage: UsageFile) -> CostReport:
    try:
        return price_stack(
            inputs.graph,
            sources,
            project=inputs.project,
            stack=inputs.stack,
            usage=usage,
            commitments=_committed(inputs),
        )
    except UsageFileError as exc:
        raise UserError(str(exc)) from None


def _committed(inputs: StackInputs) -> Mapping[str, float]:
    if inputs.committed is not None:
        return inputs.committed
    return commitments(inputs.config, inputs.stack) if inputs.config else {}


def base_first(project: Project, stack: str, ref: str | None) -> BaseRun | None:
    """Start the base ref's run before the head's, so the two run side by side."""
    if ref is None:
        return None
    project.stack_file(stack)
    return start_base(project, stack, ref)


def diff(
    base: StackInputs, head: StackInputs, label: str, sources: PriceSources, usage: UsageFile
) -> CostDiff:
    return diff_reports(price(base, sources, usage), price(head, sources, usage), base_label=label)
