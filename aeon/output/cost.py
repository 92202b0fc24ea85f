"""Renderers of cost reports and cost diffs: a terminal table, Markdown, or JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from optimizers.costing import CostDiff, CostReport
from optimizers.costing.model import ResourceChange

FORMATS = ("table", "json", "md")


def usd(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    text = f"${abs(value):,.2f}"
    if signed:
        return ("+" if value >= 0.005 else "-" if value <= -0.005 else "±") + text
    return ("-" if value <= -0.005 else "") + text


def short_type(type_: str) -> str:
    """`aws:autoscaling/group:Group` -> `aws:autoscaling/Group`."""
    package, _, rest = type_.partition(":")
    module, _, name = rest.rpartition(":")
    return f"{package}:{module.split('/')[0]}/{name}" if module else type_


def _text(*renderables: object) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, color_system=None, soft_wrap=True)
    for item in renderables:
        console.print(item)
    return buffer.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def headline(report: CostReport) -> str:
    priced = [r for r in report.resources if not r.free]
    return (
        f"{report.project} / {report.stack}: {usd(report.total_monthly_usd)} a month "
        f"(prices of {report.price_date}; {len(priced)} priced, "
        f"{len(report.resources) - len(priced)} free, {len(report.unpriced)} unpriced)"
    )


def report_table(report: CostReport) -> str:
    table = Table(title=headline(report), title_justify="left")
    for column in ("resource", "type", "region", "component", "monthly"):
        table.add_column(column, justify="right" if column == "monthly" else "left")
    for r in sorted(report.resources, key=lambda r: (-r.monthly_usd, r.urn)):
        if not r.free:
            table.add_row(r.name, short_type(r.type), r.region, r.component, usd(r.monthly_usd))
    totals = []
    for key in ("region", "component"):
        by = Table(title=f"by {key}", title_justify="left")
        by.add_column(key)
        by.add_column("monthly", justify="right")
        for name, value in report.totals_by(key).items():
            if value >= 0.005:
                by.add_row(name, usd(value))
        totals.append(by)
    parts: list[object] = [table, *totals]
    if report.unpriced:
        gaps = Table(title="unpriced (not in the total)", title_justify="left")
        for column in ("resource", "type", "why"):
            gaps.add_column(column)
        for u in report.unpriced:
            gaps.add_row(u.name, short_type(u.type), u.why)
        parts.append(gaps)
    parts.append(f"total: {usd(report.total_monthly_usd)} a month")
    return _text(*parts)


def report_markdown(report: CostReport) -> str:
    lines = [f"### {headline(report)}", "", "| region | monthly |", "|---|---:|"]
    lines += [f"| {k} | {usd(v)} |" for k, v in report.totals_by("region").items() if v >= 0.005]
    lines += ["", "| component | monthly |", "|---|---:|"]
    lines += [f"| {_md_cell(k)} | {usd(v)} |"
              for k, v in report.totals_by("component").items() if v >= 0.005]  # fmt: skip
    lines += ["", "| resource | type | region | monthly |", "|---|---|---|---:|"]
    for r in sorted(report.resources, key=lambda r: (-r.monthly_usd, r.urn)):
        if not r.free:
            lines.append(f"| `{r.name}` | `{short_type(r.type)}` | {r.region} | "
                         f"{usd(r.monthly_usd)} |")  # fmt: skip
    if report.unpriced:
        lines += ["", "**Unpriced** (not in the total):", ""]
        lines += [f"- `{u.name}` (`{short_type(u.type)}`): {_md_cell(u.why)}"
                  for u in report.unpriced]  # fmt: skip
    return "\n".join(lines) + "\n"


def unpriced_changes(count: int) -> str:
    return f"{count} unpriced change{'' if count == 1 else 's'}"


def diff_headline(d: CostDiff) -> str:
    base, delta = d.base_total_monthly_usd, d.total_delta_monthly_usd
    pct = f" ({delta / base * 100:+.1f}%)" if base else ""
    unknown = len(d.unpriced_changes)
    gaps = f"; {unpriced_changes(unknown)} not in the delta" if unknown else ""
    return (
        f"{d.stack}: {usd(d.head_total_monthly_usd)} a month, {usd(delta, signed=True)}{pct} "
        f"against {d.base} ({usd(base)}){gaps}"
    )


def _rows(changes: Iterable[ResourceChange], priced: bool) -> list[tuple[str, ...]]:
    """Table rows; the last cell is the delta of a priced change, else why it is unpriced."""
    return [(c.change, c.name, short_type(c.type), usd(c.base_monthly_usd),
             usd(c.head_monthly_usd),
             usd(c.delta_monthly_usd, signed=True) if priced else c.why_unpriced)
            for c in changes]  # fmt: skip


def _priced_changes(d: CostDiff) -> list[ResourceChange]:
    return [c for c in d.changes if c.delta_monthly_usd is not None]


DIFF_COLUMNS = ("change", "resource", "type", "base", "head", "delta")
UNPRICED_COLUMNS = ("change", "resource", "type", "base", "head", "unpriced because")
UNPRICED_TITLE = "unpriced changes (not in the delta)"


def _rich_table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in ("base", "head", "delta") else "left")
    for row in rows:
        table.add_row(*row)
    return table


def diff_table(d: CostDiff) -> str:
    if not d.changes:
        return _text(diff_headline(d), "no resource changes its cost")
    priced = _rows(_priced_changes(d), priced=True)
    parts: list[object] = [
        _rich_table(diff_headline(d), DIFF_COLUMNS, priced) if priced else diff_headline(d)
    ]
    if d.unpriced_changes:
        unpriced = _rows(d.unpriced_changes, priced=False)
        parts.append(_rich_table(UNPRICED_TITLE, UNPRICED_COLUMNS, unpriced))
    return _text(*parts)


def _md_table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    align = ["---:" if c in ("base", "head", "delta") else "---" for c in columns]
    lines = [f"| {' | '.join(columns)} |", f"|{'|'.join(align)}|"]
    for change, name, type_, *rest in rows:
        cells = [change, f"`{_md_cell(name)}`", f"`{type_}`", *map(_md_cell, rest)]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def diff_markdown(d: CostDiff, limit: int | None = None) -> str:
    lines = [f"**{diff_headline(d)}**", ""]
    if not d.changes:
        return "\n".join([*lines, "No resource changes its cost."]) + "\n"
    priced = _rows(_priced_changes(d)[:limit], priced=True)
    unpriced = _rows(d.unpriced_changes[:limit], priced=False)
    if priced:
        lines += _md_table(DIFF_COLUMNS, priced)
    hidden = len(d.changes) - len(d.unpriced_changes) - len(priced)
    if hidden:
        lines += ["", f"…and {hidden} smaller changes (`aeon cost --format json` lists all)."]
    if unpriced:
        lines += [
            "",
            f"**{UNPRICED_TITLE.capitalize()}:**",
            "",
            *_md_table(UNPRICED_COLUMNS, unpriced),
        ]
    hidden = len(d.unpriced_changes) - len(unpriced)
    if hidden:
        lines += ["", f"…and {hidden} more unpriced changes (`aeon cost --format json`)."]
    return "\n".join(lines) + "\n"


def render_report(report: CostReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), indent=2) + "\n"
    return report_markdown(report) if fmt == "md" else report_table(report)


def render_diff(d: CostDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(d.as_json(), indent=2) + "\n"
    return diff_markdown(d) if fmt == "md" else diff_table(d)
