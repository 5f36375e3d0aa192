/**
 * customer_facts: each customer's transaction facts as of a date (the baseline the compute
 * benchmark measures the job against). Distinct orders: orders with a line on or before the date,
 * i.e. whose earliest line is (TransactionColumns.orderStart). Sums stay DECIMAL (exact).
 * Parameters: as_of (DATE as 'YYYY-MM-DD').
 */
export default `
SELECT
  t.customer_id,
  sum(t.revenue) AS revenue,
  sum(t.cost) AS cogs,
  sum(t.returned_amount) AS returns,
  count(DISTINCT t.order_id) AS orders,
  min(t.order_date) AS first_order,
  max(t.order_date) AS last_order
FROM transactions AS t
WHERE t.order_date <= CAST(? AS DATE)
GROUP BY t.customer_id
`;
