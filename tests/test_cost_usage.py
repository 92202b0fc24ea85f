"""Usage files in infracost's format: what is accepted, what is refused, that every usage key a
kind declares moves its estimate, and that hostile usage files and plans never crash."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aeon.errors import UserError
from optimizers.costing.registry import PRICED
from optimizers.costing.usage import WHOLE, WORD, UsageFileError, load_usage, parse_usage
from tests.costing.prices import by_name, load, price_plan, usage


def test_version_sections_and_value_kinds_are_checked(tmp_path):
    with pytest.raises(UsageFileError, match="`version` must be 0.1"):
        parse_usage({"resource_usage": {}}, "u.yml")
    with pytest.raises(UsageFileError, match="unknown top-level keys usage"):
        parse_usage({"version": 0.1, "usage": {}}, "u.yml")
    with pytest.raises(UsageFileError, match=r"resource_usage.nat.monthly_data_processed_gb: "):
        price_plan(
            load("networking"), usage_file=usage({"nat": {"monthly_data_processed_gb": "x"}})
        )
    with pytest.raises(UsageFileError, match="not a non-negative number"):
        price_plan(load("networking"), usage_file=usage({"nat": {"monthly_data_processed_gb": -1}}))
    with pytest.raises(UsageFileError, match="expected a whole number"):
        price_plan(load("autoscaling-group"), usage_file=usage({"inference": {"instances": 2.5}}))
    with pytest.raises(UsageFileError, match="is not one of linux, windows, rhel, suse"):
        price_plan(load("ec2-instance"), usage_file=usage({"bastion": {"operating_system": "bsd"}}))
    bad = tmp_path / "u.yml"
    bad.write_text("version: [0.1\n")
    with pytest.raises(UsageFileError, match="not valid YAML"):
        load_usage(bad)
    with pytest.raises(UsageFileError, match="does not exist"):
        load_usage(tmp_path / "missing.yml")


def test_unknown_keys_and_unmatched_names_are_warned_not_used():
    report = price_plan(
        load("networking"),
        usage_file=usage({"nat": {"monthly_gb": 5}, "no-such-resource": {"instances": 1}}),
    )
    assert any("nat.monthly_gb: not a usage key of this resource" in w for w in report.warnings)
    assert any("no-such-resource names no priced resource" in w for w in report.warnings)
    assert by_name(report, "nat").monthly_usd == pytest.approx(730 * 0.045)


def test_a_name_two_priced_resources_share_must_be_a_urn():
    with pytest.raises(UsageFileError, match="names 2 resources.*key it by URN"):
        price_plan(load("dns-and-cdn"), usage_file=usage({"origin": {"endpoint_type": "aws"}}))


def test_urn_terraform_address_and_type_defaults(tmp_path):
    urn = "urn:pulumi:costfix::aeon-infra::aeon:index:Fixture$aws:ec2/natGateway:NatGateway::nat"
    path = tmp_path / "infracost-usage.yml"
    path.write_text(
        "version: 0.1\n"
        "resource_type_default_usage:\n"
        "  aws_nat_gateway:\n"
        "    monthly_data_processed_gb: 10\n"
        "resource_usage:\n"
        f"  '{urn}':\n"
        "    monthly_data_processed_gb: 1000\n"
        "  aws_nat_gateway.nat:\n"
        "    monthly_data_processed_gb: 500\n"
    )
    report = price_plan(load("networking"), usage_file=load_usage(path))
    # the URN entry wins over the Terraform address; the type default fills the others
    assert by_name(report, "nat").monthly_usd == pytest.approx(730 * 0.045 + 1000 * 0.045)
    assert by_name(report, "edge-nat").monthly_usd == pytest.approx(730 * 0.093 + 10 * 0.093)


# Every declared usage key, set on a resource of its kind, must change that resource's estimate
# (its cost, or unpriced naming the figure it needs, or a warning): none is silently ignored.
KIND_FIXTURES = {
    "aws:autoscaling/group:Group": ("autoscaling-group", "inference"),
    "aws:ec2/instance:Instance": ("ec2-instance", "bastion"),
    "aws:eks/nodeGroup:NodeGroup": ("eks-node-group", "spot"),
    "aws:ebs/volume:Volume": ("ebs-volumes", "magnetic"),
    "aws:lb/loadBalancer:LoadBalancer": ("networking", "web"),
    "aws:elb/loadBalancer:LoadBalancer": ("networking", "classic"),
    "aws:ec2/natGateway:NatGateway": ("networking", "nat"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("networking", "ecr"),
    "aws:s3/bucket:Bucket": ("s3-bucket", "datasets"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("elasticache", "embeddings"),
    "aws:elasticache/cluster:Cluster": ("elasticache", "sessions"),
    "aws:route53/record:Record": ("dns-and-cdn", "www"),
    "aws:route53/healthCheck:HealthCheck": ("dns-and-cdn", "origin"),
    "aws:cloudfront/distribution:Distribution": ("dns-and-cdn", "cdn"),
    "aws:kms/key:Key": ("monitoring-and-messaging", "secrets"),
    "aws:sqs/queue:Queue": ("monitoring-and-messaging", "events"),
    "aws:sns/topic:Topic": ("monitoring-and-messaging", "alerts"),
}
CHOICES = {"instance_type": "g6e.24xlarge"}
COMPANIONS = {  # keys that only act together with another
    "request_size_kb": {"monthly_requests": 1_000_000},
    "vcpu_count": {"monthly_cpu_credit_hrs": 10},
    "http_subscriptions": {"monthly_requests": 1_000_000},
    "email_subscriptions": {"monthly_requests": 1_000_000},
}


RESERVED = {
    "reserved_instance_type": "standard",
    "reserved_instance_term": "1_year",
    "reserved_instance_payment_option": "no_upfront",
}


def _value(key, spec):
    if isinstance(spec, tuple):
        return spec[-1]
    if spec == WORD:
        return CHOICES[key]
    return 3 if key == "vcpu_count" else 1500 if spec == WHOLE else 1500.0


def _cases():
    for token, kind in sorted(PRICED.items()):
        if token not in KIND_FIXTURES:
            continue
        for key, spec in kind.usage.items():
            blocks = spec.items() if isinstance(spec, dict) else [(None, spec)]
            for sub, subspec in blocks:
                yield pytest.param(
                    token, key, sub, subspec, id=f"{token.split(':')[-1]}-{key}-{sub}"
                )


def test_every_kind_that_reads_usage_has_a_fixture():
    assert {t for t, k in PRICED.items() if k.usage} - set(KIND_FIXTURES) == {
        "aws:alb/loadBalancer:LoadBalancer",  # same pricer as aws:lb
        "aws:s3/bucketV2:BucketV2",  # same pricer as aws:s3/bucket
    }


@pytest.mark.parametrize(("token", "key", "sub", "spec"), list(_cases()))
def test_every_usage_key_moves_the_estimate(token, key, sub, spec):
    fixture, name = KIND_FIXTURES[token]
    plan = load(fixture)
    urn = next(s["urn"] for s in plan["steps"] if s["urn"].endswith(f"{token}::{name}"))
    value = _value(sub or key, spec)
    companions = dict(COMPANIONS.get(key, {}))
    if key.startswith("reserved_instance") and set(RESERVED) <= set(PRICED[token].usage):
        companions = {k: v for k, v in RESERVED.items() if k != key}  # the three go together
    entry = {key: {sub: value}} if sub else {key: value, **companions}
    baseline_entry = {} if sub or key.startswith("reserved") else COMPANIONS.get(key, {})

    def describe(entries):
        try:
            report = price_plan(plan, usage_file=usage({urn: entries} if entries else None))
        except UsageFileError as exc:  # refused: not ignored either
            return str(exc)
        found = report.by_urn()[urn]
        return (
            round(getattr(found, "monthly_usd", -1), 6),
            getattr(found, "why", ""),
            getattr(found, "warnings", ()),
        )

    assert describe(entry) != describe(baseline_entry), f"{token} ignores usage key {key}.{sub}"


# --- hostile input --------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**12)
    | st.floats(allow_nan=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.dictionaries(st.sampled_from(["inference", "cpu", "gpu", "x"]), JSON, max_size=3))
def test_hostile_usage_files_fail_as_user_errors(entries):
    try:
        parsed = parse_usage({"version": "0.1", "resource_usage": entries}, "u.yml")
        price_plan(load("autoscaling-group"), usage_file=parsed)
    except UsageFileError:
        pass


FIXTURE_NAMES = [
    "autoscaling-group",
    "ec2-instance",
    "eks-node-group",
    "networking",
    "elasticache",
    "dns-and-cdn",
    "monitoring-and-messaging",
    "kubernetes-volumes",
    "ebs-volumes",
    "eks-cluster",
    "s3-bucket",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixture=st.sampled_from(FIXTURE_NAMES), data=st.data())
def test_hostile_plan_values_are_unpriced_or_user_errors_never_crashes(fixture, data):
    plan = copy.deepcopy(load(fixture))
    steps = [s for s in plan["steps"] if s["newState"].get("inputs")]
    step = data.draw(st.sampled_from(steps))
    inputs = step["newState"]["inputs"]
    path = [data.draw(st.sampled_from(sorted(inputs)))]
    target = inputs
    while isinstance(target[path[-1]], dict) and target[path[-1]] and data.draw(st.booleans()):
        target = target[path[-1]]
        path.append(data.draw(st.sampled_from(sorted(target))))
    target[path[-1]] = data.draw(JSON)
    try:
        report = price_plan(json.loads(json.dumps(plan)))
    except (UserError, UsageFileError):
        return
    for r in report.resources:
        assert r.monthly_usd >= 0 or r.monthly_usd != r.monthly_usd
