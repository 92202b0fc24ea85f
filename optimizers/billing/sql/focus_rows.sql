-- FOCUS 1.0 / 1.1 rows in the common shape that every billing question reads.
-- Runs on DuckDB and on Amazon Athena (Trino): only functions both engines share.
-- {source} is the table (Athena) or the file scan (DuckDB); docs/billing.md explains each column.
-- Each value is parsed once (inner SELECT); the outer one names the first column of a row that
-- does not parse: one the usage questions read (`problem`), else a cost column (`cost_problem`),
-- so a question checks only what it reads. A charge period outside 2000-2100 (or 'infinity',
-- which DuckDB accepts) is a bad value.
SELECT
  *,
  CASE
    WHEN coalesce(charge_start NOT BETWEEN TIMESTAMP '2000-01-01' AND TIMESTAMP '2100-01-01',
                  true) THEN 'ChargePeriodStart'
    WHEN coalesce(charge_end NOT BETWEEN TIMESTAMP '2000-01-01' AND TIMESTAMP '2100-01-01',
                  true) THEN 'ChargePeriodEnd'
    WHEN quantity IS NULL AND quantity_text IS NOT NULL THEN 'ConsumedQuantity'
    WHEN on_demand_rate IS NULL AND rate_text IS NOT NULL THEN 'ListUnitPrice'
  END AS problem,
  CASE
    WHEN list_cost IS NULL AND list_cost_text IS NOT NULL THEN 'ListCost'
    WHEN effective_cost IS NULL AND effective_cost_text IS NOT NULL THEN 'EffectiveCost'
    WHEN billed_cost IS NULL AND billed_cost_text IS NOT NULL THEN 'BilledCost'
  END AS cost_problem
FROM (
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
    ConsumedQuantity AS quantity_text,
    ConsumedUnit AS unit,
    TRY_CAST(ListUnitPrice AS DOUBLE) AS on_demand_rate,
    ListUnitPrice AS rate_text,
    TRY_CAST(ListCost AS DOUBLE) AS list_cost,
    ListCost AS list_cost_text,
    TRY_CAST(EffectiveCost AS DOUBLE) AS effective_cost,
    EffectiveCost AS effective_cost_text,
    TRY_CAST(BilledCost AS DOUBLE) AS billed_cost,
    BilledCost AS billed_cost_text,
    CASE
      WHEN PricingCategory = 'Committed' OR CommitmentDiscountId IS NOT NULL THEN 'committed'
      WHEN PricingCategory = 'Dynamic' OR x_UsageType LIKE '%SpotUsage%' THEN 'spot'
      ELSE 'on-demand'
    END AS purchase,
    CommitmentDiscountId AS commitment_id,
    (CommitmentDiscountStatus = 'Unused') AS unused_commitment,
    {tag_expr} AS tag_value
  FROM {source}
) AS parsed
