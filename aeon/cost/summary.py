"""The cost lines `aeon preview` prints under its summary (and the `cost` key of its JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aeon.cost import estimates
from aeon.cost.base import BaseRun
from aeon.cost.inputs import stack_inputs
from aeon.engine.model import ProgramRun
from aeon.output.cost import unpriced_changes, usd
from aeon.project import Project
from optimizers.costing import EMPTY_USAGE


@dataclass
class PreviewCost:
    base_ref: str | None
    base_run: BaseRun | None

    @classmethod
    def start(cls, project: Project, stack: str, base_ref: str | None) -> PreviewCost:
        return cls(base_ref, estimates.base_first(project, stack, base_ref))

    def cancel(self) -> None:
        if self.base_run is not None:
            self.base_run.cleanup()

    def finish(self, run: ProgramRun) -> tuple[str, dict[str, Any]]:
        sources = estimates.price_sources(None)
        head = stack_inputs(run.project, run.stack, run.resources, run.config)
        report = estimates.price(head, sources, EMPTY_USAGE)
        gaps = f", {len(report.unpriced)} resources unpriced" if report.unpriced else ""
        line = f"monthly cost: {usd(report.total_monthly_usd)}{gaps} (aeon cost for details)"
        doc: dict[str, Any] = {
            "total_monthly_usd": round(report.total_monthly_usd, 2),
            "unpriced": len(report.unpriced),
            "price_date": report.price_date,
        }
        if self.base_run is not None:
            result = estimates.diff(self.base_run.wait(), head, self.base_ref or "", sources,
                                    EMPTY_USAGE)  # fmt: skip
            delta = result.total_delta_monthly_usd
            line += f"\nmonthly cost change: {usd(delta, signed=True)} against {self.base_ref}"
            unknown = len(result.unpriced_changes)
            if unknown:
                line += f" ({unpriced_changes(unknown)} not in it)"
            doc.update(base=self.base_ref, total_delta_monthly_usd=round(delta, 2),
                       unpriced_changes=unknown)  # fmt: skip
        return line + "\n", doc
