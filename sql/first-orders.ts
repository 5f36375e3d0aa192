/**
 * first_orders: each customer's first order date on or before the date, for every customer with
 * an order by then (customer_profiles settles acquisition dates on it). A relation of its own so
 * that an engine holding the transactions already can give it instead of scanning them again
 * (the compute function: SetEngine.provide from the lines it loaded; see load-snapshot.ts).
 * Parameters: as_of.
 */
export default `
WITH params AS (
  SELECT CAST(? AS DATE) AS as_of
)
SELECT t.customer_id, min(t.order_date) AS first_order
FROM transactions AS t
CROSS JOIN params AS p
WHERE t.order_date <= p.as_of
GROUP BY t.customer_id
`;
