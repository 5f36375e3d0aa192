/**
 * transaction_lines: every transaction line as the compute job loads it (TransactionColumns), in
 * no particular order: its customer's rank in the job's canonical order (from customer_places,
 * which the job makes from customer_codes: functions/compute/duckdb-transactions.ts; it places each
 * line by it and orders each customer's lines itself), days since 1970-01-01, the amounts in cents
 * as DOUBLE (made integers first, so exact) up to 9 x 10^13 in currency (below 2^53 cents, and
 * the cents in a BIGINT: DuckDB then multiplies in 64 bits), else NULL, and for a line with such an
 * amount all three exact as text ('revenue cost returned', a missing one 0); a missing amount is
 * NULL. Then the category code and the order id (to flag each order's first line). Reads
 * customer_places and category_codes. No parameters.
 */
export default `
WITH lines AS (
  SELECT
    k.customer_rank,
    CAST(date_diff('day', DATE '1970-01-01', t.order_date) AS INTEGER) AS day,
    CASE WHEN abs(CAST(t.revenue AS DOUBLE)) < 9.0e13 THEN CAST(CAST(t.revenue * 100 AS BIGINT) AS DOUBLE) END
      AS revenue_cents,
    CASE WHEN abs(CAST(t.cost AS DOUBLE)) < 9.0e13 THEN CAST(CAST(t.cost * 100 AS BIGINT) AS DOUBLE) END
      AS cost_cents,
    CASE WHEN abs(CAST(t.returned_amount AS DOUBLE)) < 9.0e13 THEN CAST(CAST(t.returned_amount * 100 AS BIGINT) AS DOUBLE) END
      AS returned_cents,
    t.revenue,
    t.cost,
    t.returned_amount,
    g.category_code,
    t.order_id
  FROM transactions AS t
  JOIN customer_places AS k ON k.customer_id = t.customer_id
  JOIN category_codes AS g ON g.product_category IS NOT DISTINCT FROM t.product_category
)
SELECT
  customer_rank,
  day,
  revenue_cents,
  cost_cents,
  returned_cents,
  CASE
    WHEN (revenue_cents IS NULL AND revenue IS NOT NULL) OR (cost_cents IS NULL AND cost IS NOT NULL)
      OR (returned_cents IS NULL AND returned_amount IS NOT NULL)
    THEN CAST(revenue AS VARCHAR) || ' ' || CAST(coalesce(cost, 0) AS VARCHAR) || ' '
      || CAST(coalesce(returned_amount, 0) AS VARCHAR)
  END AS exact_amounts,
  category_code,
  order_id
FROM lines
`;
