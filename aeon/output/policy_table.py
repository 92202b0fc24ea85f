"""Renderers of a policy report, one registered class per `--format` (table, json, sarif, ...).

A format registers itself with `@policy_format("name")`; `render_policy_report` looks it up. The
SARIF, JUnit and Markdown formats live in their own modules and are imported on first use.
"""

from __future__ import annotations

import importlib
import io
import json
from typing import ClassVar

from aeon.analyzer.report import PolicyReport
from aeon.errors import UserError

_FORMATS: dict[str, type[PolicyFormat]] = {}
_MODULES = ("aeon.output.sarif", "aeon.output.junit", "aeon.output.markdown")


class PolicyFormat:
    name: ClassVar[str]

    def render(self, report: PolicyReport) -> str:
        raise NotImplementedError


def policy_format(name: str):
    def register(cls: type[PolicyFormat]) -> type[PolicyFormat]:
        cls.name = name
        _FORMATS[name] = cls
        return cls

    return register


def policy_formats() -> list[str]:
    for module in _MODULES:
        importlib.import_module(module)
    return sorted(_FORMATS)


def render_policy_report(report: PolicyReport, fmt: str) -> str:
    names = policy_formats()
    cls = _FORMATS.get(fmt.lower())
    if cls is None:
        raise UserError(
            f"unknown format {fmt!r} for policy reports; choose one of {', '.join(names)}"
        )
    return cls().render(report)


@policy_format("json")
class JsonFormat(PolicyFormat):
    def render(self, report: PolicyReport) -> str:
        return json.dumps(report.as_json(), indent=2) + "\n"


@policy_format("table")
class TableFormat(PolicyFormat):
    """A rich table for terminals; plain when stdout is not a terminal."""

    def render(self, report: PolicyReport) -> str:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"policy pack {report.pack} on {report.project}/{report.stack}")
        for column in ("level", "policy", "resource", "message"):
            table.add_column(column, overflow="fold")
        for v in report.violations:
            level = "exempted" if v.exempted else v.enforcement
            message = v.message
            if v.exempted:
                message += f" (reason: {v.exemption_reason}; expires: {v.exemption_expires})"
            table.add_row(level, v.policy, f"{v.type}::{v.name}", message)
        s = report.summary
        buffer = io.StringIO()
        console = Console(file=buffer, width=160, no_color=True)
        if report.violations:
            console.print(table)
        console.print(
            f"{s.mandatory} mandatory, {s.advisory} advisory, {s.exempted} exempted; "
            f"{s.resources_checked} resources checked"
        )
        for note in report.notes:
            console.print(f"note: {note}")
        return buffer.getvalue()
