"""The pull-request comment: one Markdown body, starting with a hidden marker that names the
stack so CI updates the same comment on every push.

Order: the policy verdict (mandatory findings first, each with its resource and fix), the cost
of the change (biggest movers first), the top saved recommendations. GitHub refuses bodies over
65,536 characters: long tables are cut to fit, saying how much was left out.
"""

from __future__ import annotations

from aeon.cost.recommendations import RecommendationRow
from aeon.cost.verdict import LEVEL_ORDER, Verdict
from aeon.output.cost import diff_markdown, short_type, unpriced_changes, usd
from optimizers.costing import CostDiff

GITHUB_BODY_LIMIT = 65536
ICONS = {"mandatory": ":x:", "advisory": ":warning:", "exempted": ":grey_exclamation:"}


def marker(stack: str) -> str:
    return f"<!-- aeon:pr-comment stack={stack} -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _resource(text: str) -> str:
    kind, sep, name = text.partition("::")
    return f"`{short_type(kind)}::{name}`" if sep else text


def _verdict(verdict: Verdict, limit: int | None) -> list[str]:
    mandatory = verdict.count("mandatory")
    icon = ":x:" if mandatory else ":white_check_mark:"
    lines = [
        "### Policy verdict",
        "",
        f"{icon} **{mandatory} mandatory**, {verdict.count('advisory')} advisory, "
        f"{verdict.count('exempted')} exempted ({verdict.source})",
    ]
    ordered = sorted(verdict.findings, key=lambda f: (LEVEL_ORDER[f.level], f.policy, f.resource))
    shown = ordered[:limit]
    if shown:
        lines += ["", "| | policy | resource | finding | fix |", "|---|---|---|---|---|"]
        for f in shown:
            lines.append(f"| {ICONS[f.level]} {f.level} | `{f.policy}` | {_resource(f.resource)}"
                         f" | {_cell(f.message)} | {_cell(f.fix)} |")  # fmt: skip
    hidden = len(verdict.findings) - len(shown)
    if hidden:
        lines += ["", f"…and {hidden} more findings (code scanning has them all)."]
    return lines


def _cost(diff: CostDiff, limit: int | None) -> list[str]:
    lines = ["### Monthly cost", "", diff_markdown(diff, limit).rstrip()]
    gaps = diff.head_report.unpriced
    if gaps:
        lines += ["", f"<details><summary>{len(gaps)} resources unpriced (not in the totals)"
                      "</summary>", ""]  # fmt: skip
        lines += [f"- `{u.name}` (`{short_type(u.type)}`): {_cell(u.why)}" for u in gaps[:limit]]
        lines += ["", "</details>"]
    return lines


def _recommendations(rows: list[RecommendationRow], note: str, stack: str) -> list[str]:
    lines = ["### Top recommendations", ""]
    if not rows:
        return [*lines, f"None to show: {note}."]
    lines += [f"From `.aeon/recommendations/{stack}.json` ({note}); apply with "
              "`aeon apply --ids ...`.", "",
              "| pool | region | change | saving / month | risk | id |",
              "|---|---|---|---:|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(f"| `{r.pool}` | {r.region} | {r.kind}: {_cell(r.change)} | "
                     f"{usd(r.monthly_saving_usd)} | {r.risk} | `{r.id}` |")  # fmt: skip
    return lines


def render_comment(
    stack: str,
    verdict: Verdict,
    diff: CostDiff,
    recommendations: list[RecommendationRow],
    recommendations_note: str,
) -> str:
    mandatory = verdict.count("mandatory")
    policy = f":x: {mandatory} mandatory" if mandatory else ":white_check_mark: passes"
    unknown = len(diff.unpriced_changes)
    title = (
        f"## aeon · `{stack}`: policy {policy} · cost "
        f"{usd(diff.total_delta_monthly_usd, signed=True)} a month"
        + (f" (and {unpriced_changes(unknown)})" if unknown else "")
    )
    for limit in (None, 50, 20, 5):
        parts = [
            marker(stack),
            title,
            "",
            *_verdict(verdict, limit),
            "",
            *_cost(diff, limit),
            "",
            *_recommendations(recommendations, recommendations_note, stack),
        ]
        body = "\n".join(parts) + "\n"
        if len(body) <= GITHUB_BODY_LIMIT:
            return body
    return body[: GITHUB_BODY_LIMIT - 40] + "\n\n…(cut to GitHub's size limit)\n"
