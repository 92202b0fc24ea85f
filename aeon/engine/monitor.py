"""A resource monitor that records the program's resource graph the way the engine would see it.

Pulumi's stock `MockMonitor` hands mocks no parent or dependencies, builds URNs differently from
the engine and registers no default providers
(docs/pulumi-offline-engine.md#what-the-stock-mock-monitor-misses); this monitor does all three,
checks URNs for duplicates, and keeps each request's inputs in wire form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from aeon.engine import answers
from aeon.engine.model import GLOBAL_REGION, Resource, SourcePosition
from aeon.engine.urns import (
    PROVIDER_PREFIX,
    STACK_TYPE,
    child_urn,
    default_provider_urn,
    provider_reference,
    split_provider_reference,
    stable_id,
)

SECRET = "[secret]"
# Resource types whose AWS API is global, whatever provider region they were created with.
GLOBAL_TYPE_PREFIXES = ("aws:budgets/", "aws:cloudfront/", "aws:route53/")


def to_wire(value: Any) -> Any:
    """Deserialized SDK values -> plain JSON values (unknowns as the engine's sentinel)."""
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if rpc.is_rpc_secret(value):
        return SECRET
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def unknown_paths(value: Any, path: str = "") -> list[str]:
    if value == rpc.UNKNOWN:
        return [path or "<value>"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in unknown_paths(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in unknown_paths(v, f"{path}[{i}]")]
    return []


class AeonMocks(Mocks):
    """Answers invokes and computes outputs like AWS would; also usable with the stock monitor."""

    def __init__(self, default_region: str):
        self.default_region = default_region
        self.provider_regions: dict[str, str] = {}  # provider id -> region

    def region_of_provider(self, reference: str | None) -> str | None:
        if not reference:
            return None
        return self.provider_regions.get(split_provider_reference(reference)[1])

    def call(self, args):
        region = (
            args.args.get("region") or self.region_of_provider(args.provider) or self.default_region
        )
        return answers.answer_invoke(args.token, args.args, region), []

    def answer(
        self, token: str, name: str, key: str, inputs: dict[str, Any], region: str | None
    ) -> tuple[str, dict[str, Any]]:
        if token.startswith(PROVIDER_PREFIX):
            provider_id = stable_id(key)
            if token == f"{PROVIDER_PREFIX}aws":
                self.provider_regions[provider_id] = str(
                    inputs.get("region") or self.default_region
                )
            return provider_id, inputs
        region = region or self.default_region
        outputs = answers.computed_outputs(token, name, key, inputs, region)
        return answers.resource_id(token, name, key), outputs

    def new_resource(self, args):
        region = (args.inputs.get("region") if args.typ.startswith("aws:") else None) or (
            self.region_of_provider(args.provider)
        )
        return self.answer(args.typ, args.name, f"{args.typ}::{args.name}", args.inputs, region)


class RecordingMonitor(MockMonitor):
    def __init__(
        self,
        mocks: AeonMocks,
        stack: str,
        project: str,
        project_root: Path,
        package_versions: dict[str, str],
    ):
        super().__init__(mocks)
        self.mocks: AeonMocks = mocks
        self.stack = stack
        self.project = project
        self.project_root = project_root
        self.package_versions = package_versions
        self.registrations: dict[str, Resource] = {}
        self.duplicates: list[str] = []
        self.unknown_inputs: list[str] = []
        self.exports: dict[str, Any] = {}
        self.stack_urn: str | None = None

    # -- the monitor protocol -------------------------------------------------------------

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        urn = child_urn(
            self.stack, self.project, request.parent or None, request.type, request.name
        )
        if request.type == STACK_TYPE:
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        inputs = to_wire(rpc.deserialize_properties(request.object, keep_unknowns=True))
        if urn in self.registrations:
            self.duplicates.append(urn)
            existing = self.registrations[urn]
            return self._response(urn, existing.id or "", existing.outputs)
        self.unknown_inputs.extend(f"{urn}: {p}" for p in unknown_paths(inputs))

        provider = request.provider or None
        if request.custom and not provider and not request.type.startswith(PROVIDER_PREFIX):
            provider = self._default_provider(request.type.split(":")[0], request.version)
        region = self._region(request.type, inputs, provider, request.dependencies)

        if request.custom:
            id_, outputs = self.mocks.answer(request.type, request.name, urn, inputs, region)
        else:
            id_, outputs = None, {}
        self.registrations[urn] = Resource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            provider=provider,
            id=id_,
            inputs=inputs,
            outputs=outputs,
            dependencies=tuple(sorted(set(request.dependencies))),
            property_dependencies={
                k: tuple(sorted(set(v.urns)))
                for k, v in sorted(request.propertyDependencies.items())
            },
            region=region,
            source_position=self._source_position(request),
            custom_timeouts={
                op: value
                for op in ("create", "update", "delete", "read")
                if (value := getattr(request.customTimeouts, op))
            },
        )
        return self._response(urn, id_ or "", outputs)

    def RegisterResourceOutputs(self, request):  # noqa: N802
        if request.urn == self.stack_urn:
            _ensure_event_loop()
            self.exports = to_wire(rpc.deserialize_properties(request.outputs, keep_unknowns=True))
        return super().RegisterResourceOutputs(request)

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def _response(urn: str, id_: str, outputs: dict[str, Any]):
        obj = _sync_await(rpc.serialize_properties(outputs, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)

    def _default_provider(self, package: str, version: str) -> str:
        """The engine creates one default provider per package and version, on first use."""
        version = version or self.package_versions.get(package, "")
        urn = default_provider_urn(self.stack, self.project, package, version)
        if urn not in self.registrations:
            inputs: dict[str, Any] = {"version": version} if version else {}
            if package == "aws":
                inputs["region"] = self.mocks.default_region
            id_, outputs = self.mocks.answer(f"{PROVIDER_PREFIX}{package}", urn, urn, inputs, None)
            self.registrations[urn] = Resource(
                urn=urn, type=f"{PROVIDER_PREFIX}{package}", name=urn.rsplit("::", 1)[1],
                custom=True, parent=None, provider=None, id=id_, inputs=inputs, outputs=outputs,
                dependencies=(), property_dependencies={},
                region=inputs.get("region"), source_position=None,
            )  # fmt: skip
        return provider_reference(urn, self.registrations[urn].id or "")

    def _region(
        self, type_: str, inputs: dict[str, Any], provider: str | None, dependencies
    ) -> str | None:
        if type_.startswith(GLOBAL_TYPE_PREFIXES):
            return GLOBAL_REGION
        if type_ == f"{PROVIDER_PREFIX}aws":
            return str(inputs.get("region") or self.mocks.default_region)
        if type_.startswith("aws:") and isinstance(inputs.get("region"), str):
            return inputs["region"]
        if provider:
            owner = self.registrations.get(split_provider_reference(provider)[0])
            if owner is not None:
                return owner.region
        # A provider built from other resources' outputs (Kubernetes from an EKS cluster)
        # takes their region.
        for dep in dependencies:
            owner = self.registrations.get(dep)
            if owner is not None and owner.region not in (None, GLOBAL_REGION):
                return owner.region
        return None

    def _source_position(self, request) -> SourcePosition | None:
        position = request.sourcePosition
        if not position.uri:
            return None
        path = Path(unquote(urlparse(position.uri).path))
        try:
            path = path.relative_to(self.project_root)
        except ValueError:
            pass
        return SourcePosition(file=path.as_posix(), line=position.line)
