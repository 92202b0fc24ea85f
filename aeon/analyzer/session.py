"""Speaking the Analyzer protocol to a started pack, in the CLI's call order.

Handshake (Python packs answer UNIMPLEMENTED), ConfigureStack, GetAnalyzerInfo, Configure with the
merged config, Analyze once per resource, AnalyzeStack once. One started pack can serve several
runs in a row (tests and benchmarks share one).
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aeon.analyzer.config import PolicyConfig, PolicySpec, merge_config
from aeon.analyzer.pack import PolicyPackProcess
from aeon.analyzer.report import PolicyInfo, PolicyReport, SourceLocation, Violation
from aeon.engine.model import Resource

EXEMPTIONS_POLICY = "policy-exemptions"
EXEMPTED = re.compile(
    r"^exempted \[(?P<policy>[^\]]+)\] (?P<message>.*) "
    r"\(reason: (?P<reason>.*); expires: (?P<expires>[0-9-]+)\)$",
    re.S,
)
CANT_RUN = "can't run policy"
ANALYZE_IN_FLIGHT = 8
ROOT_STACK = "pulumi:pulumi:Stack"


def _level_name(value: int) -> str:
    from pulumi.runtime.proto import analyzer_pb2

    return analyzer_pb2.EnforcementLevel.Name(value).lower()


def _severity_name(value: int) -> str:
    from pulumi.runtime.proto import analyzer_pb2

    return analyzer_pb2.PolicySeverity.Name(value).removeprefix("POLICY_SEVERITY_").lower()


def _wire(value: Any) -> Any:
    """Plain JSON for a protobuf Struct (tuples become lists, NaN becomes null)."""
    if isinstance(value, Mapping):
        return {str(k): _wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


def _struct(props: Mapping[str, Any]):
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(_wire(props))
    return struct


def urn_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def urn_name(urn: str) -> str:
    return urn.split("::")[-1] if "::" in urn else urn


def urn_stack_project(urn: str) -> tuple[str, str]:
    """(stack, project) of `urn:pulumi:<stack>::<project>::...`."""
    head = urn.split("::")
    return head[0].removeprefix("urn:pulumi:"), head[1] if len(head) > 1 else ""


class AnalyzerSession:
    """A started pack plus what GetAnalyzerInfo said about it."""

    def __init__(self, process: PolicyPackProcess) -> None:
        self.process = process
        self.info = None
        self.specs: list[PolicySpec] = []
        self.initial_config: dict[str, Any] = {}

    def __enter__(self) -> AnalyzerSession:
        self.process.start()
        self._handshake()
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.close()

    @property
    def stub(self):
        return self.process.stub

    def _handshake(self) -> None:
        import grpc
        from pulumi.runtime.proto import analyzer_pb2

        try:
            self.stub.Handshake(
                analyzer_pb2.AnalyzerHandshakeRequest(
                    engine_address="127.0.0.1:0",
                    root_directory=str(self.process.pack_dir),
                    program_directory=str(self.process.pack_dir),
                )
            )
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise

    def _load_info(self) -> None:
        from google.protobuf import empty_pb2, json_format

        info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        self.info = info
        self.specs = [
            PolicySpec(
                name=p.name,
                description=p.description,
                enforcement=_level_name(p.enforcementLevel),
                severity=_severity_name(p.severity),
                kind="stack" if p.policy_type == 2 else "resource",
                properties=json_format.MessageToDict(p.configSchema.properties),
                required=tuple(p.configSchema.required),
            )
            for p in info.policies
        ]
        self.initial_config = {}
        for name, cfg in info.initialConfig.items():
            entry: dict[str, Any] = json_format.MessageToDict(cfg.properties)
            if cfg.enforcementLevel or "enforcementLevel" in json_format.MessageToDict(cfg):
                entry["enforcementLevel"] = _level_name(cfg.enforcementLevel)
            self.initial_config[name] = entry

    def run(
        self,
        resources: Iterable[Resource],
        *,
        project: str,
        stack: str,
        stack_config: Mapping[str, str] | None = None,
        policy_config: Mapping[str, Any] | None = None,
        config_source: str = "policy config",
        dry_run: bool = True,
    ) -> PolicyReport:
        from pulumi.runtime.proto import analyzer_pb2

        resources = [r for r in resources if r.type != ROOT_STACK]
        self.stub.ConfigureStack(
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=stack,
                project=project,
                organization="organization",
                dry_run=dry_run,
                config=dict(stack_config or {}),
                tags={"pulumi:project": project, "pulumi:runtime": "python"},
            )
        )
        self._load_info()
        merged = merge_config(
            self.specs, self.initial_config, dict(policy_config or {}), config_source
        )
        self._configure(merged)

        by_urn = {r.urn: r for r in resources}
        # Built once each: every resource of a region names the same provider.
        providers = {ref: self._provider(ref, by_urn) for ref in {r.provider for r in resources}}
        diagnostics: list[tuple[str, Any]] = []
        # A few calls in flight: this process builds the next requests while the pack answers.
        in_flight: deque[tuple[str, Any]] = deque()
        for res in resources:
            request = self._analyze_request(res, providers[res.provider])
            in_flight.append((res.urn, self.stub.Analyze.future(request)))
            if len(in_flight) >= ANALYZE_IN_FLIGHT:
                urn, reply = in_flight.popleft()
                diagnostics.extend((urn, d) for d in reply.result().diagnostics)
        for urn, reply in in_flight:
            diagnostics.extend((urn, d) for d in reply.result().diagnostics)
        stack_request = analyzer_pb2.AnalyzeStackRequest()
        for res in resources:
            self._add_stack_resource(stack_request, res, providers[res.provider])
        stack_reply = self.stub.AnalyzeStack(stack_request)
        diagnostics.extend(("", d) for d in stack_reply.diagnostics)
        return self._report(project, stack, merged, diagnostics, by_urn, len(resources))

    def _version(self) -> str:
        """The CLI takes the version from PulumiPolicy.yaml (Python packs always answer 0.0.1)."""
        from aeon.project import load_yaml

        path = self.process.pack_dir / "PulumiPolicy.yaml"
        declared = load_yaml(path).get("version") if path.is_file() else None
        return str(declared) if declared else self.info.version

    def _configure(self, merged: Mapping[str, PolicyConfig]) -> None:
        from pulumi.runtime.proto import analyzer_pb2

        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, cfg in merged.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = analyzer_pb2.EnforcementLevel.Value(cfg.enforcement.upper())
            entry.properties.update(_wire(cfg.properties))
        self.stub.Configure(request)

    @staticmethod
    def _provider(reference: str | None, by_urn: Mapping[str, Resource]):
        from pulumi.runtime.proto import analyzer_pb2

        if not reference:
            return None
        urn = reference.rsplit("::", 1)[0]
        known = by_urn.get(urn)
        # A provider absent from the resources is known only by its URN.
        return analyzer_pb2.AnalyzerProviderResource(
            type=known.type if known else urn_type(urn),
            properties=_struct(known.inputs if known else {}),
            urn=urn,
            name=known.name if known else urn_name(urn),
        )

    @staticmethod
    def _analyze_request(res: Resource, provider: Any):
        from pulumi.runtime.proto import analyzer_pb2

        return analyzer_pb2.AnalyzeRequest(
            type=res.type,
            properties=_struct(res.inputs),
            urn=res.urn,
            name=res.name,
            options=analyzer_pb2.AnalyzerResourceOptions(parent=res.parent or ""),
            provider=provider,
        )

    @staticmethod
    def _add_stack_resource(request: Any, res: Resource, provider: Any) -> None:
        """Append `res` to an AnalyzeStackRequest, filled in place: building each resource as a
        message of its own and copying it in took three times the memory on a large stack."""
        state = {**res.inputs, **res.outputs}
        if res.id and "id" not in state:  # bridged providers report `id` among the outputs
            state["id"] = res.id
        item = request.resources.add(
            type=res.type,
            urn=res.urn,
            name=res.name,
            parent=res.parent or "",
            dependencies=res.dependencies,
        )
        item.properties.update(_wire(state))
        item.options.parent = res.parent or ""
        if provider is not None:
            item.provider.CopyFrom(provider)
        for key, urns in res.property_dependencies.items():
            item.propertyDependencies[key].urns.extend(urns)

    def _report(
        self,
        project: str,
        stack: str,
        merged: Mapping[str, PolicyConfig],
        diagnostics: list[tuple[str, Any]],
        by_urn: Mapping[str, Resource],
        checked: int,
    ) -> PolicyReport:
        specs = {s.name: s for s in self.specs}
        violations: list[Violation] = []
        notes: list[str] = []
        for request_urn, d in diagnostics:
            message = d.message
            if d.description and message.startswith(d.description):
                message = message[len(d.description) :].lstrip("\n")
            if message.startswith(CANT_RUN) or d.message.startswith(CANT_RUN):
                notes.append(d.message)
                continue
            urn = d.urn or request_urn
            policy, exempted = d.policyName, None
            if policy == EXEMPTIONS_POLICY:
                exempted = EXEMPTED.match(message)
                if exempted is None:
                    notes.append(message)
                    continue
                policy, message = exempted["policy"], exempted["message"]
            spec = specs.get(policy)
            level = (
                merged[policy].enforcement if policy in merged else _level_name(d.enforcementLevel)
            )
            res = by_urn.get(urn)
            pos = res.source_position if res is not None else None
            violations.append(
                Violation(
                    policy=policy,
                    enforcement=level,
                    severity=spec.severity if spec else _severity_name(d.severity),
                    urn=urn,
                    type=res.type if res else (ROOT_STACK if not urn else urn_type(urn)),
                    name=res.name if res else (f"{project}-{stack}" if not urn else urn_name(urn)),
                    message=message or (spec.description if spec else ""),
                    exempted=exempted is not None,
                    exemption_reason=exempted["reason"] if exempted else None,
                    exemption_expires=exempted["expires"] if exempted else None,
                    location=SourceLocation(file=pos.file, line=max(1, pos.line)) if pos else None,
                )
            )
        violations.sort(
            key=lambda v: (v.exempted, v.enforcement != "mandatory", v.policy, v.urn, v.message)
        )
        return PolicyReport(
            project=project,
            stack=stack,
            pack=self.info.name,
            pack_version=self._version(),
            policies=[
                PolicyInfo(
                    name=s.name,
                    description=s.description,
                    enforcement=merged[s.name].enforcement if s.name in merged else s.enforcement,
                    severity=s.severity,
                    kind=s.kind,
                )
                for s in self.specs
            ],
            violations=violations,
            resources_checked=checked,
            notes=notes,
        )


def open_session(
    pack_dir: Path,
    *,
    python: Path | None,
    project: str,
    stack: str,
    stack_config: Mapping[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> AnalyzerSession:
    return AnalyzerSession(
        PolicyPackProcess(
            pack_dir,
            python=python,
            project=project,
            stack=stack,
            config=dict(stack_config or {}),
            extra_env=extra_env,
        )
    )
