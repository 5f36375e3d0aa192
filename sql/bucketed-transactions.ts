/**
 * bucketed_transactions: every curated transaction line with its customer's bucket, the first 32
 * bits of md5(customer_id) modulo the number of buckets (functions/scale-out/customer-buckets.ts
 * computes the same number in TypeScript). The scale-out run writes this partitioned by bucket, so
 * each of its per-bucket steps reads whole customers. The partition column comes last, as Athena's
 * UNLOAD ... partitioned_by needs. Parameter: the number of buckets.
 */
export default `
SELECT
  t.*,
  CAST(from_base(substr(lower(to_hex(md5(to_utf8(t.customer_id)))), 1, 8), 16) % ? AS INTEGER) AS bucket
FROM transactions AS t
`;
