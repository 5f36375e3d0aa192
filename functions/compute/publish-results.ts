import type { ResultRows } from '../../core/results.ts';
import type { TableDefinition } from '../../core/tables.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { encodeParquet } from '../adapters/parquet.ts';
import { lakeKeys } from '../ingest/lake-keys.ts';

export type ResultTables = Map<TableDefinition, ResultRows>;

/**
 * Writes every table of a run to its staging folder. A value a table cannot hold (an amount past
 * DECIMAL(18,2)) fails here, before anything of the run is published.
 */
export async function stageResults(lake: ObjectStore, asOf: string, runId: string, tables: ResultTables) {
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
  return written;
}

/**
 * Makes the staged tables of a run the content of `results/<table>/as_of=<date>/`, or of
 * `results/<table>/` for the tables that hold the current state rather than a run's (exports).
 * Every staged table has a part (stageResults writes one however few rows), so a table with none
 * was published and cleared by another invocation of this step (a retry while the first ran on):
 * refused, not published as an empty table over the published one.
 */
export async function publishStaged(
  lake: ObjectStore,
  asOf: string,
  runId: string,
  tables: Iterable<TableDefinition>,
) {
  for (const table of tables) {
    const folder = table.partitionKey ? lakeKeys.resultFolder(table.name, asOf) : `${table.prefix}/`;
    await lake.publishFolder(lakeKeys.resultStaging(table.name, asOf, runId), folder, { refuseEmpty: true });
  }
}
