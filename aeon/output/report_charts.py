"""Static SVG charts for the report (pure Python: no plotting dependency).

Each chart is a complete SVG document with width, height and viewBox, so an <img> shows it at a
known size; the HTML embeds them as data: URIs (the page needs no other file).
"""

from __future__ import annotations

import base64
from html import escape

from optimizers.recommendation import PoolUtilization

FONT = "font-family='DejaVu Sans, Arial, sans-serif' font-size='11'"
BAR = "#3b82f6"
SAVE = "#16a34a"
MARK = "#dc2626"
P95 = "#f59e0b"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'><title>{escape(title)}</title>"
        f"<rect width='{width}' height='{height}' fill='#ffffff'/>" + "".join(body) + "</svg>"
    )


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def utilization_chart(util: PoolUtilization, width: int = 460, height: int = 220) -> str:
    """Histogram of busy-ness (share of samples per 5% bin) with the p95 and the projected
    utilization on the proposed capacity marked."""
    left, right, top, bottom = 44, 22, 50, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    total = max(1, sum(util.bins))
    shares = [c / total for c in util.bins]
    peak = max(shares) or 1.0
    n = len(util.bins)
    bar_w = plot_w / n
    body = [
        f"<text x='{left}' y='16' {FONT} font-weight='bold'>{escape(util.pool)} "
        f"({escape(util.region)}): {escape(util.metric)}, {util.samples} samples</text>",
        f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' "
        "stroke='#333'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#333'/>",
    ]
    for i, share in enumerate(shares):
        h = plot_h * share / peak
        x = left + i * bar_w
        body.append(
            f"<rect x='{x + 1:.1f}' y='{top + plot_h - h:.1f}' width='{bar_w - 2:.1f}' "
            f"height='{h:.1f}' fill='{BAR}'/>"
        )
    for pct in (0, 25, 50, 75, 100):
        x = left + plot_w * pct / 100
        body.append(
            f"<text x='{x:.1f}' y='{top + plot_h + 14}' {FONT} text-anchor='middle'>{pct}%</text>"
        )
    body.append(f"<text x='{left - 4}' y='{top + 8}' {FONT} text-anchor='end'>{peak:.0%}</text>")
    body.append(
        f"<text x='{left + plot_w / 2:.1f}' y='{height - 4}' {FONT} text-anchor='middle'>"
        "utilization (% of current capacity)</text>"
    )

    def marker(value: float, color: str, label: str, dy: int) -> None:
        x = left + plot_w * min(max(value, 0.0), 100.0) / 100
        body.append(
            f"<line x1='{x:.1f}' y1='{top}' x2='{x:.1f}' y2='{top + plot_h}' "
            f"stroke='{color}' stroke-width='2' stroke-dasharray='4 3'/>"
        )
        anchor = "end" if x > left + plot_w * 0.7 else "start"
        shift = -4 if anchor == "end" else 4
        body.append(
            f"<text x='{x + shift:.1f}' y='{dy}' {FONT} fill='{color}' "
            f"text-anchor='{anchor}'>{escape(label)}</text>"
        )

    p95 = util.percentiles.get("p95")
    if p95 is not None:
        marker(p95, P95, f"p95 {p95:.0f}%", top - 20)
    if util.proposed_pct is not None:
        marker(util.proposed_pct, MARK, f"proposed {util.proposed_pct:.0f}%", top - 6)
    return _svg(width, height, body, f"utilization of {util.pool}")


def savings_chart(items: list[tuple[str, float]], width: int = 560) -> str:
    """Horizontal bars: monthly saving per pool."""
    row, left, right, top = 22, 150, 90, 26
    height = top + row * max(1, len(items)) + 12
    peak = max([v for _, v in items] + [1.0])
    plot_w = width - left - right
    body = [f"<text x='8' y='16' {FONT} font-weight='bold'>monthly saving by pool (USD)</text>"]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = plot_w * max(value, 0.0) / peak
        body.append(
            f"<text x='{left - 6}' y='{y + 14}' {FONT} text-anchor='end'>{escape(label)}</text>"
        )
        body.append(
            f"<rect x='{left}' y='{y + 3}' width='{w:.1f}' height='{row - 6}' fill='{SAVE}'/>"
        )
        body.append(f"<text x='{left + w + 6:.1f}' y='{y + 14}' {FONT}>${value:,.0f}</text>")
    return _svg(width, height, body, "monthly saving by pool")
