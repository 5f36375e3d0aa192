import { composedQuery, exportIdFromPath } from '../../sql/compose.ts';
import { setQuery } from '../../sql/index.ts';
import { SERVICE_COST_RESULTS, type ServiceCostResult } from '../compute/service-costs-sql.ts';

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

/** The curated tables the partition step's statements read. */
export const PARTITION_TABLES = ['transactions', 'customers', 'interactions', 'touchpoint_costs'] as const;

/** The most partitions one Athena UNLOAD writes (Athena's limit). */
export const UNLOAD_PARTITIONS = 100;

/**
 * The Athena statements of the partition step: the bucketed transaction lines and customers rows of
 * the run's exports, each written as Parquet under its `target` (an s3:// folder, empty: the plan
 * step clears the run's folder), one folder per bucket, and the service costs' set queries. Each
 * CTE shadows the catalog's table with the run's part of it, every row with its export id from the
 * path, as DuckDB's views hold the curated tables.
 */
export function athenaPartitionStatements(options: {
  database: string;
  /** The run's export ids of each curated table the statements read (transactions, customers, ...). */
  exportIds: Readonly<Record<string, readonly string[]>>;
  buckets: number;
  asOf: string;
  targets: { transactions: string; customers: string; serviceCosts: (result: ServiceCostResult) => string };
}): string[] {
  const exportOf = exportIdFromPath('"$path"');
  // Only the table's own exports: every id in every statement would take the plan (the state's
  // output, at most 256 KiB) past Step Functions' limit at a few hundred exports.
  const counted = (name: string) => {
    const ids = options.exportIds[name] ?? [];
    return ids.length === 0 ? 'false' : `${exportOf} IN (${ids.map(quoteText).join(', ')})`;
  };
  // A catalog table as DuckDB's views hold it: the run's exports only, each row with its export_id.
  const scoped = (name: string) => ({
    name,
    sql: `SELECT *, ${exportOf} AS export_id FROM ${quoteName(options.database)}.${quoteName(name)} WHERE ${counted(name)}`,
  });
  const unload = (query: string, target: string, partitioned: boolean) =>
    `UNLOAD (${query}) TO ${quoteText(target)} WITH (format = 'PARQUET', compression = 'SNAPPY'${partitioned ? ", partitioned_by = ARRAY['bucket']" : ''})`;
  // One UNLOAD writes at most UNLOAD_PARTITIONS partitions: more buckets take a statement per range.
  const ranges: [number, number][] = [];
  for (let first = 0; first < options.buckets; first += UNLOAD_PARTITIONS)
    ranges.push([first, Math.min(first + UNLOAD_PARTITIONS, options.buckets) - 1]);
  const inRange = (query: string, [first, last]: [number, number]) =>
    ranges.length === 1 ? query : `SELECT * FROM (${query}) AS b WHERE b.bucket BETWEEN ${first} AND ${last}`;
  const bucketed = (table: string, query: string, target: string) =>
    ranges.map((range) =>
      unload(`WITH ${table} AS (${scoped(table).sql})${inRange(query, range)}`, target, true),
    );
  const statements = [
    ...bucketed('transactions', bucketedTransactionsQuery(options.buckets), options.targets.transactions),
    ...bucketed('customers', bucketedCustomersQuery(options.buckets), options.targets.customers),
    // The service costs, as the embedded run's set queries compute them, so the combine step reads
    // a few rows per customer instead of every interaction.
    ...serviceCostQueries(options.asOf, PARTITION_TABLES.map(scoped)).map(({ result, sql }) =>
      unload(sql, options.targets.serviceCosts(result), false),
    ),
  ];
  return statements;
}

/**
 * The most bytes a statement may take: Athena runs a query of at most 262,144 bytes, and Step
 * Functions passes a state of at most 256 KiB, the statement JSON-escaped in the child's input and
 * again in GetQueryExecution's output, with the execution's own fields beside it.
 */
export const MAX_STATEMENT_BYTES = 262_144 - 4_096;

/**
 * Refuses the plan, with what to do, rather than let the partition step fail every night with the
 * service's own message: the statements list every export id of a kind they read (24 bytes each).
 * Measured, about 5,200 transactions and 5,200 interactions exports reach the limit.
 */
export function checkStatementSizes(
  statements: readonly string[],
  exportIds: Readonly<Record<string, readonly string[]>>,
): void {
  const largest = Math.max(...statements.map((statement) => Buffer.byteLength(JSON.stringify(statement))));
  if (largest <= MAX_STATEMENT_BYTES) return;
  const listed = PARTITION_TABLES.filter((table) => (exportIds[table]?.length ?? 0) > 1)
    .map((table) => `${(exportIds[table]?.length ?? 0).toLocaleString('en')} ${table}`)
    .join(' and ');
  throw new Error(
    `scale-out: an Athena statement of this run would be ${largest.toLocaleString('en')} bytes, past the ${MAX_STATEMENT_BYTES.toLocaleString('en')} one statement may be (Athena takes 262,144 bytes of a query, Step Functions 256 KiB of a state, with room for the rest): ${listed} exports are listed in it; combine older exports of a kind into fewer files`,
  );
}

/**
 * The service-cost set queries as single statements (see composedQuery), over `tables` when given
 * (Athena: the run's part of the catalog's tables) or the engine's own tables (DuckDB's views).
 */
export function serviceCostQueries(
  asOf: string,
  tables: readonly { name: string; sql: string }[] = [],
): { result: ServiceCostResult; sql: string }[] {
  return (Object.keys(SERVICE_COST_RESULTS) as ServiceCostResult[]).map((result) => ({
    result,
    sql: composedQuery(result, { as_of: asOf }, SERVICE_COST_RESULTS[result], tables),
  }));
}
