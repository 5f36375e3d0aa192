import { createHash } from 'node:crypto';
import type { Config } from '../../core/config.ts';
import type { IsoDate } from '../../core/records.ts';
import { computeResults } from '../../core/results.ts';
import { resultTable } from '../../core/tables.ts';
import type { Item, ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { readRawColumns } from '../adapters/parquet-columns.ts';
import { lakeKeys } from '../ingest/lake-keys.ts';
import { exportsTableRows, rejectsTableRows } from './export-tables.ts';
import { loadSnapshot } from './load-snapshot.ts';
import { publishResults, type ResultTables } from './publish-results.ts';
import { resultItem } from './result-items.ts';

export interface ComputePorts {
  lake: ObjectStore;
  items: ItemStore;
  config: Config;
  now?: () => Date;
}

export interface RunSummary {
  as_of: IsoDate;
  run_id: string;
  export_ids: string[];
  tables: Record<string, number>;
  warnings: string[];
}

/**
 * One compute run: snapshot of the published curated exports -> every metric -> Parquet results
 * (staged, then published) -> DynamoDB items -> the RUN# marker. The run id is derived from the
 * inputs, so rerunning the same as_of over the same exports writes the same keys and bytes.
 */
export async function runCompute(ports: ComputePorts, asOf: IsoDate): Promise<RunSummary> {
  const { snapshot, exportIds } = await loadSnapshot(ports.lake);
  const runId = createHash('sha256')
    .update(`${asOf}\n${exportIds.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  const { tables, warnings } = computeResults(snapshot, asOf, ports.config);
  const exportItems = await ports.items.scanPrefix('EXPORT#');
  tables.set(resultTable('exports'), exportsTableRows(exportItems));
  tables.set(resultTable('rejects'), await rejectsTableRows(ports.lake, exportItems));

  // Re-running an earlier day must not move the customers' LATEST items back in time.
  const latest = await ports.items.get('RUN#LATEST', 'META');
  const isLatest = !latest || String(latest.as_of) <= asOf;
  // Who had items before, read before publishing (a rerun of the same day replaces its files).
  const sameDay = await customersOfRun(ports.lake, asOf);
  const latestDay = latest ? String(latest.as_of) : null;
  const holdingLatest =
    !isLatest || latestDay === null
      ? new Set<string>()
      : latestDay === asOf
        ? sameDay
        : await customersOfRun(ports.lake, latestDay);
  const written = await publishResults(ports.lake, asOf, runId, tables);
  // In slices: a million customers' items at once would be gigabytes; the order is unchanged.
  for (const slice of lookupItems(tables, asOf, isLatest)) await ports.items.putAll(slice);
  // Customers this run no longer has (their export was withdrawn or replaced) lose this day's item
  // and, when this is the newest run, their LATEST item; items of other days stay as history.
  const current = new Set<string>();
  for (const row of tables.get(resultTable('customer_metrics')) ?? []) current.add(String(row.customer_id));
  const gone = (ids: Set<string>) => [...ids].filter((id) => !current.has(id));
  await ports.items.deleteAll([
    ...gone(sameDay).map((id) => ({ PK: `CUSTOMER#${id}`, SK: `AS_OF#${asOf}` })),
    ...gone(holdingLatest).map((id) => ({ PK: `CUSTOMER#${id}`, SK: 'LATEST' })),
  ]);
  if (isLatest) await ports.items.put({ PK: 'RUN#LATEST', SK: 'META', as_of: asOf, run_id: runId });
  await ports.items.put({
    PK: `RUN#${asOf}`,
    SK: 'META',
    run_id: runId,
    as_of: asOf,
    export_ids: exportIds,
    tables: written,
    warnings,
    published_at: (ports.now ?? (() => new Date()))().toISOString(),
  });
  return { as_of: asOf, run_id: runId, export_ids: exportIds, tables: written, warnings };
}

/** The customers a published run has rows for, from its customer_metrics files. */
async function customersOfRun(lake: ObjectStore, asOf: string): Promise<Set<string>> {
  const customers = new Set<string>();
  for (const key of await lake.list(lakeKeys.resultFolder('customer_metrics', asOf))) {
    const { columns } = await readRawColumns(await lake.getBytes(key), ['customer_id']);
    const ids = columns.get('customer_id');
    if (ids?.kind !== 'strings') continue;
    for (const id of ids.values) if (id !== null) customers.add(id);
  }
  return customers;
}

/** Items per putAll call: bounds memory; putAll batches and retries within each slice. */
const ITEM_SLICE = 10_000;

/**
 * The fast lookups: each customer's dated (and, for the newest run, LATEST) metrics, each cohort's
 * metrics; yielded in slices of at most ITEM_SLICE items, in order.
 */
function* lookupItems(tables: ResultTables, asOf: IsoDate, isLatest: boolean): Generator<Item[]> {
  let items: Item[] = [];
  const customerTable = resultTable('customer_metrics');
  for (const row of tables.get(customerTable) ?? []) {
    const pk = `CUSTOMER#${row.customer_id}`;
    items.push(resultItem(pk, `AS_OF#${asOf}`, row, customerTable));
    if (isLatest) items.push({ ...resultItem(pk, 'LATEST', row, customerTable), as_of: asOf });
    if (items.length >= ITEM_SLICE) {
      yield items;
      items = [];
    }
  }
  const cohortTable = resultTable('cohort_metrics');
  for (const row of tables.get(cohortTable) ?? []) {
    items.push(resultItem(`COHORT#${row.cohort_dimension}#${row.cohort}`, `AS_OF#${asOf}`, row, cohortTable));
  }
  if (items.length > 0) yield items;
}
