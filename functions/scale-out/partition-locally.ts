import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../adapters/object-store.ts';
import { SetEngine } from '../compute/set-engine.ts';
import { lakeKeys } from '../ingest/lake-keys.ts';
import { bucketedTransactionsQuery } from './partition-query.ts';
import { readRunPlan, runKeys } from './run-folder.ts';

/**
 * The partition step where Athena is not: DuckDB runs the same query (sql/bucketed-transactions.ts)
 * over the run's curated transactions and writes one folder per bucket, which is copied to the
 * run's staging folder as Athena's UNLOAD would leave it.
 */
export async function partitionLocally(lake: ObjectStore, runId: string): Promise<number> {
  const plan = await readRunPlan(lake, runId);
  const folder = await mkdtemp(join(tmpdir(), 'cval-partition-'));
  const engine = await SetEngine.fromLake(lake, new Set(plan.export_ids), ['transactions']);
  try {
    const target = join(folder, 'transactions').replaceAll("'", "''");
    await engine.rows(
      `COPY (${bucketedTransactionsQuery(plan.buckets)}) TO '${target}' (FORMAT PARQUET, PARTITION_BY (bucket))`,
    );
    let parts = 0;
    const written = await readdir(join(folder, 'transactions'), { withFileTypes: true }).catch(() => []);
    for (const entry of written) {
      const bucket = /^bucket=(\d+)$/.exec(entry.name)?.[1];
      if (!entry.isDirectory() || bucket === undefined) continue;
      const files = (await readdir(join(folder, 'transactions', entry.name))).sort();
      for (const [index, file] of files.entries()) {
        const bytes = await readFile(join(folder, 'transactions', entry.name, file));
        const key = lakeKeys.part(runKeys.bucketTransactions(plan.run_id, Number(bucket)), index);
        await lake.put(key, bytes, 'application/vnd.apache.parquet');
        parts += 1;
      }
    }
    return parts;
  } finally {
    await engine.close();
    await rm(folder, { recursive: true, force: true });
  }
}
