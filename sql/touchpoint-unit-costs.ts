/**
 * touchpoint_unit_costs: activity-based costing, each touchpoint's monthly cost pool (months up to
 * the date's) and the quantity of that month's interactions without a direct cost of their own
 * (a positive quantity, on or before the date) that share it; unit cost = total_cost /
 * interactions, exact to six places when read. Touchpoints match trimmed and case-insensitively.
 * Parameters: as_of.
 */
export default `
WITH params AS (
  SELECT CAST(? AS DATE) AS as_of
),
pools AS (
  SELECT
    c.period,
    lower(trim(c.touchpoint)) AS touchpoint_key,
    min(trim(c.touchpoint)) AS touchpoint,
    sum(c.total_cost) AS total_cost
  FROM touchpoint_costs AS c
  CROSS JOIN params AS p
  WHERE length(c.period) = 7
    AND substr(c.period, 5, 1) = '-'
    AND c.period <= substr(CAST(p.as_of AS VARCHAR), 1, 7)
  GROUP BY c.period, lower(trim(c.touchpoint))
),
used AS (
  SELECT
    substr(CAST(i.occurred_on AS VARCHAR), 1, 7) AS period,
    lower(trim(i.touchpoint)) AS touchpoint_key,
    sum(i.quantity) AS interactions
  FROM interactions AS i
  CROSS JOIN params AS p
  WHERE i.occurred_on <= p.as_of AND i.cost IS NULL AND i.quantity > 0
  GROUP BY 1, 2
)
SELECT
  pools.period,
  pools.touchpoint,
  pools.total_cost,
  coalesce(used.interactions, 0) AS interactions
FROM pools
LEFT JOIN used ON used.period = pools.period AND used.touchpoint_key = pools.touchpoint_key
`;
