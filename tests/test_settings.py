"""The stack config schema: what it accepts, what it rejects and how it says so."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from components.settings import InvalidSettings, StackSettings, json_schema, parse_settings
from tests.helpers import REPO


def stack_values(stack: str) -> dict:
    return YAML(typ="safe").load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]


def encode(values: dict) -> dict[str, str]:
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in values.items()}


def problems_for(values: dict) -> list[str]:
    with pytest.raises(InvalidSettings) as caught:
        parse_settings(encode(values), "test")
    return caught.value.problems


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_committed_stacks_are_valid(stack: str) -> None:
    parsed = parse_settings(encode(stack_values(stack)), stack)
    assert parsed.primary_region.name == "us-east-1"


def test_prod_has_the_global_shape() -> None:
    parsed = parse_settings(encode(stack_values("prod")), "prod")
    assert [r.name for r in parsed.regions] == [
        "us-east-1",
        "eu-west-1",
        "ap-southeast-1",
        "sa-east-1",
    ]
    assert {p.role.value for p in parsed.pools} == {
        "training",
        "inference",
        "cpu",
        "preprocessing",
        "edge-cache",
    }


def mutate(path: list, value) -> dict:
    values = copy.deepcopy(stack_values("prod"))
    node = values
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return values


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ["aeon-infra:pools", 0, "min_size"],
            5,
            ["aeon-infra:pools[0] ('training-p5')", "min_size=5", "desired_size=1"],
        ),
        (
            ["aeon-infra:pools", 0, "max_size"],
            -1,
            ["aeon-infra:pools[0].max_size", "greater than or equal to 0", "-1"],
        ),
        (
            ["aeon-infra:regions", 1, "name"],
            "eu-west-9",
            ["aeon-infra:regions[1].name", "unknown AWS region 'eu-west-9'", "eu-west-1"],
        ),
        (
            ["aeon-infra:regions", 1, "role"],
            "primary",
            ["exactly one region must have role primary; found 2"],
        ),
        (
            ["aeon-infra:pools", 1, "name"],
            "training-p5",
            ["pool name 'training-p5' is used twice"],
        ),
        (
            ["aeon-infra:pools", 0, "region"],
            "us-west-2",
            ["pool 'training-p5' is in region 'us-west-2', which is not declared"],
        ),
        (
            ["aeon-infra:pools", 0, "instance_types"],
            ["p5 48xlarge"],
            ["'p5 48xlarge' is not an EC2 instance type"],
        ),
        (
            ["aeon-infra:pools", 22, "scaling", "scale_in_threshold"],
            80,
            ["scale_out_threshold 70 must be greater than scale_in_threshold 80"],
        ),
        (
            ["aeon-infra:pools", 22, "scaling", "cooldown_s"],
            300,
            ["cooldown_s is only accepted by AWS on simple scaling, not step"],
        ),
        (
            ["aeon-infra:storage", "lifecycle", "tiers", 1],
            {"storage_class": "STANDARD_IA", "after_days": 7},
            [
                "aeon-infra:storage.lifecycle",
                "S3 rejects a transition to STANDARD_IA after 7 days; the minimum is 30 days",
            ],
        ),
        (
            ["aeon-infra:storage", "lifecycle", "expire_after_days"],
            30,
            [
                "expire_after_days 30 must be greater than the last transition "
                "(GLACIER after 37 days)"
            ],
        ),
        (
            ["aeon-infra:storage", "lifecycle", "tiers", 2, "storage_class"],
            "STANDARD",
            ["S3 never transitions objects back to STANDARD"],
        ),
        (
            ["aeon-infra:pools", 0, "off_hours", "time_zone"],
            "Mars/Olympus",
            ["unknown IANA time zone 'Mars/Olympus'"],
        ),
        (
            ["aeon-infra:pools", 0, "capacity", "on_demand_percentage_above_base"],
            120,
            ["on_demand_percentage_above_base", "less than or equal to 100"],
        ),
        (
            ["aeon-infra:monitoring", "memory_pressure", "duration_s"],
            90,
            ["90 s is not a whole number of minutes"],
        ),
        (
            ["aeon-infra:pools", 10, "gpu_sharing"],
            {"time_slicing_replicas": 4},
            ["aeon-infra:pools[10].gpu_sharing ('system')", "only for GPU pools", "not cpu"],
        ),
        (
            ["aeon-infra:pools", 0, "scaling"],
            {
                "policy": "step",
                "metric": "cpu",
                "scale_out_threshold": 70,
                "scale_in_threshold": 30,
            },
            ["aeon-infra:pools[0].scaling ('training-p5')", "which the Cluster Autoscaler scales"],
        ),
        (
            ["aeon-infra:pools", 22, "scaling"],
            None,
            ["aeon-infra:pools[22].scaling ('edge-cache-euw1')", "scaled by an ASG policy"],
        ),
        (
            ["aeon-infra:serving", "inference", "pool"],
            "inference-shared",
            ["aeon-infra:serving.inference.pool", "time-sliced", "got 'inference-shared'"],
        ),
        (
            ["aeon-infra:serving", "inference", "pool"],
            "edge-inference-euw1",
            ["core inference runs in the primary region us-east-1"],
        ),
        (
            ["aeon-infra:serving", "inference", "batching"],
            {"max_batch_size": 32},
            [
                "aeon-infra:serving.inference",
                "serving.inference.max_num_seqs",
                "serving.embedder.batching",
            ],
        ),
        (
            ["aeon-infra:serving", "embedder", "pool"],
            "edge-inference-euw1",
            [
                "aeon-infra:serving.embedder.pool",
                "not an inference pool or node group of the primary region",
            ],
        ),
        (
            ["aeon-infra:serving", "embedder", "name"],
            "llm-7b",
            ["aeon-infra:serving.embedder.name", "each served model needs its own name"],
        ),
        (
            ["aeon-infra:serving", "embedder", "batching", "preferred_batch_sizes"],
            [16, 64],
            ["preferred_batch_sizes [16, 64] must lie between 1 and max_batch_size 32"],
        ),
        (
            ["aeon-infra:serving", "embedder", "batching", "preferred_batch_sizes"],
            [16, 8],
            ["must be increasing"],
        ),
        (
            ["aeon-infra:serving", "embedder", "backend"],
            "vllm",
            ["aeon-infra:serving.embedder.backend", "'onnxruntime'"],
        ),
        (
            ["aeon-infra:serving", "edge_inference", "max_num_seqs"],
            0,
            ["aeon-infra:serving.edge_inference.max_num_seqs", "greater than or equal to 1"],
        ),
        (
            ["aeon-infra:pools", 23, "worker_image"],
            None,
            ["aeon-infra:pools[23].worker_image ('preprocess-euw1')", "required on preprocessing"],
        ),
        (
            ["aeon-infra:pools", 22, "worker_image"],
            "ghcr.io/aeon-ai/preprocess-worker:1.4.2",
            ["worker_image is required on preprocessing fleets", "role is edge-cache"],
        ),
    ],
)
def test_rejections_name_key_value_and_rule(path, value, expected) -> None:
    text = "\n".join(problems_for(mutate(path, value)))
    for fragment in expected:
        assert fragment in text


def test_unknown_key_suggests_the_nearest_and_lists_allowed_keys() -> None:
    values = stack_values("dev") | {"aeon-infra:pool": []}
    (problem,) = problems_for(values)
    assert problem.startswith(
        "aeon-infra:pool: unknown key; did you mean aeon-infra:pools? "
        "allowed keys: environment, tags, regions, network, pools"
    )


def test_typo_inside_an_object_is_rejected() -> None:
    text = "\n".join(problems_for(mutate(["aeon-infra:pools", 0, "min_sise"], 1)))
    assert "aeon-infra:pools[0].min_sise" in text and "Extra inputs are not permitted" in text


def test_missing_required_key() -> None:
    values = stack_values("dev")
    del values["aeon-infra:regions"]
    assert problems_for(values) == ["aeon-infra:regions: required key is missing"]


def test_framework_tiers_are_the_default_mapping() -> None:
    parsed = parse_settings(encode(stack_values("prod")), "prod")
    tiers = [(t.storage_class, t.after_days) for t in parsed.storage.lifecycle.tiers]
    assert tiers == [("STANDARD", 0), ("INTELLIGENT_TIERING", 7), ("GLACIER", 37)]
    assert parsed.storage.lifecycle.expire_after_days == 402


def test_json_schema_describes_every_key() -> None:
    schema = json_schema()
    props = schema["properties"]["config"]["properties"]
    assert set(props) == {f"aeon-infra:{k}" for k in StackSettings.model_fields}
    assert "aeon-infra:regions" in schema["properties"]["config"]["required"]
    models = schema["$defs"]
    assert {"max_num_seqs"} <= set(models["Inference"]["properties"])
    assert "batching" not in models["Inference"]["properties"]
    assert {"batching", "replicas", "max_replicas", "pool"} <= set(models["Embedder"]["properties"])
    assert "preferred_batch_sizes" in models["DynamicBatching"]["properties"]


def test_each_served_model_defaults_to_what_was_rendered_before() -> None:
    values = stack_values("prod")
    serving = values["aeon-infra:serving"]
    del serving["embedder"], serving["inference"]["max_num_seqs"]
    del serving["edge_inference"]["max_num_seqs"]
    parsed = parse_settings(encode(values), "prod")
    assert parsed.serving.inference.max_num_seqs == parsed.serving.edge_inference.max_num_seqs == 32
    embedder = parsed.serving.embedder
    assert (embedder.name, embedder.backend, embedder.replicas, embedder.max_replicas) == (
        "embedder", "onnxruntime", 1, 4
    )  # fmt: skip
    assert embedder.batching.preferred == [32]
    assert parsed.embedder_group() == "inference-shared"  # the time-sliced node group
    committed = parse_settings(encode(stack_values("prod")), "prod")
    assert committed.serving == parsed.serving.model_copy(
        update={"embedder": embedder.model_copy(update={"pool": "inference-shared"})}
    )


# -- property-based: any bad value is a clear InvalidSettings, never another exception ---------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.text(max_size=12), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)  # fmt: skip
PATHS = [
    ["aeon-infra:pools", 0, "min_size"], ["aeon-infra:pools", 0, "instance_types"],
    ["aeon-infra:pools", 3, "capacity"], ["aeon-infra:regions", 0, "vpc_cidr"],
    ["aeon-infra:regions", 2, "availability_zones"], ["aeon-infra:storage", "lifecycle", "tiers"],
    ["aeon-infra:kubernetes", "namespaces", 0, "priority_class"],
    ["aeon-infra:budget", "forecast_alert_pct"],
    ["aeon-infra:serving", "inference", "pool"], ["aeon-infra:tags"], ["aeon-infra:environment"],
    ["aeon-infra:serving", "embedder", "batching"], ["aeon-infra:serving", "embedder", "pool"],
    ["aeon-infra:serving", "embedder", "batching", "preferred_batch_sizes"],
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=SCALARS)
def test_random_values_never_escape_as_other_errors(path, value) -> None:
    try:
        parse_settings(encode(mutate(path, value)), "prod")
    except InvalidSettings as exc:
        assert exc.problems and all(p.startswith("aeon-infra:") for p in exc.problems)
