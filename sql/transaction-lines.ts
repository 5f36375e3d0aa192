/**
 * transaction_lines: every transaction line as the compute job holds it (TransactionColumns), in
 * canonical order: customer, date, amounts, category. Days since 1970-01-01; amounts in cents as
 * DOUBLE, exact below 2^53 cents (about 90 trillion), else NULL with the exact amounts in
 * exact_amounts ('revenue cost returned'); order_start marks one line of each (customer, order),
 * dated on the order's earliest date. Reads customer_codes and category_codes. No parameters.
 */
export default `
WITH lines AS (
  SELECT
    k.customer_code,
    CAST(date_diff('day', DATE '1970-01-01', t.order_date) AS INTEGER) AS day,
    row_number() OVER (PARTITION BY t.customer_id, t.order_id ORDER BY t.order_date) = 1 AS order_start,
    t.revenue,
    t.cost,
    t.returned_amount,
    g.category_code
  FROM transactions AS t
  JOIN customer_codes AS k ON k.customer_id = t.customer_id
  JOIN category_codes AS g ON g.product_category IS NOT DISTINCT FROM t.product_category
)
SELECT
  customer_code,
  day,
  order_start,
  CASE WHEN abs(revenue) < DECIMAL '90071992547409.91' THEN CAST(revenue * 100 AS DOUBLE) END AS revenue_cents,
  CASE WHEN abs(cost) < DECIMAL '90071992547409.91' THEN CAST(cost * 100 AS DOUBLE) END AS cost_cents,
  CASE WHEN abs(returned_amount) < DECIMAL '90071992547409.91' THEN CAST(returned_amount * 100 AS DOUBLE) END
    AS returned_cents,
  CASE
    WHEN greatest(abs(revenue), abs(cost), abs(returned_amount)) >= DECIMAL '90071992547409.91'
    THEN CAST(revenue AS VARCHAR) || ' ' || CAST(cost AS VARCHAR) || ' ' || CAST(returned_amount AS VARCHAR)
  END AS exact_amounts,
  category_code
FROM lines
ORDER BY customer_code, day, revenue, cost, returned_amount, category_code
`;
