"""The stack-config cases a hostile user tried (issue 10): each is exit 2 with a line naming
the key, the value and the rule; never exit 0 or 3. The committed stacks stay valid."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from components.settings import InvalidSettings, parse_settings
from tests.helpers import REPO, run_cli

BIG = 2**63
DIGEST = "sha256:" + "ab" * 32
PINNED_VLLM = f"nvcr.io/nvidia/tritonserver:24.10-vllm-python-py3@{DIGEST}"


def stack_values(stack: str = "prod") -> dict:
    return YAML(typ="safe").load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]


def encode(values: dict) -> dict[str, str]:
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in values.items()}


def set_at(values: dict, path: list, value) -> dict:
    values = copy.deepcopy(values)
    node = values
    for part in path[:-1]:
        node = node[part]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return values


DELETE = object()


def problems(values: dict) -> str:
    with pytest.raises(InvalidSettings) as caught:
        parse_settings(encode(values), "prod")
    return "\n".join(caught.value.problems)


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_the_committed_stacks_pass_every_new_rule(stack):
    parse_settings(encode(stack_values(stack)), stack)


CASES = [
    # 2^63 in sizes, money and day keys
    (["aeon-infra:serving", "vector_store", "cpu_per_replica"], BIG,
     ["serving.vector_store.cpu_per_replica", "less than or equal to 896"]),
    (["aeon-infra:serving", "inference", "cpu_per_replica"], BIG, ["less than or equal to 896"]),
    (["aeon-infra:serving", "embedding_cache", "size_gb"], BIG, ["embedding_cache.size_gb"]),
    (["aeon-infra:serving", "vector_store", "l2_cache", "size_gb"], BIG, ["l2_cache.size_gb"]),
    (["aeon-infra:budget", "monthly_limit_usd"], BIG,
     ["budget.monthly_limit_usd", "less than or equal to 1000000000", str(BIG)]),
    (["aeon-infra:storage", "lifecycle", "expire_after_days"], BIG,
     ["lifecycle.expire_after_days", "less than or equal to 36500"]),
    (["aeon-infra:storage", "lifecycle", "tiers", 1, "after_days"], BIG, ["after_days"]),
    (["aeon-infra:routing", "cdn_max_ttl_s"], BIG, ["cdn_max_ttl_s", "31536000"]),
    (["aeon-infra:serving", "vector_store", "l1_cache", "ttl_s"], BIG, ["l1_cache.ttl_s"]),
    (["aeon-infra:pools", 0, "off_hours", "max_size"], BIG, ["off_hours.max_size"]),
    (["aeon-infra:kubernetes", "namespaces", 0, "gpu_quota"], BIG, ["gpu_quota"]),
    (["aeon-infra:serving", "embedder", "batching", "queue_timeout_ms"], BIG,
     ["queue_timeout_ms"]),
    (["aeon-infra:monitoring", "cpu_pressure", "duration_s"], 90_000, ["duration_s", "86400"]),
    (["aeon-infra:budget", "monthly_limit_usd"], "nan", ["monthly_limit_usd", "finite"]),
    # schedules
    (["aeon-infra:pools", 0, "off_hours", "scale_down_cron"], "61 20 * * MON-FRI",
     ["scale_down_cron", "minute 61 is out of range 0-59"]),
    (["aeon-infra:serving", "vector_store", "index_schedule"], "0 3 30 2 *", ["never fires"]),
    (["aeon-infra:pools", 0, "off_hours", "scale_up_cron"], "@daily", ["5 fields"]),
    # e-mail addresses
    (["aeon-infra:budget", "subscriber_emails", 0], "finops@@aeon.example",
     ["budget.subscriber_emails[0]", "not an e-mail address", "finops@@aeon.example"]),
    (["aeon-infra:monitoring", "alert_emails"], ["a@b"], ["alert_emails[0]"]),
    (["aeon-infra:budget", "subscriber_emails"], [f"u{i}@aeon.example" for i in range(11)],
     ["at most 10"]),
    # tags and labels
    (["aeon-infra:tags", "team"], "x" * 1_000_000, ["tags.team", "at most 256", "..."]),
    (["aeon-infra:tags", "service"], "y" * 300, ["tags.service", "at most 256"]),
    (["aeon-infra:tags", "cost_center"], "cc#1", ["tags.cost_center", "letters, digits"]),
    (["aeon-infra:kubernetes", "namespaces", 0, "team"], "Research Team",
     ["namespaces[0].team", "label value"]),
    (["aeon-infra:pools", 0, "labels"], {"kubernetes.io/role": "x"}, ["NodeRestriction"]),
    (["aeon-infra:pools", 0, "labels"], {"team": "-bad-"}, ["label value"]),
    (["aeon-infra:serving", "inference", "model_name"], "LLM_7B", ["model_name", "model name"]),
    # versions and images
    (["aeon-infra:kubernetes", "chart_versions", "cluster-autoscaler"], "latest!!",
     ["chart_versions.cluster-autoscaler", "SemVer", "latest!!"]),
    (["aeon-infra:serving", "inference", "image"], "nvcr.io/nvidia/triton server", ["image"]),
    (["aeon-infra:serving", "inference", "image"], "nvcr.io/nvidia/tritonserver:24.10-py3",
     ["serving.inference.image", "'vllm' backend runs in Triton's `<version>-vllm-python-py3`",
      "24.10-py3"]),
    (["aeon-infra:serving", "inference", "image"], f"nvcr.io/nvidia/tritonserver@{DIGEST}",
     ["serving.inference.image", "a digest alone does not say which Triton image it is",
      f"nvcr.io/nvidia/tritonserver:<version>-vllm-python-py3@{DIGEST}"]),
    (["aeon-infra:serving", "inference", "image"], PINNED_VLLM,
     ["serving.embedder.image", "pinned by digest",
      "nvcr.io/nvidia/tritonserver:24.10-py3@sha256:<its digest>"]),
    (["aeon-infra:serving", "embedder", "image"], PINNED_VLLM.split("@")[0],
     ["serving.embedder.image", "'onnxruntime' backend runs in Triton's `<version>-py3`"]),
    # networks
    (["aeon-infra:regions", 0, "vpc_cidr"], "300.1.0.0/16",
     ["regions[0].vpc_cidr", "not an IPv4 CIDR", "300.1.0.0/16"]),
    (["aeon-infra:regions", 0, "vpc_cidr"], "10.0.0.1/16", ["did you mean 10.0.0.0/16"]),
    (["aeon-infra:regions", 1, "vpc_cidr"], "10.0.128.0/17",
     ["regions[1].vpc_cidr", "overlaps 10.0.0.0/16 of us-east-1"]),
    (["aeon-infra:regions", 0, "vpc_cidr"], "10.0.0.0/27", ["too small for 3 zones"]),
    (["aeon-infra:kubernetes", "service_cidr"], "10.0.0.0/16",
     ["kubernetes.service_cidr", "overlaps vpc_cidr 10.0.0.0/16 of us-east-1"]),
    (["aeon-infra:kubernetes", "service_cidr"], "8.8.0.0/16", ["inside 10.0.0.0/8"]),
    (["aeon-infra:kubernetes", "endpoint_public_access_cidrs"], ["0.0.0.0/33"], ["CIDR"]),
    (["aeon-infra:network"], {"peer_edges": "sometimes"},
     ["network.peer_edges", "valid boolean", "sometimes"]),
    (["aeon-infra:network"], {"peer_edge": True}, ["network.peer_edge", "not permitted"]),
    # regions
    (["aws:region"], "mars-1", ["aws:region: unknown AWS region 'mars-1'"]),
    (["aeon-infra:regions", 1, "name"], "eu-west-9", ["did you mean", "'eu-west-1'"]),
    # unknown keys, a missing section
    (["aeon-infra:bogus"], 1, ["aeon-infra:bogus: unknown key", "allowed keys: environment"]),
    (["aeon-infra:budgets"], {}, ["did you mean aeon-infra:budget?"]),
    (["aeon_infra:budget"], {},
     ["unknown namespace 'aeon_infra'", "did you mean aeon-infra:budget?"]),
    (["aeon-infra:kubernetes", "version"], "1.99",
     ["kubernetes.version", "EKS offers no Kubernetes 1.99"]),
    (["aeon-infra:kubernetes", "version"], "1.21", ["EKS no longer offers Kubernetes 1.21"]),
    (["aeon-infra:kubernetes", "cluster_autoscaler", "expander"], "price",
     ["cluster_autoscaler.expander", "least-waste"]),
    (["aeon-infra:pools"], DELETE,
     ["serving.inference.pool", "no pool or node group of that name", "none (declare one"]),
    # EBS ratios
    (["aeon-infra:storage", "ebs", "root_iops"], 80_000,
     ["root_volume_gb", "needs a root volume of at least 160 GiB", "'inference-shared'"]),
    (["aeon-infra:storage", "ebs", "root_throughput_mibps"], 2000, ["needs at least 8,000 IOPS"]),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "expected"), CASES)
def test_rejected_with_key_value_and_rule(path, value, expected):
    text = problems(set_at(stack_values(), path, value))
    for fragment in expected:
        assert fragment in text, text
    assert len(max(text.splitlines(), key=len)) < 600  # a 1 MB value is not echoed back


def test_the_pool_that_is_not_an_inference_pool_says_what_it_is():
    values = set_at(stack_values(), ["aeon-infra:serving", "inference", "pool"], "system")
    text = problems(values)
    assert "pool 'system' is a cpu pool; serving needs an inference pool or node group" in text
    assert "got 'system'" in text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("monthly_limit_usd: 450000", f"monthly_limit_usd: {BIG}", "monthly_limit_usd"),
        ('scale_down_cron: "0 20 * * MON-FRI"', 'scale_down_cron: "61 20 * * MON-FRI"', "61"),
        ("aws:region: us-east-1", "aws:region: mars-1", "mars-1"),
        ("config:\n", "config:\n  aeon-infra:bogus: 1\n", "aeon-infra:bogus"),
        ("service_cidr: 172.20.0.0/16", "service_cidr: 10.0.0.0/16", "service_cidr"),
        # An image without the backend it serves: a user error, not a crash in the program.
        (
            "tritonserver:24.10-vllm-python-py3 ",
            "tritonserver:24.10-py3 ",
            "aeon-infra:serving.inference.image: the 'vllm' backend",
        ),
        (
            "tritonserver:24.10-vllm-python-py3 ",
            f"tritonserver:24.10-vllm-python-py3@{DIGEST} ",
            "aeon-infra:serving.embedder.image: serving.inference.image is pinned by digest",
        ),
    ],
)
def test_preview_stops_with_exit_2_before_the_engine_starts(project, old, new, expected):
    path = project / "Pulumi.prod.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    result = run_cli("preview", "--stack", "prod", "--cwd", str(project))
    assert result.code == 2, result.err
    assert result.out == ""
    assert expected in result.err and "Traceback" not in result.err
    assert "previewed" not in result.err  # the program never ran
