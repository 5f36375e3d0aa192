/**
 * customer_profiles: one row per customer of the customers exports (a customer listed twice: the
 * last row, as the compute job takes it: exports in the order the lake lists their folders
 * `export_id=<id>/`, then lines; `customers` carries each row's export_id, from the path), with the acquisition date the facts settle on: the first
 * order (first_orders, on or before as_of) when that comes before the recorded acquired_on, and
 * the first order for a customer known only from transactions. Reads first_orders. No parameters
 * of its own.
 */
export default `
WITH listed AS (
  SELECT
    c.customer_id,
    c.acquired_on,
    c.segment,
    row_number() OVER (PARTITION BY c.customer_id ORDER BY c.export_id || '/' DESC, c.source_line DESC) AS pick
  FROM customers AS c
)
SELECT
  coalesce(l.customer_id, o.customer_id) AS customer_id,
  CASE
    WHEN l.acquired_on IS NULL OR o.first_order < l.acquired_on THEN o.first_order
    ELSE l.acquired_on
  END AS acquired_on,
  l.segment
FROM (SELECT customer_id, acquired_on, segment FROM listed WHERE pick = 1) AS l
FULL OUTER JOIN first_orders AS o ON o.customer_id = l.customer_id
`;
