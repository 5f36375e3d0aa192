/**
 * latest_satisfaction: each customer's latest survey score on or before the date (the latest
 * survey day; of several surveys on that day, the last as the compute job takes them: exports in
 * the order the lake lists their folders `export_id=<id>/`, then lines). Parameters: as_of.
 */
export default `
WITH ranked AS (
  SELECT
    s.customer_id,
    s.surveyed_on,
    s.score,
    row_number() OVER (PARTITION BY s.customer_id ORDER BY s.surveyed_on DESC, s.export_id || '/' DESC, s.source_line DESC) AS pick
  FROM satisfaction AS s
  WHERE s.surveyed_on <= CAST(? AS DATE)
)
SELECT customer_id, surveyed_on, score
FROM ranked
WHERE pick = 1
`;
