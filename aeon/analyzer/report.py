"""The outcome of running the policy pack over one stack: violations and a summary."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SourceLocation(BaseModel):
    """Where a finding points in the repository (SARIF physical location)."""

    file: str
    line: int = Field(ge=1)


class Violation(BaseModel):
    policy: str
    enforcement: str  # mandatory | advisory
    severity: str  # low | medium | high | critical | unspecified
    urn: str  # empty for a stack-level finding
    type: str
    name: str
    message: str
    exempted: bool = False
    exemption_reason: str | None = None
    exemption_expires: str | None = None
    location: SourceLocation | None = None


class PolicyInfo(BaseModel):
    """One policy of the pack as GetAnalyzerInfo describes it, with its effective level."""

    name: str
    description: str
    enforcement: str
    severity: str
    kind: str  # resource | stack


class Summary(BaseModel):
    mandatory: int
    advisory: int
    exempted: int
    resources_checked: int


class PolicyReport(BaseModel):
    project: str
    stack: str
    pack: str
    pack_version: str
    policies: list[PolicyInfo]
    violations: list[Violation]
    resources_checked: int
    # "can't run policy ... during preview" and similar notes from the pack.
    notes: list[str] = Field(default_factory=list)

    @property
    def summary(self) -> Summary:
        active = [v for v in self.violations if not v.exempted]
        return Summary(
            mandatory=sum(v.enforcement == "mandatory" for v in active),
            advisory=sum(v.enforcement == "advisory" for v in active),
            exempted=sum(v.exempted for v in self.violations),
            resources_checked=self.resources_checked,
        )

    @property
    def failed(self) -> bool:
        return self.summary.mandatory > 0

    def as_json(self) -> dict:
        """The documented `--format json` shape."""
        keys = ("policy", "enforcement", "severity", "urn", "type", "name", "message", "exempted")
        return {
            "violations": [v.model_dump(include=set(keys)) for v in self.violations],
            "summary": self.summary.model_dump(),
        }
