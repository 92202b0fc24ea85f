"""JUnit XML for CI test tabs: a suite per policy, a test case per violation (or one passing case).

Mandatory violations are failures; advisory ones pass with the finding in system-out; exempted
ones are skipped with the override's reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from aeon.analyzer.report import PolicyReport, Violation
from aeon.output.policy_table import PolicyFormat, policy_format


def _case(suite: ET.Element, v: Violation) -> None:
    case = ET.SubElement(
        suite, "testcase", name=f"{v.type}::{v.name}", classname=v.policy, time="0"
    )
    if v.exempted:
        ET.SubElement(
            case,
            "skipped",
            message=f"exempted: {v.exemption_reason} (expires {v.exemption_expires})",
        ).text = v.message
    elif v.enforcement == "mandatory":
        failure = ET.SubElement(case, "failure", type=v.severity, message=v.message)
        failure.text = f"{v.urn}\n{v.message}"
    else:
        ET.SubElement(case, "system-out").text = f"advisory: {v.message}"


def junit_document(report: PolicyReport) -> ET.Element:
    by_policy: dict[str, list[Violation]] = defaultdict(list)
    for v in report.violations:
        by_policy[v.policy].append(v)
    root = ET.Element("testsuites", name=f"{report.pack} {report.project}/{report.stack}")
    total = failures = 0
    for policy in sorted(report.policies, key=lambda p: p.name):
        found = by_policy.get(policy.name, [])
        failed = sum(1 for v in found if v.enforcement == "mandatory" and not v.exempted)
        skipped = sum(1 for v in found if v.exempted)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=policy.name,
            tests=str(max(1, len(found))),
            failures=str(failed),
            errors="0",
            skipped=str(skipped),
            time="0",
        )
        if found:
            for v in found:
                _case(suite, v)
        else:
            ET.SubElement(suite, "testcase", name="all resources", classname=policy.name, time="0")
        total += max(1, len(found))
        failures += failed
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    return root


@policy_format("junit")
class JunitFormat(PolicyFormat):
    def render(self, report: PolicyReport) -> str:
        root = junit_document(report)
        ET.indent(root)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode")
            + "\n"
        )
