"""Rebuild optimizers/service_prices.csv: unit prices of the AWS services other than EC2 capacity.

Offline, from the recorded us-east-1 unit prices in the shared data folder (infracost's price keys,
newest date per key), plus the few figures that file lacks, each taken from the AWS pricing page
named in its source column. Regions the sources do not cover have no rows: a resource that needs
one of their prices is unpriced, never priced at us-east-1 rates.

    .venv/bin/python scripts/build_service_prices.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "optimizers" / "service_prices.csv"
RECORDED = "prices/unit_prices_us-east-1_infracost.csv"

HEADER = """\
# Unit prices (USD, list, Linux/shared where it matters) of AWS services other than EC2 capacity,
# one figure per row with its source and date. Keys follow infracost's price keys
# (<service>.<class>.<dimension>). A key missing for a region stays missing: whatever needs it is
# reported unpriced. Rebuild with scripts/build_service_prices.py.
# unit: hours = per hour; GB = per GB-month for storage, per GB for retrieval, transfer and
#       processing; 1k requests = per 1,000 requests; 1k objects = per 1,000 objects per month.
# source:
#   infracost            infracost test outputs (Apache-2.0), us-east-1, the date in the row
#   aws-s3-pricing       https://aws.amazon.com/s3/pricing/ (Glacier Instant Retrieval tab), read
#                        2026-11 for this project
"""

# Figures the recorded file lacks (us-east-1 list, from the AWS S3 pricing page).
EXTRA = [
    ("us-east-1", "s3.glacier_instant_retrieval.storage", "GB", "0.004"),
    ("us-east-1", "s3.glacier_instant_retrieval.retrievals", "GB", "0.03"),
    ("us-east-1", "s3.glacier_instant_retrieval.get_select_and_all_other_requests", "1k requests",
     "0.01"),
    ("us-east-1", "s3.glacier_instant_retrieval.put_copy_post_list_requests", "1k requests",
     "0.02"),
    ("us-east-1", "s3.glacier_instant_retrieval.lifecycle_transition", "1k requests", "0.02"),
    ("us-east-1", "s3.glacier_instant_retrieval.early_delete_within_90_days", "GB", "0.004"),
]  # fmt: skip
EXTRA_SOURCE, EXTRA_DATE = "aws-s3-pricing", "2026-11-01"


def build(data: Path) -> list[tuple[str, ...]]:
    newest: dict[str, dict[str, str]] = {}
    with (data / RECORDED).open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            seen = newest.get(row["price_key"])
            if seen is None or row["price_date"] > seen["price_date"]:
                newest[row["price_key"]] = row
    out = [
        ("us-east-1", key, row["unit"], row["usd"], "infracost", row["price_date"])
        for key, row in newest.items()
    ]
    out += [(*extra, EXTRA_SOURCE, EXTRA_DATE) for extra in EXTRA]
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "aws")
    args = parser.parse_args()
    rows = build(args.data)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        handle.write(HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["region", "price_key", "unit", "usd", "source", "date"])
        writer.writerows(rows)
    print(f"wrote {OUT.relative_to(REPO)}: {len(rows)} figures")


if __name__ == "__main__":
    main()
