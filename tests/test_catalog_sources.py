"""The instance catalog: moto's packaged data and DescribeInstanceTypes against a moto server."""

from __future__ import annotations

import pytest

from aeon.cli import invoke
from optimizers.catalog import from_moto_package, moto_server_catalog


@pytest.fixture(scope="module")
def package():
    return from_moto_package(("us-east-1", "ap-southeast-1"))


def test_gpu_specs_from_the_packaged_data(package):
    p5 = package.get("p5.48xlarge")
    assert (p5.gpu_count, p5.gpu_name, p5.gpu_memory_mib_each) == (8, "H100", 81920)
    assert p5.capability == "H100" and p5.family == "p5"
    g6e = package.get("g6e.xlarge")
    assert (g6e.vcpus, g6e.memory_gib, g6e.gpu_name) == (4, 32, "L40S")
    assert package.get("p4d.24xlarge").capability is None  # A100 40 GB: not in the table
    assert not package.get("m7i.large").has_gpu
    assert not package.get("g6f.large").has_gpu  # a fractional GPU is not a whole one


def test_offerings_per_region(package):
    # us-east-1 offers p5en (H200) but not p5e; ap-southeast-1 has g4dn for single GPUs
    # (docs/moto.md#ec2-instance-types-and-offerings).
    assert package.is_offered("p5en.48xlarge", "us-east-1")
    assert not package.is_offered("p5e.48xlarge", "us-east-1")
    assert package.is_offered("g4dn.xlarge", "ap-southeast-1")
    assert "moto" in package.source and "package" in package.source


def test_moto_server_answers_the_same_as_the_package(package):
    served = moto_server_catalog(["ap-southeast-1"])
    assert "server" in served.source
    assert served.offered["ap-southeast-1"] == package.offered["ap-southeast-1"]
    for name in ("p5.48xlarge", "g4dn.xlarge", "g6e.12xlarge", "m7i.large"):
        assert served.get(name) == package.get(name)


def test_catalog_show_lists_gpu_types(capsys):
    import json

    assert invoke(["catalog", "show", "--gpu", "--family", "p5", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["instance_type"] for r in rows} == {"p5.48xlarge", "p5.4xlarge"}
    assert (
        next(r for r in rows if r["instance_type"] == "p5.48xlarge")["ondemand_usd_per_hour"]
        == 55.04
    )
