-- Question: how many instance-hours ran in each hour, per instance type, region and purchase
-- option (on-demand, committed, spot)? Quantities are SUMMED (one row may carry many
-- instance-hours); rows of other services fall into groups that are not instances and still tell
-- the span of the data and whether any row failed to parse (`problem`). `tag_value` (one resource
-- tag, e.g. aeon:pool, or NULL: {tag_expr} in the row mapping) splits the series further.
--
-- A row with a usage type is an instance-hour only when that type says so (`...BoxUsage:TYPE`,
-- SpotUsage, DedicatedUsage): EC2 also bills `EBSOptimized:TYPE` rows ("... Mbps per TYPE
-- instance-hour") beside them every hour, on the same instance, which are not a second
-- instance. Without a usage type the description, the resource id and type decide.
--
-- Rows are grouped by the columns their type, region and purchase come from (few distinct values
-- even in a year of data), never by hour: each group carries the epoch hour and the quantity of
-- its hourly rows as two arrays, which the reader adds into one dense array per series. The regular
-- expressions that find the type then run once per group, not once per row, and only where the
-- usage type names no type. {ordered} is empty on DuckDB, whose hash aggregate feeds every
-- aggregate of a group the same rows in the same order, and `ORDER BY hour` on Athena, which makes
-- no such promise (rows of one hour may swap places; their sum is the same).
-- Reads `billing_rows` (focus_rows.sql / cur_rows.sql). DuckDB and Athena alike.
WITH keyed AS (
  SELECT
    is_ec2
      AND charge_category = 'usage'
      AND unit IN ('Hours', 'Hrs', 'hours')
      AND NOT coalesce(unused_commitment, false) AS hourly,
    usage_type,
    listed_type,
    description,
    region,
    purchase,
    sku,
    resource_type,
    coalesce(resource_id, '') LIKE 'i-%' AS instance_id,
    problem,
    on_demand_rate,
    tag_value,
    charge_category = 'usage' AS metered,
    CAST(date_diff('hour', TIMESTAMP '1970-01-01 00:00:00', charge_start) AS INTEGER) AS hour,
    coalesce(quantity, 0.0) AS quantity,
    charge_start,
    charge_end
  FROM billing_rows
),
grouped AS (
  SELECT
    hourly, usage_type, listed_type, description, region, purchase, sku, resource_type,
    instance_id, problem, on_demand_rate, tag_value,
    count(*) AS rows,
    array_agg(hour {ordered}) FILTER (WHERE hourly) AS hours,
    array_agg(quantity {ordered}) FILTER (WHERE hourly) AS quantities,
    max(date_diff('minute', charge_start, charge_end)) FILTER (WHERE hourly) AS max_minutes,
    min(charge_start) FILTER (WHERE metered) AS first_start,
    max(charge_end) FILTER (WHERE metered) AS last_end
  FROM keyed
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
),
typed AS (
  SELECT
    *,
    coalesce(
      nullif(regexp_extract(coalesce(usage_type, ''),
        '(?:BoxUsage|SpotUsage|DedicatedUsage):([a-z][a-z0-9-]*\.[a-z0-9-]+)', 1), ''),
      nullif(listed_type, ''),
      nullif(regexp_extract(coalesce(description, ''),
        '\b([a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(?:nano|micro|small|medium|large|[0-9]*xlarge|metal(?:-[0-9]+xl)?))\b',
        1), '')
    ) AS found_type,
    hourly AND CASE
      WHEN coalesce(usage_type, '') <> ''
        THEN regexp_like(usage_type, '(BoxUsage|SpotUsage|DedicatedUsage)')
      ELSE NOT regexp_like(coalesce(description, ''), '(?i)mbps per')
        AND (
          regexp_like(coalesce(description, ''), '(?i)instance[ -]?hour')
          OR regexp_like(coalesce(description, ''), '(?i)reserved instance applied')
          OR instance_id
          OR coalesce(resource_type, '') = 'instance'
        )
    END AS is_instance
  FROM grouped
)
SELECT
  is_instance,
  CASE WHEN is_instance THEN found_type END AS instance_type,
  region,
  purchase,
  sku,
  problem,
  rows,
  CASE WHEN is_instance THEN hours END AS hours,
  CASE WHEN is_instance THEN quantities END AS quantities,
  on_demand_rate,
  tag_value,
  CASE WHEN is_instance THEN max_minutes END AS max_minutes,
  first_start,
  last_end
FROM typed
