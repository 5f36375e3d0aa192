/**
 * customer_codes: each customer id of the transactions numbered 0, 1, ... in id order, with its
 * number of lines (where the compute job's load places each customer's lines). No parameters.
 */
export default `
SELECT
  customer_id,
  CAST(row_number() OVER (ORDER BY customer_id) - 1 AS INTEGER) AS customer_code,
  CAST(lines AS INTEGER) AS lines
FROM (SELECT customer_id, count(*) AS lines FROM transactions GROUP BY customer_id) AS ids
`;
