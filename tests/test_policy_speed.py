"""The pack's speed shim (policies/aeon_guardrails/speed.py) is active with the pinned
pulumi-policy: every policy of a request receives the same converted properties object, instead of
converting the resource again. It patches private attributes of the SDK, so this fails as soon as a
pulumi-policy release changes them; where they are missing the pack warns on stderr and runs
unpatched."""

from __future__ import annotations

import gc

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy import policy as sdk

from aeon.analyzer.pack import PolicyPackProcess
from tests.policy.pack import import_guardrails

URN = "urn:pulumi:dev::aeon-infra::aws:s3/bucket:Bucket::datasets"


def _props_seen_by_two_policies() -> list[object]:
    seen: list[object] = []
    probes = [
        ResourceValidationPolicy(
            name=f"probe-{i}",
            description="records the properties it is given",
            validate=lambda args, _report: seen.append(args.props),
        )
        for i in (1, 2)
    ]
    servicer = sdk._PolicyAnalyzerServicer("probe-pack", "0.0.1", probes, EnforcementLevel.ADVISORY)
    properties = struct_pb2.Struct()
    properties.update({"bucketPrefix": "aeon-datasets-", "tags": {"team": "ml-platform"}})
    request = analyzer_pb2.AnalyzeRequest(
        type="aws:s3/bucket:Bucket", properties=properties, urn=URN, name="datasets"
    )
    servicer.Analyze(request, None)
    assert len(seen) == 2 and seen[0]["tags"]["team"] == seen[1]["tags"]["team"] == "ml-platform"
    return seen


def test_building_the_pack_installs_the_shim():
    import_guardrails().build_policies()
    assert getattr(sdk, "_aeon_memoized", False)
    first, second = _props_seen_by_two_policies()
    assert first is second


def test_without_the_shim_each_policy_converts_again(monkeypatch):
    """The check above can fail: the SDK alone hands each policy its own conversion."""
    import_guardrails().build_policies()
    for name in ("deserialize_properties", "unknown_checking_proxy"):
        monkeypatch.setattr(sdk, name, getattr(sdk, name).__wrapped__)
    first, second = _props_seen_by_two_policies()
    assert first is not second


def _stack_request(count: int):
    request = analyzer_pb2.AnalyzeStackRequest()
    for i in range(count):
        resource = request.resources.add(type="aws:s3/bucket:Bucket", urn=f"{URN}-{i}", name="b")
        resource.properties.update({"bucket": f"b-{i}", "tags": {"team": "ml-platform"}})
        resource.provider.properties.update({"region": "us-east-1"})
    return request


def test_every_stack_policy_of_a_request_shares_one_conversion_however_large():
    """AnalyzeStack converts each resource once for all stack policies, past any fixed cache
    size, and pauses the cyclic collector while it runs; nothing is kept after the answer."""
    speed = import_guardrails().speed
    import_guardrails().build_policies()
    seen: list[list[object]] = []
    collecting: list[bool] = []

    def record(args, _report):
        seen.append([(r.props, r.provider) for r in args.resources])
        collecting.append(gc.isenabled())

    probes = [
        StackValidationPolicy(name=f"probe-{i}", description="records", validate=record)
        for i in (1, 2)
    ]
    servicer = sdk._PolicyAnalyzerServicer("probe-pack", "0.0.1", probes, EnforcementLevel.ADVISORY)
    servicer.AnalyzeStack(_stack_request(10_000), None)
    first, second = seen
    assert len(first) == 10_000 and first[-1][0]["bucket"] == "b-9999"
    assert all(a[0] is b[0] and a[1] is b[1] for a, b in zip(first, second, strict=True))
    assert collecting == [False, False] and gc.isenabled()
    assert getattr(speed._local, "cache", None) is None


def test_install_warns_on_stderr_when_the_sdk_changed(monkeypatch, capsys):
    speed = import_guardrails().speed
    monkeypatch.delattr(sdk, "_aeon_memoized", raising=False)
    monkeypatch.delattr(sdk, "unknown_checking_proxy")
    assert speed.install() is False
    err = capsys.readouterr().err
    assert "aeon-guardrails: warning" in err and "unknown_checking_proxy" in err


def test_the_offline_engine_relays_what_the_pack_says_while_starting(tmp_path, capsys):
    """As the Pulumi CLI streams a plugin's stderr to the user, `aeon` relays the pack's."""
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import sys\n"
        "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
        "print('pack: shim not installed', file=sys.stderr, flush=True)\n"
        "PolicyPack(name='p', policies=[ResourceValidationPolicy(name='x', description='x', "
        "validate=lambda args, report: None)])\n"
    )
    with PolicyPackProcess(tmp_path, project="p", stack="s"):
        pass
    assert "pack: shim not installed" in capsys.readouterr().err
