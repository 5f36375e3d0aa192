/**
 * customer_codes: each customer id of the transactions numbered 0, 1, ... in id order, with its
 * number of lines and the characters of their order ids (the room the compute job's load makes
 * for them). No parameters.
 */
export default `
SELECT
  customer_id,
  CAST(row_number() OVER (ORDER BY customer_id) - 1 AS INTEGER) AS customer_code,
  CAST(lines AS INTEGER) AS lines,
  CAST(order_id_characters AS DOUBLE) AS order_id_characters
FROM (
  SELECT customer_id, count(*) AS lines, sum(length(order_id)) AS order_id_characters
  FROM transactions
  GROUP BY customer_id
) AS ids
`;
