-- Question: how many instance-hours ran in each hour, per instance type, region and purchase
-- option (on-demand, committed, spot)? Quantities are SUMMED (one row may carry many
-- instance-hours). Rows that are not EC2 instance usage fall into one group with every key NULL,
-- which still tells the span of the data and whether any row failed to parse (`problem`).
-- The SKU is a key only of rows without a type; typed groups tell their SKUs in first/last_sku.
-- Reads `billing_rows` (focus_rows.sql / cur_rows.sql). DuckDB and Athena alike.
WITH typed AS (
  SELECT
    *,
    is_ec2
      AND charge_category = 'usage'
      AND unit IN ('Hours', 'Hrs', 'hours')
      AND NOT coalesce(unused_commitment, false)
      AND (
        regexp_like(coalesce(usage_type, ''), '(BoxUsage|SpotUsage|DedicatedUsage)')
        OR regexp_like(coalesce(description, ''), '(?i)instance[ -]?hour')
        OR regexp_like(coalesce(description, ''), '(?i)reserved instance applied')
        OR coalesce(resource_id, '') LIKE 'i-%'
        OR coalesce(resource_type, '') = 'instance'
      ) AS is_instance,
    coalesce(
      nullif(regexp_extract(coalesce(usage_type, ''),
        '(?:BoxUsage|SpotUsage|DedicatedUsage):([a-z][a-z0-9-]*\.[a-z0-9-]+)', 1), ''),
      nullif(listed_type, ''),
      nullif(regexp_extract(coalesce(description, ''),
        '\b([a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(?:nano|micro|small|medium|large|[0-9]*xlarge|metal(?:-[0-9]+xl)?))\b',
        1), '')
    ) AS found_type
  FROM billing_rows
)
SELECT
  CASE WHEN is_instance THEN date_trunc('hour', charge_start) END AS hour,
  CASE WHEN is_instance THEN found_type END AS instance_type,
  CASE WHEN is_instance THEN region END AS region,
  CASE WHEN is_instance THEN purchase END AS purchase,
  CASE WHEN is_instance AND found_type IS NULL THEN sku END AS sku,
  problem,
  count(*) AS rows,
  min(CASE WHEN is_instance THEN sku END) AS first_sku,
  max(CASE WHEN is_instance THEN sku END) AS last_sku,
  sum(CASE WHEN is_instance THEN quantity END) AS instance_hours,
  sum(CASE WHEN is_instance AND on_demand_rate > 0 THEN quantity END) AS priced_hours,
  sum(CASE WHEN is_instance AND on_demand_rate > 0 THEN quantity * on_demand_rate END) AS on_demand_usd,
  sum(CASE WHEN is_instance THEN effective_cost END) AS effective_usd,
  max(CASE WHEN is_instance THEN date_diff('minute', charge_start, charge_end) END) AS max_minutes,
  min(charge_start) AS first_start,
  max(charge_end) AS last_end
FROM typed
GROUP BY 1, 2, 3, 4, 5, 6
