"""A file and line for every finding: the SDK's source position, else the stack config key.

SARIF needs a physical location per result. Offline runs know where the program registered a
resource; otherwise the finding points at the stack config key that produced the resource (a pool's
list item, `storage`, `kubernetes`, ...), else at the plan file line naming the URN.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from aeon.analyzer.report import PolicyReport, SourceLocation
from aeon.engine.model import Resource
from components.facts.files import parse_yaml, read_text
from components.facts.project import PROJECT
from components.facts.tags import POOL_TAG

# Which stack config key a resource type comes from (first matching prefix wins).
KEY_BY_TYPE_PREFIX = (
    ("aws:s3/", "storage"),
    ("aws:eks/", "kubernetes"),
    ("kubernetes:", "kubernetes"),
    ("aws:budgets/", "budget"),
    ("aws:cloudwatch/", "monitoring"),
    ("aws:cloudfront/", "routing"),
    ("aws:route53/", "routing"),
    ("aws:ec2/vpc", "regions"),
    ("aws:ec2/subnet", "regions"),
    ("aws:ec2/natGateway", "regions"),
    ("pulumi:pulumi:Stack", "budget"),
)


def _tags(inputs: Mapping[str, Any]) -> dict[str, Any]:
    tags = inputs.get("tags")
    if isinstance(tags, dict):
        return tags
    if isinstance(tags, list):
        return {t.get("key"): t.get("value") for t in tags if isinstance(t, dict)}
    return {}


class StackFileLines:
    """Line numbers of the keys in Pulumi.<stack>.yaml (1-based)."""

    def __init__(self, path: Path, root: Path) -> None:
        self.file = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        text = read_text(path)
        parse_yaml(text, str(path))  # bounded aliases first: the round-trip loader has no bound
        doc = YAML().load(text) or {}
        self.config = doc.get("config") if isinstance(doc, dict) else None
        self.config_line = (doc.lc.key("config")[0] + 1) if self.config is not None else 1

    def key_line(self, key: str) -> int | None:
        full = f"{PROJECT}:{key}"
        if self.config is None or full not in self.config:
            return None
        return self.config.lc.key(full)[0] + 1

    def pool_line(self, pool: str) -> int | None:
        pools = self.config.get(f"{PROJECT}:pools") if self.config is not None else None
        if not isinstance(pools, list):
            return None
        for i, item in enumerate(pools):
            if isinstance(item, dict) and item.get("name") == pool:
                return pools.lc.item(i)[0] + 1
        return None

    def locate(self, res: Resource | None, policy: str) -> SourceLocation:
        line = None
        if res is not None:
            pool = _tags(res.inputs).get(POOL_TAG)
            if isinstance(pool, str):
                line = self.pool_line(pool)
            if line is None:
                key = next((k for p, k in KEY_BY_TYPE_PREFIX if res.type.startswith(p)), None)
                line = self.key_line(key) if key else None
        if line is None and policy == "required-cost-tags":
            line = self.key_line("tags")
        if line is None and policy == "budget-exists":
            line = self.key_line("budget")
        return SourceLocation(file=self.file, line=line or self.config_line)


def fill_locations(
    report: PolicyReport,
    resources: Mapping[str, Resource],
    *,
    root: Path,
    stack_file: Path | None = None,
    plan_file: Path | None = None,
    plan_lines: Mapping[str, int] | None = None,
) -> PolicyReport:
    """Give every violation without a source position a location in the repository: the stack
    file's key, else the plan step's line (`plan_lines`: urn -> line, from the plan reader)."""
    lines = StackFileLines(stack_file, root) if stack_file and stack_file.is_file() else None
    for v in report.violations:
        if v.location is not None:
            continue
        if lines is not None:
            v.location = lines.locate(resources.get(v.urn), v.policy)
        elif plan_file is not None:
            name = (
                plan_file.relative_to(root).as_posix()
                if plan_file.is_relative_to(root)
                else str(plan_file)
            )
            v.location = SourceLocation(file=name, line=(plan_lines or {}).get(v.urn, 1))
        else:
            v.location = SourceLocation(file="Pulumi.yaml", line=1)
    return report
