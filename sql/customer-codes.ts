/**
 * customer_codes: each customer id of the transactions numbered 0, 1, ... in id order (the
 * customer codes of TransactionColumns). No parameters.
 */
export default `
SELECT customer_id, CAST(row_number() OVER (ORDER BY customer_id) - 1 AS INTEGER) AS customer_code
FROM (SELECT DISTINCT customer_id FROM transactions) AS ids
`;
