import type { ResultRows } from '../../core/results.ts';
import type { TableDefinition } from '../../core/tables.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { encodeParquet } from '../adapters/parquet.ts';
import { lakeKeys } from '../ingest/lake-keys.ts';

export type ResultTables = Map<TableDefinition, ResultRows>;

/**
 * Writes every table of a run to a staging folder first and only then publishes them into
 * `results/<table>/as_of=<date>/`, so a failure midway leaves the previous run in place and a rerun
 * overwrites the same keys with the same bytes.
 */
export async function publishResults(lake: ObjectStore, asOf: string, runId: string, tables: ResultTables) {
  const written: Record<string, number> = {};
  for (const [table, rows] of tables) {
    const staging = lakeKeys.resultStaging(table.name, asOf, runId);
    await lake.deletePrefix(staging);
    await lake.put(
      lakeKeys.part(staging, 0),
      encodeParquet(table.columns, rows),
      'application/vnd.apache.parquet',
    );
    written[table.name] = rows.length;
  }
  for (const table of tables.keys()) {
    await lake.publishFolder(
      lakeKeys.resultStaging(table.name, asOf, runId),
      lakeKeys.resultFolder(table.name, asOf),
    );
  }
  return written;
}
