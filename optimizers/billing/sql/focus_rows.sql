-- FOCUS 1.0 / 1.1 rows in the common shape that every billing question reads.
-- Runs on DuckDB and on Amazon Athena (Trino): only functions both engines share.
-- A charge period outside 2000-2100 (or 'infinity', which DuckDB accepts) is a bad value.
-- {source} is the table (Athena) or the file scan (DuckDB); docs/billing.md explains each column.
SELECT
  TRY_CAST(ChargePeriodStart AS TIMESTAMP) AS charge_start,
  TRY_CAST(ChargePeriodEnd AS TIMESTAMP) AS charge_end,
  lower(ChargeCategory) AS charge_category,
  ServiceName AS service,
  coalesce(ProviderName = 'AWS', true)
    AND (ServiceName = 'Amazon Elastic Compute Cloud' OR x_ServiceCode = 'AmazonEC2') AS is_ec2,
  RegionId AS region,
  x_UsageType AS usage_type,
  CAST(NULL AS VARCHAR) AS listed_type,
  ChargeDescription AS description,
  SkuId AS sku,
  ResourceId AS resource_id,
  lower(ResourceType) AS resource_type,
  TRY_CAST(ConsumedQuantity AS DOUBLE) AS quantity,
  ConsumedUnit AS unit,
  TRY_CAST(ListUnitPrice AS DOUBLE) AS on_demand_rate,
  TRY_CAST(ListCost AS DOUBLE) AS list_cost,
  TRY_CAST(EffectiveCost AS DOUBLE) AS effective_cost,
  TRY_CAST(BilledCost AS DOUBLE) AS billed_cost,
  CASE
    WHEN PricingCategory = 'Committed' OR CommitmentDiscountId IS NOT NULL THEN 'committed'
    WHEN PricingCategory = 'Dynamic' OR x_UsageType LIKE '%SpotUsage%' THEN 'spot'
    ELSE 'on-demand'
  END AS purchase,
  CommitmentDiscountId AS commitment_id,
  (CommitmentDiscountStatus = 'Unused') AS unused_commitment,
  {tag_expr} AS tag_value,
  CASE
    WHEN COALESCE(TRY_CAST(ChargePeriodStart AS TIMESTAMP)
      NOT BETWEEN TIMESTAMP '2000-01-01' AND TIMESTAMP '2100-01-01', TRUE) THEN 'ChargePeriodStart'
    WHEN COALESCE(TRY_CAST(ChargePeriodEnd AS TIMESTAMP)
      NOT BETWEEN TIMESTAMP '2000-01-01' AND TIMESTAMP '2100-01-01', TRUE) THEN 'ChargePeriodEnd'
    WHEN ConsumedQuantity IS NOT NULL AND TRY_CAST(ConsumedQuantity AS DOUBLE) IS NULL
      THEN 'ConsumedQuantity'
    WHEN ListUnitPrice IS NOT NULL AND TRY_CAST(ListUnitPrice AS DOUBLE) IS NULL
      THEN 'ListUnitPrice'
    WHEN ListCost IS NOT NULL AND TRY_CAST(ListCost AS DOUBLE) IS NULL THEN 'ListCost'
    WHEN EffectiveCost IS NOT NULL AND TRY_CAST(EffectiveCost AS DOUBLE) IS NULL
      THEN 'EffectiveCost'
    WHEN BilledCost IS NOT NULL AND TRY_CAST(BilledCost AS DOUBLE) IS NULL THEN 'BilledCost'
  END AS problem
FROM {source}
