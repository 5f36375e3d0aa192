/**
 * latest_satisfaction: each customer's latest survey score on or before the date (the latest
 * survey day; on a day with several surveys, the greatest source line). Parameters: as_of.
 */
export default `
WITH ranked AS (
  SELECT
    s.customer_id,
    s.surveyed_on,
    s.score,
    row_number() OVER (PARTITION BY s.customer_id ORDER BY s.surveyed_on DESC, s.source_line DESC) AS pick
  FROM satisfaction AS s
  WHERE s.surveyed_on <= CAST(? AS DATE)
)
SELECT customer_id, surveyed_on, score
FROM ranked
WHERE pick = 1
`;
