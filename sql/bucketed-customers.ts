/**
 * bucketed_customers: every row of the customers exports with its customer's bucket (the number
 * bucketed-transactions.ts gives), the export it came from and its line in that export, so each
 * bucket of the scale-out run reads its own customers and can tell which of a customer's rows is the
 * last (the one the customer facts take: exports in id order, lines in order). Reads `customers`
 * with an `export_id` column, which each engine adds from the part's path (Athena's "$path",
 * DuckDB's file name; see exportIdFromPath in compose.ts). The partition column comes last.
 * Parameter: the number of buckets.
 */
export default `
SELECT
  c.customer_id,
  c.acquired_on,
  c.segment,
  c.export_id,
  c.source_line,
  CAST(from_base(substr(lower(to_hex(md5(to_utf8(c.customer_id)))), 1, 8), 16) % ? AS INTEGER) AS bucket
FROM customers AS c
`;
