/**
 * unallocated_service_costs: the service costs no customer could take, each with its reason
 * (pool: touchpoint_cost or interaction_cost; amount in cents): touchpoint cost rows whose period
 * is not a month, pools nobody used, the pool shares of ids outside the customer base, and the
 * direct costs of their interactions. With customer_service_costs they add up to every pool and
 * every direct cost. Reads customer_profiles, service_cost_pools and service_cost_shares.
 * Parameters: as_of.
 */
export default `
WITH params AS (
  SELECT CAST(? AS DATE) AS as_of
),
not_months AS (
  SELECT
    'touchpoint_cost' AS pool,
    c.period,
    c.touchpoint AS label,
    CAST(c.total_cost * 100 AS BIGINT) AS cents,
    'touchpoint cost period is not a month (YYYY-MM)' AS reason
  FROM touchpoint_costs AS c
  WHERE NOT coalesce(
    length(trim(c.period)) = 7
    AND substr(trim(c.period), 5, 1) = '-'
    AND try_cast(substr(trim(c.period), 1, 4) AS INTEGER) IS NOT NULL
    AND try_cast(substr(trim(c.period), 6, 2) AS INTEGER) BETWEEN 1 AND 12,
    false
  )
),
unused AS (
  SELECT
    'touchpoint_cost' AS pool,
    period,
    touchpoint AS label,
    CAST(total_cost * 100 AS BIGINT) AS cents,
    'no interactions with this touchpoint in the period' AS reason
  FROM service_cost_pools
  GROUP BY period, touchpoint_key, touchpoint, total_cost
  HAVING count(quantity) = 0
),
outside_shares AS (
  SELECT
    'touchpoint_cost' AS pool,
    s.period,
    pools.touchpoint AS label,
    s.cents,
    'share of interactions by customer ids not in the customer base' AS reason
  FROM service_cost_shares AS s
  JOIN (SELECT DISTINCT period, touchpoint_key, touchpoint FROM service_cost_pools) AS pools
    ON pools.period = s.period AND pools.touchpoint_key = s.touchpoint_key
  WHERE s.customer_id IS NULL AND s.cents <> 0
),
outside_direct AS (
  SELECT
    'interaction_cost' AS pool,
    substr(CAST(i.occurred_on AS VARCHAR), 1, 7) AS period,
    min(i.touchpoint) AS label,
    CAST(sum(i.cost) * 100 AS BIGINT) AS cents,
    'direct interaction cost of a customer id not in the customer base' AS reason
  FROM interactions AS i
  CROSS JOIN params AS p
  LEFT JOIN customer_profiles AS pr ON pr.customer_id = i.customer_id AND pr.acquired_on <= p.as_of
  WHERE i.occurred_on <= p.as_of AND i.cost IS NOT NULL AND pr.customer_id IS NULL
  GROUP BY substr(CAST(i.occurred_on AS VARCHAR), 1, 7), translate(i.touchpoint, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
)
SELECT pool, period, label, cents, reason FROM not_months
UNION ALL
SELECT pool, period, label, cents, reason FROM unused
UNION ALL
SELECT pool, period, label, cents, reason FROM outside_shares
UNION ALL
SELECT pool, period, label, cents, reason FROM outside_direct
`;
