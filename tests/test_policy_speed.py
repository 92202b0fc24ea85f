"""The pack's speed shim (policies/aeon_guardrails/speed.py) is active with the pinned
pulumi-policy: every policy of a request receives the same converted properties object, instead of
converting the resource again. It patches private attributes of the SDK, so this fails as soon as a
pulumi-policy release changes them; where they are missing the pack warns on stderr and runs
unpatched."""

from __future__ import annotations

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
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
