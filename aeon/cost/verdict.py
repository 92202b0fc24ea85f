"""The policy verdict a pull-request comment shows: from the pack's report, or from the SARIF
file `aeon policy --plan ... --format sarif` wrote in CI (so the comment shows exactly what was
uploaded to code scanning)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aeon.analyzer.report import PolicyReport
from aeon.errors import UserError
from components.facts.files import UnreadableFile, load_json

LEVEL_ORDER = {"mandatory": 0, "advisory": 1, "exempted": 2}
SARIF_LEVELS = {"error": "mandatory", "warning": "advisory", "note": "advisory"}


@dataclass(frozen=True)
class Finding:
    level: str  # mandatory | advisory | exempted
    policy: str
    resource: str  # "<type>::<name>", or "stack"
    message: str
    fix: str  # the policy's remediation


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...]
    source: str  # where it came from: the pack and its version, or the SARIF file

    def count(self, level: str) -> int:
        return sum(f.level == level for f in self.findings)


def remediation(description: str) -> str:
    _, found, fix = description.partition("Remediation:")
    return fix.strip() if found else ""


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (LEVEL_ORDER[f.level], f.policy, f.resource)))


def from_report(report: PolicyReport) -> Verdict:
    fixes = {p.name: remediation(p.description) for p in report.policies}
    findings = [
        Finding(
            "exempted" if v.exempted else v.enforcement,
            v.policy,
            f"{v.type}::{v.name}" if v.urn else "stack",
            v.message,
            fixes.get(v.policy, ""),
        )
        for v in report.violations
        if v.exempted or v.enforcement in ("mandatory", "advisory")
    ]
    return Verdict(_sorted(findings), f"`{report.pack}` v{report.pack_version}")


def _sarif_finding(result: dict[str, Any], rules: dict[str, dict[str, Any]]) -> Finding | None:
    level = "exempted" if result.get("suppressions") else SARIF_LEVELS.get(result.get("level"))
    if level is None:
        return None
    props = result.get("properties") or {}
    rule = rules.get(result.get("ruleId", ""), {})
    resource = f"{props['type']}::{props['name']}" if props.get("type") else "stack"
    description = (rule.get("fullDescription") or {}).get("text", "")
    message = (result.get("message") or {}).get("text", "")
    return Finding(level, result.get("ruleId", "?"), resource, message, remediation(description))


def from_sarif(path: Path) -> Verdict:
    try:
        document = load_json(path, "--sarif")
        runs = document["runs"]
        findings: list[Finding] = []
        tools = []
        for run in runs:
            driver = run["tool"]["driver"]
            tools.append(f"`{driver.get('name', '?')}` v{driver.get('version', '?')}")
            rules = {rule["id"]: rule for rule in driver.get("rules", [])}
            for result in run.get("results", []):
                finding = _sarif_finding(result, rules)
                if finding is not None:
                    findings.append(finding)
    except UnreadableFile as exc:
        raise UserError(str(exc)) from None
    except (KeyError, TypeError, AttributeError) as exc:
        why = f"{type(exc).__name__}: {exc}"
        raise UserError(f"--sarif {path}: not a SARIF 2.1.0 log ({why})") from None
    return Verdict(_sorted(findings), ", ".join(tools) + f" (from {path.name})")
