import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { EXPORT_KINDS, type ExportKind } from '../../core/exports/kinds.ts';
import { firstOrders } from '../../core/profitability/first-orders.ts';
import type { ServiceCostSets } from '../../core/profitability/service-cost.ts';
import { sortTransactionRecords } from '../../core/profitability/transaction-columns.ts';
import type { ColumnarSnapshot, IsoDate, Snapshot } from '../../core/records.ts';
import type { ColumnDefinition } from '../../core/tables.ts';
import { setQuery } from '../../sql/index.ts';
import { decodeCaches, decodeParquet } from '../adapters/parquet.ts';
import { curatedPartExport } from '../ingest/lake-keys.ts';
import type { LakeReader } from './lake-reader.ts';
import { loadTransactionColumns } from './load-transactions.ts';
import { serviceCostsFromSql } from './service-costs-sql.ts';
import { SetEngine } from './set-engine.ts';

export interface LoadOptions {
  /**
   * The exports that count (from the registry: loaded and pointed at by their key). Without it,
   * every curated folder counts, as when the lake alone is read (the benchmarks).
   */
  exportIds?: ReadonlySet<string>;
  /**
   * Transactions as record objects (the targets job, whose actuals read records) instead of columns.
   * Records cost a few hundred bytes a line; columns about 37 (see TransactionColumns).
   */
  transactionRecords?: boolean;
  /**
   * false: the transactions are not read (the scale-out combine step, which gets their pass from
   * the buckets); the snapshot's transaction columns are then empty.
   */
  readTransactions?: boolean;
  /**
   * The service costs as set queries computed them elsewhere (the scale-out run's Athena step):
   * they come with the snapshot and the interactions are not read.
   */
  serviceCosts?: ServiceCostSets;
  /**
   * The run's as_of: set work that depends on it runs as SQL on DuckDB (see SetEngine) over copies
   * of the parts in /tmp, while the other kinds are decoded, and comes with the snapshot: the
   * service costs (the interactions are then not loaded as records). The compute run passes it from
   * compute.serviceCostsBySqlFromBytes of interactions (see serviceCostsBySql in run-compute.ts:
   * below it the copies and the queries cost more than the allocation they replace); tests hold
   * both ways to the same tables.
   */
  asOf?: IsoDate;
}

/**
 * Reads every published curated export into memory. Only published folders exist under `curated/`
 * (ingest writes to staging first and deletes replaced exports), so the listing is the set of
 * exports that currently count. Transactions, by far the largest kind, come as columns in canonical
 * order (see canonicalOrder) unless records are asked for; the other kinds are records, whose
 * repeated values (amounts, dates, ids) share one object across all rows and kinds.
 */
export async function loadSnapshot(
  lake: LakeReader,
  options?: Omit<LoadOptions, 'transactionRecords'>,
): Promise<{ snapshot: ColumnarSnapshot; exportIds: string[] }>;
export async function loadSnapshot(
  lake: LakeReader,
  options: { transactionRecords: true; exportIds?: ReadonlySet<string> },
): Promise<{ snapshot: Snapshot; exportIds: string[] }>;
export async function loadSnapshot(
  lake: LakeReader,
  options: LoadOptions = {},
): Promise<{ snapshot: Snapshot | ColumnarSnapshot; exportIds: string[] }> {
  const snapshot = Object.fromEntries(EXPORT_KINDS.map((kind) => [kind, []])) as unknown as Snapshot;
  const exportIds = new Set<string>();
  const asOf = options.transactionRecords ? undefined : options.asOf;
  // With an as_of, every part read is also written to a local folder for DuckDB, except the
  // transactions': what the queries read of them (first_orders) is given from the loaded lines.
  const folder = asOf ? await mkdtemp(join(tmpdir(), 'cval-compute-')) : null;
  try {
    const source = folder ? copyingLake(lake, folder, (key) => !key.startsWith(TRANSACTION_PARTS)) : lake;
    const parts = await fetchParts(source, exportIds, options, folder !== null);
    if (parts.transactions)
      snapshot.transactionColumns = await loadTransactionColumns(lake, parts.transactions);
    // DuckDB's queries run on its own threads while this one decodes the other kinds (2.5 s at 1M
    // customers, which left a core idle while DuckDB waited for the first orders, then this thread
    // idle while DuckDB ran). Both are awaited before the folder goes, whichever fails.
    const running =
      folder && asOf
        ? await startServiceCostsOnDuckDb(folder, asOf, options.exportIds, snapshot.transactionColumns)
        : null;
    // With the copies written, the records are decoded from them: no part's bytes held through
    // the transactions' load.
    const [decoded, queried] = await Promise.allSettled([
      decodeParts(folder ? localLake(folder) : lake, parts.records, snapshot),
      running?.serviceCosts,
    ]);
    if (decoded.status === 'rejected' && queried.status === 'rejected')
      throw new AggregateError(
        [decoded.reason, queried.reason],
        `the load failed decoding the exports (${errorText(decoded.reason)}) and in the service cost queries (${errorText(queried.reason)})`,
      );
    if (decoded.status === 'rejected') throw decoded.reason;
    if (queried.status === 'rejected') throw queried.reason;
    if (queried.value) snapshot.serviceCosts = queried.value;
  } finally {
    if (folder) await rm(folder, { recursive: true, force: true });
  }
  if (options.serviceCosts) snapshot.serviceCosts = options.serviceCosts;
  // Part order follows export ids; sort so results never depend on listing order.
  snapshot.customers.sort((a, b) => cmp(a.customer_id, b.customer_id));
  if (options.transactionRecords) {
    sortTransactionRecords(snapshot.transactions);
    return { snapshot, exportIds: [...exportIds].sort() };
  }
  const { transactions: _unused, ...columnar } = snapshot;
  return { snapshot: columnar as ColumnarSnapshot, exportIds: [...exportIds].sort() };
}

