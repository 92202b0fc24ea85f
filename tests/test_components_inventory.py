"""The prod stack's shape as a golden inventory: any change to it is a visible diff.

Rewrite the golden file with `pytest tests/test_components_inventory.py --update-golden`.
"""

from __future__ import annotations

import json

import pytest

from tests.components import component_runs as runs


@pytest.fixture(scope="module")
def prod_run():
    return runs.stack_run("prod")


def test_prod_inventory_matches_golden(prod_run, update_golden: bool) -> None:
    current = runs.inventory(prod_run)
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if update_golden:
        runs.GOLDEN.write_text(text)
        pytest.skip(f"rewrote {runs.GOLDEN.name}")
    assert runs.GOLDEN.is_file(), "no golden inventory yet: run with --update-golden"
    golden = json.loads(runs.GOLDEN.read_text())
    changes = []
    for region in sorted(set(golden) | set(current)):
        before, after = golden.get(region, {}), current.get(region, {})
        for type_ in sorted(set(before) | set(after)):
            if before.get(type_) != after.get(type_):
                changes.append(f"{region} {type_}: {before.get(type_, 0)} -> {after.get(type_, 0)}")
    assert not changes, (
        "the deployment's shape changed (update with --update-golden):\n" + "\n".join(changes)
    )


def test_every_region_has_its_own_provider_and_cluster(prod_run) -> None:
    inv = runs.inventory(prod_run)
    for region in ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1"):
        # us-east-1 also holds the provider of global services (CloudFront takes its
        # certificate from us-east-1 only).
        assert inv[region]["pulumi:providers:aws"] == (2 if region == "us-east-1" else 1)
        assert inv[region]["pulumi:providers:kubernetes"] == 1
        assert inv[region]["aws:eks/cluster:Cluster"] == 1
    # Route 53, CloudFront and Budgets are global.
    assert inv["global"]["aws:budgets/budget:Budget"] == 1
    assert inv["global"]["aws:cloudfront/distribution:Distribution"] == 1


def test_resource_names_are_unique_and_everything_resolved(prod_run) -> None:
    urns = [r.urn for r in prod_run.resources]
    assert len(urns) == len(set(urns))
    assert len(prod_run.resources) > 400
