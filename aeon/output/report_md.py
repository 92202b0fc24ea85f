"""`aeon report --format md`: totals, the recommendation table, utilization and savings as text."""

from __future__ import annotations

from aeon.output.report_data import (
    OVERLAP_NOTE,
    ReportData,
    money,
    role_unknown_line,
    run_line,
)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def render(data: ReportData) -> str:
    t = data.totals
    pct = f" ({t.saving_pct:.1f}% of the priced cost)" if t.saving_pct is not None else ""
    lines = [f"# {data.title}: {data.stack}", ""]
    lines += [f"{run_line(r)}." for r in data.runs] or ["No planner has run yet."]
    if len(data.runs) > 1:
        lines.append(OVERLAP_NOTE)
    lines += [
        "",
        "## Totals",
        "",
        f"- Monthly saving: **{money(t.monthly_saving_usd)}**{pct}",
        f"- Monthly cost before / after: {money(t.monthly_cost_before_usd)} / "
        f"{money(t.monthly_cost_after_usd)}",
        f"- {t.recommendations} recommendations over {t.resources} resources; "
        + ", ".join(f"{k} {v}" for k, v in t.by_kind.items())
        + (f"; {t.unpriced} unpriced" if t.unpriced else ""),
        *([f"- {line}."] if (line := role_unknown_line(t)) else []),
        "",
        "## Recommendations",
        "",
        "| id | target | pool | region | kind | current | proposed | saving $/mo | risk "
        "| confidence |",
        "|---|---|---|---|---|---|---|---:|---|---|",
    ]
    for r in data.rows:
        saving = "unpriced" if r.monthly_saving_usd is None else f"{r.monthly_saving_usd:,.2f}"
        lines.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    r.id,
                    r.target,
                    r.pool,
                    r.region,
                    r.kind,
                    r.current,
                    r.proposed,
                    saving,
                    r.risk,
                    r.confidence or "-",
                )
            )
            + " |"
        )
    lines += [
        "",
        "## Savings by pool",
        "",
        "| pool | region | recommendations | saving $/mo |",
        "|---|---|---:|---:|",
    ]
    for p in data.savings_by_pool:
        lines.append(
            f"| {p.pool} | {p.region} | {p.recommendations} | {p.monthly_saving_usd:,.2f} |"
        )
    if data.utilization:
        lines += [
            "",
            "## Utilization by pool",
            "",
            "| pool | metric | samples | p50 | p95 | p99 | max | proposed |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for u in data.utilization:
            prop = "-" if u.proposed_pct is None else f"{u.proposed_pct:.1f}%"
            pc = u.percentiles
            lines.append(
                f"| {u.pool} | {u.metric} | {u.samples} | {pc.get('p50', 0):.1f}% | "
                f"{pc.get('p95', 0):.1f}% | {pc.get('p99', 0):.1f}% | {u.max:.1f}% | {prop} |"
            )
    return "\n".join(lines) + "\n"
