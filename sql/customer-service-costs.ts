/**
 * customer_service_costs: each customer's cost to serve as of the date, in cents: the direct cost
 * of their interactions on or before it plus their shares of the touchpoint pools
 * (service_cost_shares). Customers of the customer base only (the rest is unallocated). Reads
 * customer_profiles and service_cost_shares. Parameters: as_of.
 */
export default `
WITH params AS (
  SELECT CAST(? AS DATE) AS as_of
),
direct AS (
  SELECT i.customer_id, CAST(sum(i.cost) * 100 AS BIGINT) AS cents
  FROM interactions AS i
  CROSS JOIN params AS p
  JOIN customer_profiles AS pr ON pr.customer_id = i.customer_id AND pr.acquired_on <= p.as_of
  WHERE i.occurred_on <= p.as_of AND i.cost IS NOT NULL
  GROUP BY i.customer_id
),
pooled AS (
  SELECT customer_id, sum(cents) AS cents
  FROM service_cost_shares
  WHERE customer_id IS NOT NULL
  GROUP BY customer_id
)
SELECT
  coalesce(d.customer_id, s.customer_id) AS customer_id,
  coalesce(d.cents, 0) + coalesce(s.cents, 0) AS cents
FROM direct AS d
FULL OUTER JOIN pooled AS s ON s.customer_id = d.customer_id
`;
