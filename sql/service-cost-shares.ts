/**
 * service_cost_shares: each cost pool split over its parts (service_cost_pools) by quantity in
 * whole cents, by largest remainder, so the parts add up to the pool exactly: part i gets
 * floor(q_i x |total| / Q) cents, and the cents left over go one each to the parts with the
 * largest remainders (q_i x |total| mod Q), ties to the smaller customer id, the part of ids
 * outside the customer base last. Integer arithmetic throughout (BIGINT: a pool whose cents times
 * its quantity passes 9.2 x 10^18 fails the query rather than lose a cent); needs `/` to divide
 * integers as Trino does (DuckDB: SET integer_division = true). No parameters.
 */
export default `
WITH parts AS (
  SELECT
    period,
    touchpoint_key,
    customer_id,
    CAST(abs(total_cost) * 100 AS BIGINT) AS magnitude,
    CASE WHEN total_cost < 0 THEN -1 ELSE 1 END AS sign,
    CAST(quantity AS BIGINT) * CAST(abs(total_cost) * 100 AS BIGINT) AS product,
    sum(CAST(quantity AS BIGINT)) OVER (PARTITION BY period, touchpoint_key) AS pool_quantity
  FROM service_cost_pools
  WHERE quantity IS NOT NULL
),
floored AS (
  SELECT
    period,
    touchpoint_key,
    customer_id,
    magnitude,
    sign,
    (product - mod(product, pool_quantity)) / pool_quantity AS floor_cents,
    mod(product, pool_quantity) AS remainder
  FROM parts
),
ranked AS (
  SELECT
    period,
    touchpoint_key,
    customer_id,
    sign,
    floor_cents,
    magnitude - sum(floor_cents) OVER (PARTITION BY period, touchpoint_key) AS left_over,
    row_number() OVER (
      PARTITION BY period, touchpoint_key
      ORDER BY remainder DESC, CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END, customer_id
    ) AS position
  FROM floored
)
SELECT
  period,
  touchpoint_key,
  customer_id,
  sign * (floor_cents + CASE WHEN position <= left_over THEN 1 ELSE 0 END) AS cents
FROM ranked
`;
