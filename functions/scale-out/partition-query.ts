import { setQuery } from '../../sql/index.ts';

const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;
const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * sql/bucketed-transactions.ts over the exports that count, with its bucket count bound: the query
 * both engines run. The curated tables hold every export's folder, so on Athena the lines are
 * limited to the run's exports by their path; DuckDB's views already hold only those.
 */
export function bucketedTransactionsQuery(buckets: number): string {
  return bucketedQuery('bucketed_transactions', buckets);
}

/** sql/bucketed-customers.ts with its bucket count bound (its `customers` carry their export_id). */
export function bucketedCustomersQuery(buckets: number): string {
  return bucketedQuery('bucketed_customers', buckets);
}

function bucketedQuery(name: string, buckets: number): string {
  if (!Number.isSafeInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be at least 1`);
  return setQuery(name).sql.replace('?', String(buckets));
}

/**
 * The Athena statements of the partition step: the bucketed transaction lines and customers rows of
 * the run's exports, each written as Parquet under its `target` (an s3:// folder, empty: the plan
 * step clears the run's folder), one folder per bucket. Each CTE shadows the catalog's table with
 * the run's part of it; the customers' export id comes from the path.
 */
export function athenaPartitionStatements(options: {
  database: string;
  exportIds: readonly string[];
  buckets: number;
  targets: { transactions: string; customers: string };
}): string[] {
  const exportOf = `regexp_extract("$path", '/export_id=([^/]+)/', 1)`;
  const counted =
    options.exportIds.length === 0
      ? 'false'
      : `${exportOf} IN (${options.exportIds.map(quoteText).join(', ')})`;
  const table = (name: string) => `${quoteName(options.database)}.${quoteName(name)}`;
  const unload = (query: string, target: string) =>
    `UNLOAD (${query}) TO ${quoteText(target)} WITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY['bucket'])`;
  return [
    unload(
      `WITH transactions AS (SELECT * FROM ${table('transactions')} WHERE ${counted})${bucketedTransactionsQuery(options.buckets)}`,
      options.targets.transactions,
    ),
    unload(
      `WITH customers AS (SELECT *, ${exportOf} AS export_id FROM ${table('customers')} WHERE ${counted})${bucketedCustomersQuery(options.buckets)}`,
      options.targets.customers,
    ),
  ];
}
