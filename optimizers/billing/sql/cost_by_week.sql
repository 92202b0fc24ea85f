-- Question: what did each value of one dimension (service, region, pool, purchase option or a
-- tag) cost per week, at list price and effectively paid, and what did commitments and spot save?
-- {dimension} is an expression over billing_rows chosen from a closed list (cost_report.py).
SELECT
  coalesce(CAST({dimension} AS VARCHAR), '(none)') AS key,
  date_trunc('week', charge_start) AS week,
  coalesce(problem, cost_problem) AS problem,
  count(*) AS rows,
  sum(coalesce(list_cost, 0)) AS list_usd,
  sum(coalesce(effective_cost, 0)) AS effective_usd,
  sum(coalesce(billed_cost, 0)) AS billed_usd,
  sum(CASE WHEN purchase = 'committed' AND charge_category = 'usage'
      THEN coalesce(list_cost, 0) - coalesce(effective_cost, 0) END) AS commitment_saving_usd,
  sum(CASE WHEN purchase = 'spot' AND charge_category = 'usage'
      THEN coalesce(list_cost, 0) - coalesce(effective_cost, 0) END) AS spot_saving_usd,
  sum(CASE WHEN coalesce(unused_commitment, false) THEN coalesce(effective_cost, 0) END)
    AS idle_commitment_usd
FROM billing_rows
GROUP BY 1, 2, 3
