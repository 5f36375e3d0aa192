/**
 * segment_product_profit: revenue, direct cost plus returns, gross profit and distinct customers
 * by customer segment x product category, over the lines on or before the date. Reads the
 * customer_profiles relation (see customer-profiles.ts). Parameters: as_of.
 */
export default `
SELECT
  pr.segment,
  t.product_category,
  sum(t.revenue) AS revenue,
  sum(t.cost + t.returned_amount) AS cost,
  sum(t.revenue - t.cost - t.returned_amount) AS profit,
  count(DISTINCT t.customer_id) AS customers
FROM transactions AS t
LEFT JOIN customer_profiles AS pr ON pr.customer_id = t.customer_id
WHERE t.order_date <= CAST(? AS DATE)
GROUP BY pr.segment, t.product_category
`;
