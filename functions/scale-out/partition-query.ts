import { setQuery } from '../../sql/index.ts';

const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;
const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * sql/bucketed-transactions.ts over the exports that count, with its bucket count bound: the query
 * both engines run. The curated tables hold every export's folder, so on Athena the lines are
 * limited to the run's exports by their path; DuckDB's views already hold only those.
 */
export function bucketedTransactionsQuery(buckets: number): string {
  if (!Number.isSafeInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be at least 1`);
  return setQuery('bucketed_transactions').sql.replace('?', String(buckets));
}

/**
 * The Athena statement of the partition step: the bucketed lines of the run's exports, written
 * as Parquet under `target` (an s3:// folder, empty: the plan step clears it), one folder per
 * bucket. The CTE shadows the catalog's transactions table with the run's part of it.
 */
export function athenaPartitionStatement(options: {
  database: string;
  exportIds: readonly string[];
  buckets: number;
  target: string;
}): string {
  const counted =
    options.exportIds.length === 0
      ? 'false'
      : `regexp_extract("$path", '/export_id=([^/]+)/', 1) IN (${options.exportIds.map(quoteText).join(', ')})`;
  const query = `WITH transactions AS (SELECT * FROM ${quoteName(options.database)}."transactions" WHERE ${counted})${bucketedTransactionsQuery(options.buckets)}`;
  return `UNLOAD (${query}) TO ${quoteText(options.target)} WITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY['bucket'])`;
}
