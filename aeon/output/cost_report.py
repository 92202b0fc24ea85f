"""Renderings of a cost report: a terminal table, Markdown, JSON and one self-contained HTML page.

The HTML follows `aeon report`'s rules: charts are SVG images in data: URIs, and a script marks the
page once every chart has loaded (title `cost report: N charts loaded`).
"""

from __future__ import annotations

import io
from dataclasses import asdict
from html import escape
from typing import Any

from aeon.output.report_charts import FONT, SAVE, _svg, data_uri
from aeon.output.report_html import READY_SCRIPT, STYLE
from optimizers.billing.cost_report import CostLine, CostReport

LIST = "#94a3b8"
PAID = "#3b82f6"
COLUMNS = ("list $", "effective $", "share", "commitment saving $", "spot saving $", "idle $")


def _cells(line: CostLine, total: float) -> list[str]:
    share = f"{line.effective_usd / total:.1%}" if total else "-"
    return [
        f"{line.list_usd:,.2f}",
        f"{line.effective_usd:,.2f}",
        share,
        f"{line.commitment_saving_usd:,.2f}",
        f"{line.spot_saving_usd:,.2f}",
        f"{line.idle_commitment_usd:,.2f}",
    ]


def _summary(report: CostReport) -> list[str]:
    t = report.total
    missed = (
        "n/a" if report.missed_on_demand_usd is None else f"${report.missed_on_demand_usd:,.2f}"
    )
    lines = [
        f"effective ${t.effective_usd:,.2f} of ${t.list_usd:,.2f} at list price",
        f"saved by commitments ${t.commitment_saving_usd:,.2f}, by spot ${t.spot_saving_usd:,.2f}",
        f"missed: idle commitments ${t.idle_commitment_usd:,.2f}, on-demand above c* {missed}",
    ]
    return lines + [f"note: {n}" for n in report.missed_notes]


def to_jsonable(report: CostReport) -> dict[str, Any]:
    data = asdict(report)
    data["movers"] = [{**asdict(m), "change_usd": m.change_usd} for m in report.movers]
    data["weeks"] = [{"week": w.isoformat(), "effective_usd": v} for w, v in report.weeks]
    for key in ("first_week", "last_week"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def render_table(report: CostReport) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"cost by {report.by}: {report.source}", title_justify="left")
    table.add_column(report.by)
    for name in COLUMNS:
        table.add_column(name, justify="right")
    for line in report.lines:
        table.add_row(line.key, *_cells(line, report.total.effective_usd))
    table.add_row("total", *_cells(report.total, report.total.effective_usd))
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, no_color=True)
    console.print(table)
    for text in _summary(report):
        console.print(text)
    if report.movers:
        console.print("top movers, week on week: " + "; ".join(
            f"{m.key} {m.change_usd:+,.2f}" for m in report.movers
        ))  # fmt: skip
    return buffer.getvalue()


def render_md(report: CostReport) -> str:
    out = [f"# Cost by {report.by}", "", f"Source `{report.source}` ({report.format}).", ""]
    out += [f"- {text}" for text in _summary(report)] + [""]
    out.append(f"| {report.by} | " + " | ".join(COLUMNS) + " |")
    out.append("|---" * (len(COLUMNS) + 1) + "|")
    for line in [*report.lines, report.total]:
        key = line.key.replace("|", "\\|")
        out.append(f"| {key} | " + " | ".join(_cells(line, report.total.effective_usd)) + " |")
    if report.movers:
        out += ["", "## Top movers, week on week", "", "| key | previous $ | last $ | change $ |"]
        out.append("|---|---|---|---|")
        for m in report.movers:
            key = m.key.replace("|", "\\|")
            out.append(
                f"| {key} | {m.previous_usd:,.2f} | {m.last_usd:,.2f} | {m.change_usd:+,.2f} |"
            )
    return "\n".join(out) + "\n"


