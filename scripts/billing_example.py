"""Commitments and the capacity mix of the prod stack, from a generated FOCUS export.

Writes 30 days of hourly FOCUS 1.0 rows (Parquet, as AWS Data Exports writes it) for six of prod's
pools, tagged `aeon:pool`, at the price table's on-demand rates: each pool's steady usage with a
working-day peak, the commitments prod declares held (`capacity.committed`) as savings plan
covered rows, nightly preprocessing on spot, some S3. Then, on a copy of the project's stack
files (the repository's own saved recommendations stay as they are):

    aeon recommend --stack prod --planner commitments  --billing FILE --format json
    aeon recommend --stack prod --planner capacity-mix --billing FILE --format json
    aeon apply --stack prod --dry-run --format json

and prints one line per recommendation and what apply would write. Commitment rates are the price
table's estimates (pass --rates in real use).

    .venv/bin/python scripts/billing_example.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from optimizers.pricing import ONDEMAND, load_price_book

REPO = Path(__file__).resolve().parents[1]
DAYS = 30
# pool, region, type, steady instances (the first `held` of them covered by commitments held),
# extra instances (weekdays 08:00-19:59; spot ones: nightly 00:00-05:59) bought as prod's
# capacity keys buy what runs above the base: spot for pools whose above-base share is mostly spot
POOLS = [
    ("training-p5", "us-east-1", "p5.48xlarge", 1, 1, 2, "spot"),
    ("inference", "us-east-1", "g6e.12xlarge", 2, 2, 3, "spot"),
    ("system", "us-east-1", "m7i.xlarge", 4, 3, 1, "on-demand"),
    ("vector", "us-east-1", "r7i.2xlarge", 4, 4, 0, "on-demand"),
    ("edge-cache-euw1", "eu-west-1", "c7i.large", 3, 2, 0, "on-demand"),
    ("preprocess-euw1", "eu-west-1", "c7i.2xlarge", 0, 0, 6, "spot"),
]


def write_export(path: Path) -> int:
    book = load_price_book()
    rows = []
    for pool, region, itype, steady, held, extra, extra_purchase in POOLS:
        rate = book.number(region, itype, ONDEMAND)
        rows.append(f"('{pool}', '{region}', '{itype}', {steady}, {held}, {extra}, "
                    f"'{extra_purchase}', {rate})")  # fmt: skip
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
    COPY (
      WITH pools(pool, region, itype, steady, held, extra, extra_purchase, rate) AS (
        VALUES {", ".join(rows)}
      ),
      hours AS (
        SELECT h, TIMESTAMP '2026-10-01' + to_hours(h) AS t FROM range({24 * DAYS}) r(h)
      ),
      usage AS (
        SELECT p.*, t, 'Committed' AS category, held AS qty FROM pools p, hours WHERE held > 0
        UNION ALL
        SELECT p.*, t, 'Standard', steady - held FROM pools p, hours WHERE steady > held
        UNION ALL
        SELECT p.*, t, CASE extra_purchase WHEN 'spot' THEN 'Dynamic' ELSE 'Standard' END, extra
        FROM pools p, hours
        WHERE extra > 0 AND (
          (extra_purchase = 'spot' AND hour(t) < 6)
          OR (extra_purchase <> 'spot' AND hour(t) BETWEEN 8 AND 19 AND isodow(t) <= 5))
      )
      SELECT
        strftime(t, '%Y-%m-%d %H:%M:%S') AS ChargePeriodStart,
        strftime(t + INTERVAL 1 HOUR, '%Y-%m-%d %H:%M:%S') AS ChargePeriodEnd,
        'Usage' AS ChargeCategory, 'Amazon Elastic Compute Cloud' AS ServiceName,
        region AS RegionId, CAST(qty AS DOUBLE) AS ConsumedQuantity, 'Hours' AS ConsumedUnit,
        rate AS ListUnitPrice, qty * rate AS ListCost,
        qty * rate * CASE category WHEN 'Committed' THEN 0.6 WHEN 'Dynamic' THEN 0.4 ELSE 1 END
          AS EffectiveCost,
        qty * rate * CASE category WHEN 'Committed' THEN 0.6 WHEN 'Dynamic' THEN 0.4 ELSE 1 END
          AS BilledCost,
        '$' || rate || ' per On Demand Linux ' || itype || ' Instance Hour' AS ChargeDescription,
        category AS PricingCategory,
        CASE WHEN category = 'Committed' THEN 'arn:aws:savingsplans::1:savingsplan/held' END
          AS CommitmentDiscountId,
        CASE WHEN category = 'Committed' THEN 'Used' END AS CommitmentDiscountStatus,
        'AWS' AS ProviderName, itype || '-' || region AS SkuId, 'instance' AS ResourceType,
        CASE category WHEN 'Dynamic' THEN 'SpotUsage:' ELSE 'BoxUsage:' END || itype
          AS x_UsageType,
        '{{"aeon:pool": "' || pool || '"}}' AS Tags
      FROM usage
      UNION ALL
      SELECT strftime(t, '%Y-%m-%d %H:%M:%S'),
             strftime(t + INTERVAL 1 HOUR, '%Y-%m-%d %H:%M:%S'), 'Usage',
             'Amazon Simple Storage Service', 'us-east-1', 1200.0, 'GB-Months', 0.023, 27.6,
             27.6, 27.6, '$0.023 per GB-Mo', 'Standard', NULL, NULL, 'AWS', 'S3', NULL,
             'TimedStorage-ByteHrs', NULL
      FROM hours
    ) TO '{path}' (FORMAT parquet)
    """)
    return int(con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0])


