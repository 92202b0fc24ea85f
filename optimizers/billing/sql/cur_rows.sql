-- Cost and Usage Report rows (CUR 2.0, or legacy CUR with AWS's Athena column names) in the
-- common shape that every billing question reads. Runs on DuckDB and on Amazon Athena (Trino).
-- Effective cost follows FOCUS: covered usage at its reservation / savings plan effective cost,
-- the negation at 0, and a commitment's fee rows at what the commitment left unused (the rest of
-- the fee is spread over the usage it covered): a reservation's unused amortized upfront and
-- recurring fees, a savings plan's commitment to date less its used commitment. A fee row with an
-- unused amount is an unused commitment, as FOCUS's CommitmentDiscountStatus 'Unused'.
-- Each value is parsed once (inner SELECT); the outer one names the first column of a row that
-- does not parse: one the usage questions read (`problem`), else a cost column (`cost_problem`),
-- so a question checks only what it reads. A charge period outside 2000-2100 (or 'infinity',
-- which DuckDB accepts) is a bad value.
SELECT
  *,
  commitment_fee AND coalesce(effective_cost, 0.0) > 0 AS unused_commitment,
  CASE
    WHEN coalesce(charge_start NOT BETWEEN TIMESTAMP '2000-01-01' AND TIMESTAMP '2100-01-01',
                  true) THEN 'line_item_usage_start_date'
    WHEN coalesce(charge_end NOT BETWEEN TIMESTAMP '2000-01-01' AND TIMESTAMP '2100-01-01',
                  true) THEN 'line_item_usage_end_date'
    WHEN quantity IS NULL AND quantity_text IS NOT NULL THEN 'line_item_usage_amount'
    WHEN on_demand_rate IS NULL AND rate_text IS NOT NULL THEN 'pricing_public_on_demand_rate'
  END AS problem,
  CASE
    WHEN billed_cost IS NULL AND billed_cost_text IS NOT NULL THEN 'line_item_unblended_cost'
  END AS cost_problem
FROM (
  SELECT
    TRY_CAST(line_item_usage_start_date AS TIMESTAMP) AS charge_start,
    TRY_CAST(line_item_usage_end_date AS TIMESTAMP) AS charge_end,
    CASE
      WHEN line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
        THEN 'usage'
      WHEN line_item_line_item_type IN ('RIFee', 'Fee', 'SavingsPlanRecurringFee',
                                        'SavingsPlanUpfrontFee') THEN 'purchase'
      WHEN line_item_line_item_type = 'Tax' THEN 'tax'
      WHEN line_item_line_item_type IN ('Credit', 'Refund', 'BundledDiscount', 'EdpDiscount',
                                        'PrivateRateDiscount') THEN 'credit'
      ELSE 'adjustment'
    END AS charge_category,
    coalesce(product_product_name, line_item_product_code) AS service,
    (line_item_product_code = 'AmazonEC2') AS is_ec2,
    coalesce(product_region_code, product_region) AS region,
    line_item_usage_type AS usage_type,
    product_instance_type AS listed_type,
    line_item_line_item_description AS description,
    product_sku AS sku,
    line_item_resource_id AS resource_id,
    CAST(NULL AS VARCHAR) AS resource_type,
    TRY_CAST(line_item_usage_amount AS DOUBLE) AS quantity,
    line_item_usage_amount AS quantity_text,
    coalesce(pricing_unit, CASE WHEN line_item_usage_type LIKE '%Usage:%' THEN 'Hrs' END) AS unit,
    TRY_CAST(pricing_public_on_demand_rate AS DOUBLE) AS on_demand_rate,
    pricing_public_on_demand_rate AS rate_text,
    TRY_CAST(pricing_public_on_demand_cost AS DOUBLE) AS list_cost,
    CASE line_item_line_item_type
      WHEN 'DiscountedUsage' THEN TRY_CAST(reservation_effective_cost AS DOUBLE)
      WHEN 'SavingsPlanCoveredUsage'
        THEN TRY_CAST(savings_plan_savings_plan_effective_cost AS DOUBLE)
      WHEN 'SavingsPlanNegation' THEN 0.0
      WHEN 'SavingsPlanRecurringFee'
        THEN greatest(coalesce(TRY_CAST(savings_plan_total_commitment_to_date AS DOUBLE), 0.0)
                        - coalesce(TRY_CAST(savings_plan_used_commitment AS DOUBLE), 0.0), 0.0)
      WHEN 'RIFee'
        THEN coalesce(
               TRY_CAST(reservation_unused_amortized_upfront_fee_for_billing_period AS DOUBLE), 0.0)
             + coalesce(TRY_CAST(reservation_unused_recurring_fee AS DOUBLE), 0.0)
      ELSE TRY_CAST(line_item_unblended_cost AS DOUBLE)
    END AS effective_cost,
    TRY_CAST(line_item_unblended_cost AS DOUBLE) AS billed_cost,
    line_item_unblended_cost AS billed_cost_text,
    CASE
      WHEN line_item_line_item_type IN ('DiscountedUsage', 'SavingsPlanCoveredUsage')
        THEN 'committed'
      WHEN line_item_usage_type LIKE '%SpotUsage%' THEN 'spot'
      ELSE 'on-demand'
    END AS purchase,
    CASE line_item_line_item_type
      WHEN 'DiscountedUsage' THEN reservation_reservation_a_r_n
      WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_a_r_n
    END AS commitment_id,
    line_item_line_item_type IN ('RIFee', 'SavingsPlanRecurringFee') AS commitment_fee,
    {tag_expr} AS tag_value
  FROM {source}
) AS parsed
