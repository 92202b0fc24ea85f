"""SARIF 2.1.0 for code-scanning UIs: one rule per policy, one result per violation.

Every result has a physical location (source position, else the stack config key's line).
Exempted findings are kept as suppressed results (suppressions with the override's justification).
"""

from __future__ import annotations

import json

from aeon.analyzer.report import PolicyReport
from aeon.output.policy_table import PolicyFormat, policy_format

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL = {"mandatory": "error", "advisory": "warning", "disabled": "none", "remediate": "error"}
# GitHub code scanning reads `security-severity` (0-10) from rule properties.
SECURITY_SEVERITY = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
    "unspecified": "5.0",
}


def sarif_document(report: PolicyReport) -> dict:
    rules = [
        {
            "id": p.name,
            "name": p.name,
            "shortDescription": {"text": p.description.split(". ")[0][:200]},
            "fullDescription": {"text": p.description},
            "defaultConfiguration": {"level": LEVEL.get(p.enforcement, "warning")},
            "properties": {
                "security-severity": SECURITY_SEVERITY.get(p.severity, "5.0"),
                "enforcement": p.enforcement,
                "kind": p.kind,
            },
        }
        for p in sorted(report.policies, key=lambda p: p.name)
    ]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for v in report.violations:
        location = v.location
        result = {
            "ruleId": v.policy,
            "level": LEVEL.get(v.enforcement, "warning"),
            "message": {"text": v.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": location.file if location else "Pulumi.yaml"},
                        "region": {"startLine": location.line if location else 1},
                    },
                    "logicalLocations": [
                        {
                            "fullyQualifiedName": v.urn or f"{report.project}/{report.stack}",
                            "kind": "resource",
                        }
                    ],
                }
            ],
            "properties": {"urn": v.urn, "type": v.type, "name": v.name, "severity": v.severity},
        }
        if v.policy in index:
            result["ruleIndex"] = index[v.policy]
        if v.exempted:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "justification": f"{v.exemption_reason} (expires {v.exemption_expires})",
                }
            ]
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": report.pack,
                        "version": report.pack_version,
                        "informationUri": "https://www.pulumi.com/docs/iac/crossguard/",
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"aeon-policy/{report.project}/{report.stack}/"},
                "results": results,
            }
        ],
    }


@policy_format("sarif")
class SarifFormat(PolicyFormat):
    def render(self, report: PolicyReport) -> str:
        return json.dumps(sarif_document(report), indent=2) + "\n"
