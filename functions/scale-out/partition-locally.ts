import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../adapters/object-store.ts';
import { SetEngine } from '../compute/set-engine.ts';
import { lakeKeys } from '../ingest/lake-keys.ts';
import {
  bucketedCustomersQuery,
  bucketedTransactionsQuery,
  PARTITION_TABLES,
  serviceCostQueries,
} from './partition-query.ts';
import { readRunPlan, runKeys } from './run-folder.ts';

/**
 * The partition step where Athena is not: DuckDB runs the same queries (sql/bucketed-transactions.ts,
 * sql/bucketed-customers.ts) over the run's curated transactions and customers and writes one
 * folder per bucket, and the service costs' statements, all copied to the run's staging folder as
 * Athena's UNLOAD would leave them.
 */
export async function partitionLocally(lake: ObjectStore, runId: string): Promise<number> {
  const plan = await readRunPlan(lake, runId);
  const folder = await mkdtemp(join(tmpdir(), 'cval-partition-'));
  const engine = await SetEngine.fromLake(lake, new Set(plan.export_ids), PARTITION_TABLES);
  try {
    const quote = (path: string) => `'${path.replaceAll("'", "''")}'`;
    await engine.rows(
      `COPY (${bucketedTransactionsQuery(plan.buckets)}) TO ${quote(join(folder, 'transactions'))} (FORMAT PARQUET, PARTITION_BY (bucket))`,
    );
    // The views carry each row's export_id, as Athena's statement takes it from "$path".
    await engine.rows(
      `COPY (${bucketedCustomersQuery(plan.buckets)}) TO ${quote(join(folder, 'customers'))} (FORMAT PARQUET, PARTITION_BY (bucket))`,
    );
    let parts = 0;
    // The service costs' statements as Athena runs them, less the CTEs that scope Athena's tables
    // to the run (DuckDB's views hold only the run's exports).
    for (const { result, sql } of serviceCostQueries(plan.as_of)) {
      const file = join(folder, `${result}.parquet`);
      await engine.rows(`COPY (${sql}) TO ${quote(file)} (FORMAT PARQUET)`);
      await lake.put(
        lakeKeys.part(runKeys.serviceCosts(plan.run_id, result), 0),
        await readFile(file),
        PARQUET,
      );
      parts += 1;
    }
    return (
      parts +
      (await copyBuckets(lake, join(folder, 'transactions'), (bucket) =>
        runKeys.bucketTransactions(plan.run_id, bucket),
      )) +
      (await copyBuckets(lake, join(folder, 'customers'), (bucket) =>
        runKeys.bucketCustomers(plan.run_id, bucket),
      ))
    );
  } finally {
    await engine.close();
    await rm(folder, { recursive: true, force: true });
  }
}

const PARQUET = 'application/vnd.apache.parquet';

/** DuckDB's bucket folders under `written`, copied to the run's staging folder; the parts copied. */
async function copyBuckets(
  lake: ObjectStore,
  written: string,
  prefixOf: (bucket: number) => string,
): Promise<number> {
  let parts = 0;
  const entries = await readdir(written, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const bucket = /^bucket=(\d+)$/.exec(entry.name)?.[1];
    if (!entry.isDirectory() || bucket === undefined) continue;
    const files = (await readdir(join(written, entry.name))).sort();
    for (const [index, file] of files.entries()) {
      const bytes = await readFile(join(written, entry.name, file));
      await lake.put(lakeKeys.part(prefixOf(Number(bucket)), index), bytes, PARQUET);
      parts += 1;
    }
  }
  return parts;
}
