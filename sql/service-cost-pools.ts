/**
 * service_cost_pools: activity-based costing, each touchpoint's monthly cost pool (a YYYY-MM period
 * up to the date's month; touchpoints matched on their key, the text with A-Z made small, for the
 * reasons core/profitability/touchpoint-key.ts gives; the pool named by its smallest spelling) with
 * the quantity of that month's interactions on or before the date that carry no direct cost and
 * share it: by customer of the customer base (customer_id), and one part for the ids outside it
 * (customer_id NULL). Each row carries its pool's total as whole
 * cents (`cents`, its magnitude, and `sign`) for service_cost_shares. Reads customer_profiles.
 * Parameters: as_of.
 */
export default `
WITH params AS (
  SELECT CAST(? AS DATE) AS as_of
),
known AS (
  SELECT pr.customer_id
  FROM customer_profiles AS pr
  CROSS JOIN params AS p
  WHERE pr.acquired_on <= p.as_of
),
pools AS (
  SELECT
    trim(c.period) AS period,
    translate(c.touchpoint, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS touchpoint_key,
    min(c.touchpoint) AS touchpoint,
    sum(c.total_cost) AS total_cost,
    CAST(abs(sum(c.total_cost)) * 100 AS BIGINT) AS cents,
    CASE WHEN sum(c.total_cost) < 0 THEN -1 ELSE 1 END AS sign
  FROM touchpoint_costs AS c
  CROSS JOIN params AS p
  WHERE length(trim(c.period)) = 7
    AND substr(trim(c.period), 5, 1) = '-'
    AND try_cast(substr(trim(c.period), 1, 4) AS INTEGER) IS NOT NULL
    AND try_cast(substr(trim(c.period), 6, 2) AS INTEGER) BETWEEN 1 AND 12
    AND trim(c.period) <= substr(CAST(p.as_of AS VARCHAR), 1, 7)
  GROUP BY trim(c.period), translate(c.touchpoint, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
),
used AS (
  SELECT
    substr(CAST(i.occurred_on AS VARCHAR), 1, 7) AS period,
    translate(i.touchpoint, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS touchpoint_key,
    k.customer_id,
    sum(i.quantity) AS quantity
  FROM interactions AS i
  CROSS JOIN params AS p
  LEFT JOIN known AS k ON k.customer_id = i.customer_id
  WHERE i.occurred_on <= p.as_of AND i.cost IS NULL AND i.quantity > 0
  GROUP BY substr(CAST(i.occurred_on AS VARCHAR), 1, 7), translate(i.touchpoint, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), k.customer_id
)
SELECT
  pools.period,
  pools.touchpoint_key,
  pools.touchpoint,
  pools.total_cost,
  pools.cents,
  pools.sign,
  used.customer_id,
  used.quantity
FROM pools
LEFT JOIN used ON used.period = pools.period AND used.touchpoint_key = pools.touchpoint_key
`;
