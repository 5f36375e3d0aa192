/**
 * category_codes: each product category of the transactions (null included, last) numbered 0,
 * 1, ... in order (the category codes of TransactionColumns). No parameters.
 */
export default `
SELECT
  product_category,
  CAST(row_number() OVER (ORDER BY product_category NULLS LAST) - 1 AS INTEGER) AS category_code
FROM (SELECT DISTINCT product_category FROM transactions) AS categories
`;