def aeon(project: Path, *args: str) -> dict:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "aeon"), *args, "--cwd", str(project), "--format",
         "json"],
        capture_output=True, text=True, check=True, cwd=project,
    )  # fmt: skip
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, help="keep the export and the project copy here")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="aeon-billing-"))
    project = out / "project"
    project.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
        shutil.copy(REPO / name, project / name)
    (project / "policies" / "config").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "policies/config/prod.json", project / "policies/config/prod.json")
    export = out / "focus.parquet"
    print(f"export: {write_export(export):,} FOCUS rows, {DAYS} days, {len(POOLS)} pools")
    for planner in ("commitments", "capacity-mix"):
        doc = aeon(project, "recommend", "--stack", "prod", "--planner", planner,
                   "--billing", str(export))  # fmt: skip
        total = sum(r["monthly_saving_usd"] or 0 for r in doc["recommendations"])
        print(f"{planner}: {len(doc['recommendations'])} recommendations, "
              f"${total:,.2f}/month saving")  # fmt: skip
        for r in doc["recommendations"]:
            print(f"  {r['target']:<24} {_proposed(r):<52} {r['monthly_saving_usd']:>12,.2f}")
            if r["target"] == "compute-savings-plan":
                print(f"    {r['evidence']['notes'][0]}")
    plan = aeon(project, "apply", "--stack", "prod", "--dry-run")
    print("aeon apply --dry-run:")
    for edit in plan["edits"]:
        changed = {k: v for k, v in edit["after"].items() if edit["before"][k] != v}
        print(f"  {edit['pool']}: {changed}")
    for rec_id, purchase in plan["purchases"].items():
        c = purchase["commitment"]
        what = f"{c['units']} x {c['instance_type']}" if c["units"] is not None else "compute"
        print(f"  to buy ({rec_id}): {c['type']} {what} {c['term']} {c['payment']}, "
              f"${c['usd_per_hour']:,.4f}/h")  # fmt: skip


def _proposed(rec: dict) -> str:
    if rec["kind"] == "commit":
        c = rec["proposed"]["commitment"]
        amount = f"{c['units']} x" if c["units"] is not None else f"${c['usd_per_hour']:,.2f}/h"
        return f"{c['type']} {amount} {c['term']} {c['payment']}"
    cap, ev = rec["proposed"]["capacity"], rec["evidence"]
    return (f"base {cap['committed']} (c* {ev['base_units']}, buy {ev['purchase_units']}), "
            f"{100 - cap['on_demand_percentage_above_base']}% spot above")  # fmt: skip


if __name__ == "__main__":
    main()