const TRANSACTION_PARTS = 'curated/transactions/';

/** The lake, each curated part read that `copied` takes also written under `folder` (as DuckDB's copy). */
function copyingLake(lake: LakeReader, folder: string, copied: (key: string) => boolean): LakeReader {
  return {
    list: (prefix: string) => lake.list(prefix),
    getBytes: async (key: string) => {
      const bytes = await lake.getBytes(key);
      // Written before the bytes are handed on (the decoder worker takes them over).
      if (copied(key)) await writeLocal(folder, key, bytes);
      return bytes;
    },
  };
}

/** The parts copied under `folder`, read back by key. */
function localLake(folder: string): LakeReader {
  return {
    list: async () => {
      throw new Error('the local copies are read by key only');
    },
    getBytes: async (key: string) => new Uint8Array(await readFile(join(folder, key))),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function writeLocal(folder: string, key: string, bytes: Uint8Array): Promise<void> {
  const path = join(folder, key);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/** The parts to load: the transactions' (read by their own loader) and those read as records. */
interface FetchedParts {
  transactions: string[] | null;
  records: { kind: ExportKind; key: string }[];
}

/**
 * Lists the parts of the exports that count; a kind the options leave out is skipped. For the set
 * queries (`sql`) every part but the transactions' is fetched now, which writes DuckDB's copies
 * before it starts (the interactions are fetched only for those); the records are decoded later,
 * a part at a time.
 */
async function fetchParts(
  lake: LakeReader,
  exportIds: Set<string>,
  options: LoadOptions,
  sql: boolean,
): Promise<FetchedParts> {
  const fetched: FetchedParts = { transactions: null, records: [] };
  for (const kind of EXPORT_KINDS) {
    const keys = (await lake.list(`curated/${kind}/`)).filter((key) => {
      const id = curatedPartExport(key);
      return id !== undefined && (!options.exportIds || options.exportIds.has(id));
    });
    for (const key of keys) exportIds.add(curatedPartExport(key) as string);
    if (kind === 'interactions' && sql) {
      for (const key of keys) await lake.getBytes(key);
      continue;
    }
    if (kind === 'transactions' && options.readTransactions === false) continue;
    if (kind === 'interactions' && options.serviceCosts) continue;
    if (kind === 'transactions' && !options.transactionRecords) {
      fetched.transactions = keys;
      continue;
    }
    for (const key of keys) {
      if (sql) await lake.getBytes(key);
      fetched.records.push({ kind, key });
    }
  }
  return fetched;
}

/** Decodes the parts into the snapshot's records, in the order listed. */
async function decodeParts(
  lake: LakeReader,
  parts: FetchedParts['records'],
  snapshot: Snapshot,
): Promise<void> {
  const caches = decodeCaches();
  for (const { kind, key } of parts) {
    // Parts read from local copies come without waiting on much: a turn of the event loop
    // between parts lets DuckDB's next statement start (see loadSnapshot).
    await setImmediate();
    const target = snapshot[kind] as unknown[];
    const rows = await decodeParquet(await lake.getBytes(key), recordColumns(kind), caches);
    if (kind === 'targets') {
      for (const row of rows) target.push(targetRecord(row, curatedPartExport(key) as string));
    } else {
      for (const row of rows) target.push(row);
    }
  }
}

/**
 * Opens DuckDB over the copies in `folder`, gives it the first orders and starts the service cost
 * queries; resolves once they have started, with their outcome to await (the engine closed when
 * they end).
 */
async function startServiceCostsOnDuckDb(
  folder: string,
  asOf: IsoDate,
  exportIds: ReadonlySet<string> | undefined,
  transactionColumns: ColumnarSnapshot['transactionColumns'] | undefined,
): Promise<{ serviceCosts: Promise<ServiceCostSets> }> {
  const engine = await SetEngine.open(folder, { exportIds, withheld: ['transactions'] });
  try {
    // The first orders from the lines just loaded: DuckDB would scan every line again for them
    // (1.2-1.4 s of its 4.7 s at 1M customers / 20M lines), and the parts are not copied (the
    // 282 MB at 1M were written before each part was decoded).
    if (transactionColumns) {
      const first = firstOrders(transactionColumns, asOf);
      await engine.provide(setQuery('first_orders'), { as_of: asOf }, [
        { name: 'customer_id', text: first.customerIds },
        { name: 'first_order', epochDays: first.days },
      ]);
    }
  } catch (error) {
    await engine.close();
    throw error;
  }
  return { serviceCosts: serviceCostsFromSql(engine, asOf).finally(() => engine.close()) };
}

/** The curated columns a kind's records carry: all but the source line, which only targets keep. */
function recordColumns(kind: ExportKind): ColumnDefinition[] {
  const columns = curatedColumns(kind);
  return kind === 'targets' ? columns : columns.filter((column) => column.name !== 'source_line');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function targetRecord(row: Record<string, unknown>, exportId: string): unknown {
  return {
    fiscal_year: row.fiscal_year,
    metric: row.metric,
    amount: row.amount,
    scope: row.scope ?? 'company',
    share: row.share ?? null,
    source_line: row.source_line,
    export_id: exportId,
  };
}
