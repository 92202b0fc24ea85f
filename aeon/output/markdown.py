"""Markdown for a pull-request comment: verdict first, then one table per level."""

from __future__ import annotations

from aeon.analyzer.report import PolicyReport, Violation
from aeon.output.policy_table import PolicyFormat, policy_format


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: list[Violation], exempted: bool = False) -> list[str]:
    head = "| policy | resource | finding |" + (" override |" if exempted else "")
    rule = "|---|---|---|" + ("---|" if exempted else "")
    lines = [head, rule]
    for v in rows:
        line = f"| `{v.policy}` | `{_cell(v.type)}::{_cell(v.name)}` | {_cell(v.message)} |"
        if exempted:
            line += f" {_cell(v.exemption_reason or '')} (until {v.exemption_expires}) |"
        lines.append(line)
    return lines


def markdown_report(report: PolicyReport) -> str:
    s = report.summary
    icon = ":x:" if report.failed else ":white_check_mark:"
    verdict = (
        "blocked by mandatory policy violations" if report.failed else "passes the policy pack"
    )
    lines = [
        f"### {icon} `{report.project}/{report.stack}` {verdict}",
        "",
        f"**{s.mandatory}** mandatory, **{s.advisory}** advisory, **{s.exempted}** exempted; "
        f"{s.resources_checked} resources checked by `{report.pack}` v{report.pack_version}.",
    ]
    groups = (
        (
            "Mandatory",
            [v for v in report.violations if v.enforcement == "mandatory" and not v.exempted],
            False,
        ),
        (
            "Advisory",
            [v for v in report.violations if v.enforcement == "advisory" and not v.exempted],
            False,
        ),
        ("Exempted", [v for v in report.violations if v.exempted], True),
    )
    for title, rows, exempted in groups:
        if rows:
            lines += ["", f"#### {title}", "", *_table(rows, exempted)]
    if report.notes:
        lines += ["", "<details><summary>Notes from the pack</summary>", ""]
        lines += [f"- {_cell(n)}" for n in report.notes]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


@policy_format("md")
class MarkdownFormat(PolicyFormat):
    def render(self, report: PolicyReport) -> str:
        return markdown_report(report)
