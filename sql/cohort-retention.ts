/**
 * cohort_retention cells: for each acquisition cohort and period since acquisition (periods of
 * the grain: 'month', 'quarter' or 'year', as ordinals: year * 12 + month - 1, year * 4 +
 * quarter - 1, or the year), the customers who ordered, their revenue and gross profit. Lines
 * dated before the customer's cohort period have period_index < 0 (the job reports them and leaves
 * them out). Reads customer_profiles. Parameters: grain, as_of.
 */
export default `
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS grain, CAST(? AS DATE) AS as_of
),
lines AS (
  SELECT
    t.customer_id,
    t.revenue,
    t.cost + t.returned_amount AS cost,
    CASE p.grain
      WHEN 'month' THEN year(t.order_date) * 12 + month(t.order_date) - 1
      WHEN 'quarter' THEN year(t.order_date) * 4 + quarter(t.order_date) - 1
      ELSE year(t.order_date)
    END AS period,
    CASE p.grain
      WHEN 'month' THEN year(pr.acquired_on) * 12 + month(pr.acquired_on) - 1
      WHEN 'quarter' THEN year(pr.acquired_on) * 4 + quarter(pr.acquired_on) - 1
      ELSE year(pr.acquired_on)
    END AS cohort
  FROM transactions AS t
  CROSS JOIN params AS p
  JOIN customer_profiles AS pr ON pr.customer_id = t.customer_id
  WHERE t.order_date <= p.as_of
)
SELECT
  cohort,
  period - cohort AS period_index,
  count(DISTINCT customer_id) AS active_customers,
  count(*) AS lines,
  sum(revenue) AS revenue,
  sum(revenue - cost) AS profit
FROM lines
GROUP BY cohort, period - cohort
`;
