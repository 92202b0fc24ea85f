"""`aeon report --format html`: one self-contained page; charts are SVG images in data: URIs.

A script marks the page once every chart image has loaded (complete, naturalWidth > 0): the title
becomes `<stack> report: N charts loaded` and <body data-charts-loaded="N">, which a headless
browser's --dump-dom shows (tests/test_report_html.py).
"""

from __future__ import annotations

from html import escape

from aeon.output.report_charts import data_uri, savings_chart, utilization_chart
from aeon.output.report_data import (
    OVERLAP_NOTE,
    ReportData,
    money,
    role_unknown_line,
    run_line,
)

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px; color: #111; background: #fff; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
td.num { text-align: right; }
.totals { display: flex; gap: 24px; }
.totals div { background: #eef6ff; padding: 10px 16px; border-radius: 6px; }
.totals b { display: block; font-size: 20px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.charts img { border: 1px solid #ddd; }
"""

READY_SCRIPT = """
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('img.chart'));
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute('data-charts-total', String(imgs.length));
  document.body.setAttribute('data-charts-loaded', String(ok.length));
  if (ok.length === imgs.length) {
    document.title = document.title + ': ' + ok.length + ' charts loaded';
  } else {
    document.title = document.title + ': chart failed to load';
  }
});
</script>
"""


def _img(svg: str, alt: str) -> str:
    return f"<img class='chart' alt='{escape(alt)}' src='{data_uri(svg)}'>"


def _code(text: str) -> str:
    """`x` in an escaped line -> <code>x</code>."""
    parts = text.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def render(data: ReportData) -> str:
    t = data.totals
    head = f"{data.stack} report"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(head)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(data.title)}: {escape(data.stack)}</h1>",
        *(f"<p>{_code(escape(run_line(r)))}.</p>" for r in data.runs),
        *([f"<p>{escape(OVERLAP_NOTE)}</p>"] if len(data.runs) > 1 else []),
        "<div class='totals'>",
        f"<div>monthly saving<b>{money(t.monthly_saving_usd)}</b>"
        + (f"{t.saving_pct:.1f}% of priced cost" if t.saving_pct is not None else "")
        + "</div>",
        f"<div>cost before / after<b>{money(t.monthly_cost_before_usd)} / "
        f"{money(t.monthly_cost_after_usd)}</b>per month</div>",
        f"<div>recommendations<b>{t.recommendations}</b>{t.resources} resources"
        + (f", {t.unpriced} unpriced" if t.unpriced else "")
        + "</div>",
        "</div>",
        *([f"<p>{escape(line)}.</p>"] if (line := role_unknown_line(t)) else []),
        "<h2>Savings by pool</h2><div class='charts'>",
        _img(
            savings_chart([(p.pool, p.monthly_saving_usd) for p in data.savings_by_pool]),
            "monthly saving by pool",
        ),
        "</div>",
    ]
    if data.utilization:
        parts.append("<h2>Utilization by pool against the proposed capacity</h2>")
        parts.append(
            "<p>Share of samples per 5% bin of the current capacity; dashed lines: the "
            "95th percentile and the busiest projected utilization on the proposal.</p>"
        )
        parts.append("<div class='charts'>")
        parts += [_img(utilization_chart(u), f"utilization of {u.pool}") for u in data.utilization]
        parts.append("</div>")
    parts.append("<h2>Recommendations</h2><table><thead><tr>")
    cols = (
        "id",
        "target",
        "pool",
        "region",
        "kind",
        "current",
        "proposed",
        "saving $/mo",
        "risk",
        "confidence",
    )
    parts.append("".join(f"<th>{c}</th>" for c in cols) + "</tr></thead><tbody>")
    for r in data.rows:
        saving = "unpriced" if r.monthly_saving_usd is None else f"{r.monthly_saving_usd:,.2f}"
        cells = [r.id, r.target, r.pool, r.region, r.kind, r.current, r.proposed]
        parts.append(
            "<tr>"
            + "".join(f"<td>{escape(str(c))}</td>" for c in cells)
            + f"<td class='num'>{saving}</td><td>{escape(r.risk)}</td>"
            f"<td>{escape(r.confidence or '-')}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(READY_SCRIPT)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
