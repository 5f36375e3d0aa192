/**
 * whale_curve: customers ranked from most to least profitable (equal profits in customer id
 * order) and the cumulative profit at `points` evenly spaced shares of them: point k takes the
 * first ceil(k x customers / points). Reads the customer_metrics result table (in the scale-out
 * run, the parts the buckets wrote). The percentages are divisions left to the reader, which
 * rounds them as the table's type says. Parameters: as_of, points.
 */
export default `
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS as_of, CAST(? AS BIGINT) AS points
),
ranked AS (
  SELECT
    m.profit,
    row_number() OVER (ORDER BY m.profit DESC, m.customer_id) AS position
  FROM customer_metrics AS m
  CROSS JOIN params AS p
  WHERE m.as_of = p.as_of
),
running AS (
  SELECT
    position,
    sum(profit) OVER (ORDER BY position ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_profit
  FROM ranked
),
totals AS (
  SELECT count(*) AS customers, sum(profit) AS total_profit FROM ranked
),
points AS (
  SELECT
    t.point,
    (t.point * n.customers + p.points - 1 - mod(t.point * n.customers + p.points - 1, p.points)) / p.points
      AS taken
  FROM params AS p
  CROSS JOIN totals AS n
  CROSS JOIN UNNEST(sequence(1, p.points)) AS t (point)
  WHERE n.customers > 0
)
SELECT
  pt.point,
  CAST(pt.taken AS BIGINT) AS customers,
  r.cumulative_profit,
  n.total_profit
FROM points AS pt
CROSS JOIN totals AS n
JOIN running AS r ON r.position = pt.taken
`;
