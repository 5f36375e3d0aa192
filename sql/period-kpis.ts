/**
 * period_kpis, the transaction side: revenue and customers with an order per period of the grain
 * (ordinals as in cohort-retention.ts), over the lines on or before the date. New customers and
 * their acquisition cost come from the per-customer rules. Parameters: grain, as_of.
 */
export default `
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS grain, CAST(? AS DATE) AS as_of
)
SELECT
  CASE p.grain
    WHEN 'month' THEN year(t.order_date) * 12 + month(t.order_date) - 1
    WHEN 'quarter' THEN year(t.order_date) * 4 + quarter(t.order_date) - 1
    ELSE year(t.order_date)
  END AS period,
  sum(t.revenue) AS revenue,
  count(DISTINCT t.customer_id) AS active_customers
FROM transactions AS t
CROSS JOIN params AS p
WHERE t.order_date <= p.as_of
GROUP BY 1
`;
