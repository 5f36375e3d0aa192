import { createHash } from 'node:crypto';

/**
 * A customer's bucket in the scale-out run: the first 32 bits of md5(customer_id) modulo the
 * number of buckets, the very number sql/bucketed-transactions.ts gives on Athena and DuckDB, so
 * the rows a per-bucket step reads and the customers it writes items for are the same customers.
 */
export function bucketOf(customerId: string, buckets: number): number {
  const digest = createHash('md5').update(customerId, 'utf8').digest();
  return digest.readUInt32BE(0) % buckets;
}
