"""Generated FOCUS exports for the billing benchmarks, written by DuckDB itself (seconds, not
minutes): hourly EC2 instance rows of many (type, region) series plus other services' rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

FAMILIES = ["m5", "m6i", "m7i", "c5", "c6i", "c7i", "r5", "r6i", "r7i", "m6a", "c6a", "r6a",
            "m7a", "c7a", "g5", "g6", "g6e", "g4dn", "p4d", "p5"]  # fmt: skip
SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
         "48xlarge", "metal"]  # fmt: skip
TYPES = [f"{f}.{s}" for s in SIZES for f in FAMILIES]  # 200 types x 5 regions: 1,000 series
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1", "us-west-2"]


def write_focus(path: Path, series: int, hours: int, other_rows: int = 0) -> int:
    """A FOCUS 1.0 file with `series` x `hours` instance rows (+ `other_rows` S3 rows)."""
    types = "[" + ", ".join(f"'{t}'" for t in TYPES) + "]"
    regions = "[" + ", ".join(f"'{r}'" for r in REGIONS) + "]"
    fmt = "(FORMAT parquet)" if path.suffix == ".parquet" else "(FORMAT csv, HEADER)"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
    COPY (
      WITH s AS (
        SELECT i AS sid,
               list_extract({types}, (i % {len(TYPES)}) + 1) AS itype,
               list_extract({regions}, ((i // {len(TYPES)}) % {len(REGIONS)}) + 1) AS region,
               1 + (i % 7) AS base, 0.05 + (i % 97) * 0.37 AS rate
        FROM range({series}) t(i)
      ),
      inst AS (
        SELECT s.*, h,
               greatest(0, base + ((h * 7 + sid * 13) % 11) - 5
                        + CASE WHEN (h % 24) BETWEEN 8 AND 18 THEN 3 ELSE 0 END) AS qty
        FROM s, range({hours}) t(h)
      )
      SELECT
        strftime(TIMESTAMP '2024-01-01' + to_hours(h), '%Y-%m-%d %H:%M:%S') AS ChargePeriodStart,
        strftime(TIMESTAMP '2024-01-01' + to_hours(h + 1), '%Y-%m-%d %H:%M:%S') AS ChargePeriodEnd,
        'Usage' AS ChargeCategory, 'Amazon Elastic Compute Cloud' AS ServiceName,
        region AS RegionId, CAST(qty AS VARCHAR) AS ConsumedQuantity, 'Hours' AS ConsumedUnit,
        CAST(round(rate, 4) AS VARCHAR) AS ListUnitPrice,
        CAST(round(qty * rate, 6) AS VARCHAR) AS ListCost,
        CAST(round(qty * rate, 6) AS VARCHAR) AS EffectiveCost,
        CAST(round(qty * rate, 6) AS VARCHAR) AS BilledCost,
        '$' || round(rate, 4) || ' per On Demand Linux ' || itype || ' Instance Hour'
          AS ChargeDescription,
        CASE WHEN sid % 5 = 0 AND h % 3 = 0 THEN 'Committed' ELSE 'Standard' END
          AS PricingCategory,
        'AWS' AS ProviderName, 'SKU' || sid AS SkuId, 'i-' || sid AS ResourceId,
        'instance' AS ResourceType, 'BoxUsage:' || itype AS x_UsageType,
        '{{"aeon:pool": "pool-' || (sid % 9) || '"}}' AS Tags
      FROM inst
      UNION ALL
      SELECT strftime(TIMESTAMP '2024-01-01' + to_hours(i % {hours}), '%Y-%m-%d %H:%M:%S'),
             strftime(TIMESTAMP '2024-01-01' + to_hours(i % {hours} + 1), '%Y-%m-%d %H:%M:%S'),
             'Usage', 'Amazon Simple Storage Service', 'us-east-1', '12.5', 'GB-Months', '0.023',
             '0.2875', '0.2875', '0.2875', '$0.023 per GB-Mo', 'Standard', 'AWS', 'S3SKU',
             'bucket', NULL, 'USE1-TimedStorage-ByteHrs', NULL
      FROM range({other_rows}) t(i)
    ) TO '{path}' {fmt}
    """)
    return series * hours + other_rows
