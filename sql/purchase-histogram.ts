/**
 * purchase_histogram: what the repeat-purchase models (BG/NBD, Pareto/NBD) are fitted on, in days:
 * customers by (frequency = purchase days after the first, recency = days from the first to the
 * last purchase day, age = days from the first purchase day to the end of calibration). Purchases
 * on one day are one purchase occasion; a day of credit notes only (negative revenue) is none, as
 * in core/clv/rfm-summary.ts (isPurchaseLine). Divide recency and age by the time unit's days.
 * Parameters: calibration end.
 */
export default `
WITH params AS (
  SELECT CAST(? AS DATE) AS calibration_end
),
days AS (
  SELECT DISTINCT t.customer_id, t.order_date
  FROM transactions AS t
  CROSS JOIN params AS p
  WHERE t.order_date <= p.calibration_end AND t.revenue >= 0
),
customers AS (
  SELECT
    d.customer_id,
    count(*) - 1 AS frequency,
    date_diff('day', min(d.order_date), max(d.order_date)) AS recency_days,
    date_diff('day', min(d.order_date), max(p.calibration_end)) AS age_days
  FROM days AS d
  CROSS JOIN params AS p
  GROUP BY d.customer_id
)
SELECT frequency, recency_days, age_days, count(*) AS customers
FROM customers
GROUP BY frequency, recency_days, age_days
`;