def cost_chart(report: CostReport, width: int = 620, top_n: int = 12) -> str:
    """Horizontal bars per key: list price (grey) behind effective cost (blue)."""
    items = report.lines[:top_n]
    row, left, right, top = 24, 200, 110, 30
    height = top + row * max(1, len(items)) + 14
    peak = max([max(c.list_usd, c.effective_usd) for c in items] + [1.0])
    plot_w = width - left - right
    body = [
        f"<text x='8' y='18' {FONT} font-weight='bold'>cost by {escape(report.by)} "
        "(USD; grey: list price, blue: effective)</text>"
    ]
    for i, c in enumerate(items):
        y = top + i * row
        lw, ew = plot_w * max(c.list_usd, 0) / peak, plot_w * max(c.effective_usd, 0) / peak
        body += [
            f"<text x='{left - 6}' y='{y + 15}' {FONT} text-anchor='end'>"
            f"{escape(c.key[:32])}</text>",
            f"<rect x='{left}' y='{y + 3}' width='{lw:.1f}' height='{row - 6}' fill='{LIST}'/>",
            f"<rect x='{left}' y='{y + 7}' width='{ew:.1f}' height='{row - 14}' fill='{PAID}'/>",
            f"<text x='{left + max(lw, ew) + 6:.1f}' y='{y + 15}' {FONT}>"
            f"${c.effective_usd:,.0f}</text>",
        ]
    return _svg(width, height, body, f"cost by {report.by}")


def weekly_chart(report: CostReport, width: int = 620, height: int = 220) -> str:
    """Columns: effective cost per week."""
    left, right, top, bottom = 60, 16, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    weeks = report.weeks or []
    peak = max([v for _, v in weeks] + [1.0])
    bar = plot_w / max(1, len(weeks))
    body = [f"<text x='8' y='18' {FONT} font-weight='bold'>effective cost per week (USD)</text>"]
    for i, (week, value) in enumerate(weeks):
        h = plot_h * max(value, 0) / peak
        x = left + i * bar
        body += [
            f"<rect x='{x + 2:.1f}' y='{top + plot_h - h:.1f}' width='{max(bar - 4, 1):.1f}' "
            f"height='{h:.1f}' fill='{SAVE}'/>",
            f"<text x='{x + bar / 2:.1f}' y='{top + plot_h + 14}' {FONT} text-anchor='middle'>"
            f"{week:%m-%d}</text>",
        ]
    body.append(f"<text x='{left - 4}' y='{top + 8}' {FONT} text-anchor='end'>${peak:,.0f}</text>")
    return _svg(width, height, body, "effective cost per week")


def render_html(report: CostReport) -> str:
    def img(svg: str, alt: str) -> str:
        return f"<img class='chart' alt='{escape(alt)}' src='{data_uri(svg)}'>"

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>cost report</title><style>{STYLE}</style></head><body>",
        f"<h1>Cost by {escape(report.by)}</h1>",
        f"<p>Source <code>{escape(report.source)}</code> ({escape(report.format)}).</p><ul>",
        *(f"<li>{escape(text)}</li>" for text in _summary(report)),
        "</ul><div class='charts'>",
        img(cost_chart(report), f"cost by {report.by}"),
        img(weekly_chart(report), "effective cost per week"),
        "</div><h2>Detail</h2><table><thead><tr>",
        f"<th>{escape(report.by)}</th>" + "".join(f"<th>{c}</th>" for c in COLUMNS),
        "</tr></thead><tbody>",
    ]
    for line in [*report.lines, report.total]:
        cells = "".join(
            f"<td class='num'>{c}</td>" for c in _cells(line, report.total.effective_usd)
        )
        parts.append(f"<tr><td>{escape(line.key)}</td>{cells}</tr>")
    parts.append("</tbody></table>")
    if report.movers:
        parts.append("<h2>Top movers, week on week</h2><table><tbody>")
        parts += [
            f"<tr><td>{escape(m.key)}</td><td class='num'>{m.change_usd:+,.2f}</td></tr>"
            for m in report.movers
        ]
        parts.append("</tbody></table>")
    parts += [READY_SCRIPT, "</body></html>"]
    return "\n".join(parts) + "\n"
