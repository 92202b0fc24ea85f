"""Rebuild optimizers/prices.csv from the price figures in the company's shared data folder.

Offline counterpart of `aeon catalog refresh` (which asks the AWS Price List API): it takes the
figures from the recorded sources in `--data` (default ../shared/data/aws next to the repo), one
row per figure with its source and date, for every NVIDIA type offered in us-east-1 and every type
the stacks' pools list, in the four stack regions. A figure the sources lack is written empty.

    .venv/bin/python scripts/build_price_table.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from ruamel.yaml import YAML

from components.facts.project import PROJECT
from optimizers.catalog import from_moto_package

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "optimizers" / "prices.csv"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1")
COMMIT_TERMS = {
    "yrTerm1Standard.noUpfront": "commit_1y_discount_pct",
    "yrTerm3Standard.noUpfront": "commit_3y_discount_pct",
}
HEADER = """\
# EC2 Linux prices used by the optimizers: one figure per row, with its source and date.
# An empty value is a figure the sources lack: it stays missing (never interpolated), and a
# recommendation that needs it is marked unpriced. Rebuild from AWS with `aeon catalog refresh`,
# or from the recorded sources with scripts/build_price_table.py.
# Rows: every NVIDIA type offered in us-east-1, and every type the stacks' pools list, in the four
# stack regions (us-east-1, eu-west-1, ap-southeast-1, sa-east-1).
# figure: ondemand_usd_per_hour | spot_avg_usd_per_hour | spot_saving_pct (vs on-demand) |
#         spot_interruption (frequency band) | commit_1y_discount_pct / commit_3y_discount_pct
#         (standard reserved instance, no upfront, vs on-demand; type * = typical for the region)
# source:
#   karpenter         karpenter-provider-aws zz_generated.pricing_aws.go (Price List), us-east-1,
#                     generated 2026-07-20; Apache-2.0
#   ec2instances.info ec2instances.info export (on-demand and average spot), 2024-04-04; MIT
#   spot-advisor      AWS Spot Instance Advisor data via alexei-led/spotinfo, 2025-06-28; Apache-2.0
#   ri-sample         ec2instances.info reserved-instance rates of x2iedn.32xlarge (a sample of one
#                     type, used as the region's typical commitment discount), 2024-04-04; MIT
#   aws-price-list    AWS Price List API (written by `aeon catalog refresh`), the date it ran
"""


def positive(text: str | None) -> float | None:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def instance_types() -> set[tuple[str, str]]:
    catalog = from_moto_package(REGIONS)
    wanted = {
        ("us-east-1", spec.instance_type)
        for spec in catalog.in_region("us-east-1")
        if spec.gpu_manufacturer == "NVIDIA"
    }
    used: set[str] = set()
    for stack_file in REPO.glob("Pulumi.*.yaml"):
        config = YAML(typ="safe").load(stack_file.read_text()).get("config") or {}
        for pool in config.get(f"{PROJECT}:pools", []):
            used.update(pool["instance_types"])
    return wanted | {(region, t) for region in REGIONS for t in used}


def build(data: Path) -> list[tuple[str, ...]]:
    prices = data / "prices"
    with (prices / "ec2_ondemand_linux_us-east-1_karpenter_2026-07-20.csv").open() as f:
        karpenter = {
            (r["region"], r["instance_type"]): positive(r["ondemand_usd_per_hour"])
            for r in csv.DictReader(f)
        }
    with (prices / "ec2_ondemand_spotavg_all_regions_ec2instances.info_2024-04-04.csv").open() as f:
        info = {(r["region"], r["instance_type"]): r for r in csv.DictReader(f)}
    advisor = json.loads(
        (data / "spot" / "aws_spot_advisor_data_2025-06-28_via_spotinfo.json").read_text()
    )
    bands = {r["index"]: r["label"] for r in advisor["ranges"]}
    with (prices / "ri_rates_x2iedn.32xlarge_all_regions_ec2instances.info_mock.csv").open() as f:
        commitments = {
            (r["region"], r["term"]): float(r["discount_vs_ondemand"]) for r in csv.DictReader(f)
        }

    rows: list[tuple[str, ...]] = []
    for region, itype in sorted(instance_types()):
        listed = info.get((region, itype), {})
        if karpenter.get((region, itype)) is not None:
            rows.append(
                (
                    region,
                    itype,
                    "ondemand_usd_per_hour",
                    fmt(karpenter[(region, itype)]),
                    "karpenter",
                    "2026-07-20",
                )
            )
        else:
            rows.append(
                (
                    region,
                    itype,
                    "ondemand_usd_per_hour",
                    fmt(positive(listed.get("ondemand_linux_usd_per_hour"))),
                    "ec2instances.info",
                    "2024-04-04",
                )
            )
        rows.append(
            (
                region,
                itype,
                "spot_avg_usd_per_hour",
                fmt(positive(listed.get("spot_avg_linux_usd_per_hour"))),
                "ec2instances.info",
                "2024-04-04",
            )
        )
        advice = advisor["spot_advisor"].get(region, {}).get("Linux", {}).get(itype)
        rows.append(
            (
                region,
                itype,
                "spot_saving_pct",
                "" if advice is None else str(advice["s"]),
                "spot-advisor",
                "2025-06-28",
            )
        )
        rows.append(
            (
                region,
                itype,
                "spot_interruption",
                "" if advice is None else bands[advice["r"]],
                "spot-advisor",
                "2025-06-28",
            )
        )
    for region in REGIONS:
        for term, figure in COMMIT_TERMS.items():
            discount = commitments.get((region, term))
            rows.append(
                (
                    region,
                    "*",
                    figure,
                    "" if discount is None else f"{discount * 100:.2f}",
                    "ri-sample",
                    "2024-04-04",
                )
            )
    return rows  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "aws")
    args = parser.parse_args()
    rows = build(args.data)
    with OUT.open("w", newline="") as handle:
        handle.write(HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["region", "instance_type", "figure", "value", "source", "date"])
        writer.writerows(rows)
    missing = sum(1 for row in rows if row[3] == "")
    print(f"wrote {OUT.relative_to(REPO)}: {len(rows)} figures, {missing} missing")


if __name__ == "__main__":
    main()
