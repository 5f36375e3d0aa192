import { createHash } from 'node:crypto';
import { checkParameterDrift, driftOutcome, type ParameterValue } from '../../core/clv/drift.ts';
import { type Config, clvSettings } from '../../core/config.ts';
import { sharedLineWarnings } from '../../core/exports/shared-line-warnings.ts';
import type { ServiceCostSets } from '../../core/profitability/service-cost.ts';
import type { ColumnarSnapshot, IsoDate } from '../../core/records.ts';
import { resultTable } from '../../core/tables.ts';
import type { Item, ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { currentExports, listExports } from '../ingest/export-registry.ts';
import { curatedPartExport, lakeKeys } from '../ingest/lake-keys.ts';
import { DEFLATE_MAX_RATIO, type HandOff, reconcileExports } from '../ingest/reconcile-exports.ts';
import {
  keyFits,
  noUnwrittenLookups,
  type UnwrittenLookups,
  unwrittenLookupWarnings,
} from '../shared/lookup-keys.ts';
import { loadBacktestInputs, readLastModelParameters } from './clv-backtest-input.ts';
import {
  computeResultsFromBuckets,
  computeResultsOnTwoThreads,
  type MergedBuckets,
} from './compute-results.ts';
import { exportsTableRows, rejectsTableRows } from './export-tables.ts';
import type { LakeReader } from './lake-reader.ts';
import { type LoadOptions, loadSnapshot } from './load-snapshot.ts';
import { publishStaged, type ResultTables, stageResults } from './publish-results.ts';
import { itemKeysOf, resultItem } from './result-items.ts';
import { latestRun, runItem, runKey, runOf } from './run-registry.ts';

/** The table as a compute run uses it (reconciling the exports included): Get, Put, Query, batches. */
export type ComputeTable = Pick<ItemStore, 'get' | 'put' | 'putIf' | 'query' | 'putAll' | 'deleteAll'>;

export interface ComputePorts {
  lake: ObjectStore;
  items: ComputeTable;
  config: Config;
  /** The exports bucket: when given, the run first reconciles it with the registry. */
  exports?: ObjectStore;
  now?: () => Date;
  /** How long an export claim taken while reconciling stands (see IngestPorts.claimMs). */
  claimMs?: () => number;
  /** Where reconciling sends the exports too large to load in this function (none: all loaded here). */
  handOff?: HandOff | null;
  onStep?: (step: string) => void;
}

export interface RunSummary {
  as_of: IsoDate;
  run_id: string;
  export_ids: string[];
  tables: Record<string, number>;
  warnings: string[];
  /** The warnings about exports (left out of the run, the same file loaded twice), also in warnings. */
  export_warnings: string[];
  /** Items written and deleted in DynamoDB by this run. */
  items: { written: number; deleted: number };
}

/**
 * One compute run: reconcile the exports bucket with the registry -> snapshot of the exports that
 * count -> every metric -> every table staged as Parquet (a value no table can hold stops the run
 * here, before anything is published) -> the lookup items -> the tables published -> the run
 * record. The run id is derived from the inputs, so rerunning the same as_of over the same
 * exports writes the same keys and bytes, and a run killed at any step converges when rerun.
 */
export async function runCompute(ports: ComputePorts, asOf: IsoDate): Promise<RunSummary> {
  const step = ports.onStep ?? (() => {});
  const prepared = await prepareRun(ports, asOf);
  const { tables, warnings } = await computeRunTables(ports, asOf, prepared);
  step('staging the result tables');
  const written = await stageResults(ports.lake, asOf, prepared.runId, tables);
  const holders = await lookupHolders(ports, asOf, prepared.runId);
  let items = { written: 0, deleted: 0 };
  let unwritten = noUnwrittenLookups();
  if (holders.isLatest) {
    step('writing the lookup items');
    const customers = tables.get(resultTable('customer_metrics')) ?? [];
    const cohorts = tables.get(resultTable('cohort_metrics')) ?? [];
    ({ unwritten, ...items } = await writeLookupItems(ports.items, asOf, customers, cohorts, holders));
  }
  step('publishing');
  const staged = {
    tables: written,
    warnings: [...warnings, ...holders.warnings, ...unwrittenLookupWarnings(unwritten)],
    exportWarnings: prepared.exportWarnings,
  };
  await publishRun(ports, asOf, prepared.runId, prepared.exportIds, staged, holders);
  await ports.lake.deletePrefix(lakeKeys.runStaging(prepared.runId));
  return {
    as_of: asOf,
    run_id: prepared.runId,
    export_ids: prepared.exportIds,
    tables: written,
    warnings: staged.warnings,
    export_warnings: prepared.exportWarnings,
    items,
  };
}

/** A run's inputs: the exports that count, loaded, and the run id they give. */
export interface PreparedRun {
  runId: string;
  exportIds: string[];
  snapshot: ColumnarSnapshot;
  /** Exports left out of the run, the same file loaded twice. */
  exportWarnings: string[];
  /** Scaled out: the transactions as the buckets passed them (the snapshot then holds none). */
  merged?: MergedBuckets;
  /**
   * Scaled out: the earlier runs the plan chose to backtest (the buckets counted actuals since
   * them); only these are scored, whatever was published or removed since the plan.
   */
  backtestFrom?: readonly IsoDate[];
}

/** Reconciles the exports bucket with the registry (when given), then loads the exports that count. */
export async function prepareRun(ports: ComputePorts, asOf: IsoDate): Promise<PreparedRun> {
  const { current, exportWarnings } = await countedExports(ports);
  // The compute function ships DuckDB (infra/stack.ts): the service costs by size.
  return loadRun(ports, asOf, new Set(current.keys()), exportWarnings, 'by-size');
}

/**
 * The exports that count tonight, after reconciling the bucket with the registry (when given),
 * and the warnings about them: exports left out, the same file loaded twice.
 */
export async function countedExports(
  ports: ComputePorts,
): Promise<{ current: Map<string, Item>; exportWarnings: string[] }> {
  const step = ports.onStep ?? (() => {});
  const exportWarnings: string[] = [];
  if (ports.exports) {
    step('reconciling the exports bucket');
    const reconciled = await reconcileExports(
      { ...ports, exports: ports.exports },
      (key, index, total) => step(`reconciling: ${key} (${index}/${total})`),
      ports.handOff ?? null,
    );
    // A file that counts tonight and did not before is worth a finance user's knowing.
    exportWarnings.push(...reconciled.reloaded);
    for (const failed of reconciled.failed)
      exportWarnings.push(`${failed.key} is left out of this run: ${failed.reason}`);
    for (const { key, bytes, gzip, why } of reconciled.handedOff)
      exportWarnings.push(
        `${key} ${why}; at ${(bytes / 1024 ** 2).toFixed(0)} MiB${gzip ? `, a gzip, which may hold up to ${DEFLATE_MAX_RATIO.toLocaleString('en')} times as much text` : ''}, above compute.reconcileLoadAboveBytes, it is handed to the ingest function and counts from the next run`,
      );
  }
  const current = await currentExports(ports.items);
  exportWarnings.push(...duplicateContentWarnings(current), ...sharedLineWarningsOf(current));
  return { current, exportWarnings };
}

/**
 * Loads the curated parts of the exports (the ids of those with parts make the run id), with the
 * service costs as SQL on DuckDB by the interactions' size (see serviceCostsBySql), always by the
 * TypeScript allocation, or as computed elsewhere (the scale-out run's Athena statements: the
 * interactions are then not read).
 */
export async function loadRun(
  ports: Pick<ComputePorts, 'onStep' | 'config'> & { lake: LakeReader & SizeListing },
  asOf: IsoDate,
  counted: ReadonlySet<string>,
  exportWarnings: string[],
  serviceCosts: 'by-size' | 'typescript' | ServiceCostSets,
  options: Pick<LoadOptions, 'readTransactions'> = {},
): Promise<PreparedRun> {
  (ports.onStep ?? (() => {}))('loading the exports');
  const bySql =
    serviceCosts === 'by-size' &&
    (await serviceCostsBySql(ports.lake, counted, ports.config.compute.serviceCostsBySqlFromBytes));
  const { snapshot, exportIds } = await loadSnapshot(ports.lake, {
    exportIds: counted,
    ...(bySql ? { asOf } : {}),
    ...(typeof serviceCosts === 'object' ? { serviceCosts } : {}),
    ...options,
  });
  return { runId: runIdOf(asOf, exportIds), exportIds, snapshot, exportWarnings };
}

/** What serviceCostsBySql reads of the lake: keys with their sizes. */
export interface SizeListing {
  listObjects(prefix: string): Promise<readonly { key: string; size: number }[]>;
}

/**
 * Whether the run's service costs are set queries on DuckDB (loadSnapshot's asOf) rather than the
 * TypeScript allocation over interaction records: from `fromBytes` of curated interactions Parquet
 * of the counted exports (0: always; see SERVICE_COSTS_BY_SQL_FROM_BYTES). Both give the same
 * tables and warnings (test/functions/service-costs-sql.test.ts).
 */
export async function serviceCostsBySql(
  lake: SizeListing,
  counted: ReadonlySet<string>,
  fromBytes: number,
): Promise<boolean> {
  if (fromBytes === 0) return true;
  let bytes = 0;
  for (const object of await lake.listObjects('curated/interactions/')) {
    const id = curatedPartExport(object.key);
    if (id !== undefined && counted.has(id)) bytes += object.size;
  }
  return bytes >= fromBytes;
}

/** Derived from the inputs, so rerunning a day over the same exports writes the same keys. */
export function runIdOf(asOf: IsoDate, exportIds: readonly string[]): string {
  return createHash('sha256')
    .update(`${asOf}\n${exportIds.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Every result table of the run, the exports and rejects tables included, with the run's
 * warnings. A drift past clv.blockOnDrift throws here, before anything is staged.
 */
export async function computeRunTables(
  ports: ComputePorts,
  asOf: IsoDate,
  prepared: PreparedRun,
): Promise<{ tables: ResultTables; warnings: string[] }> {
  const step = ports.onStep ?? (() => {});
  step('reading earlier CLV runs');
  const clv = clvSettings(ports.config);
  const planned = prepared.backtestFrom;
  const earlier = (await loadBacktestInputs(ports.lake, asOf, clv.backtestDays)).filter(
    ({ run }) => planned === undefined || planned.includes(run.asOf),
  );
  step('computing metrics');
  const earlierRuns = earlier.map(({ run, predictions }) => ({
    lookbackDays: run.lookbackDays,
    predictions,
  }));
  const computed = prepared.merged
    ? await computeResultsFromBuckets(prepared.snapshot, prepared.merged, asOf, ports.config, earlierRuns)
    : await computeResultsOnTwoThreads(prepared.snapshot, asOf, ports.config, earlierRuns);
  const tables = computed.tables;
  // Tonight's CLV parameters against the last run's, before anything is staged (blockOnDrift).
  const last = await readLastModelParameters(ports.lake, asOf);
  const tonight = [...(tables.get(resultTable('clv_models')) ?? [])] as unknown as ParameterValue[];
  const drift = driftOutcome(
    last
      ? checkParameterDrift(last.parameters, tonight, {
          previousAsOf: last.asOf,
          threshold: clv.driftThreshold,
        })
      : null,
    clv.blockOnDrift,
  );
  if (drift.error) throw drift.error;
  const warnings = [...prepared.exportWarnings, ...computed.warnings, ...drift.warnings];
  const registry = await listExports(ports.items);
  tables.set(resultTable('exports'), exportsTableRows(registry));
  tables.set(resultTable('rejects'), await rejectsTableRows(ports.lake, registry));
  return { tables, warnings };
}

/** Whether the run moves the lookups, and which customers and cohorts may hold a LATEST item now. */
export interface LookupHolders {
  /** Re-running an earlier day must not move the lookups back in time: history lives in Athena. */
  isLatest: boolean;
  /** Staging folders of runs that died after staging, removed when this run publishes. */
  stranded: string[];
  /**
   * For the run's warnings: the other days a stranded run was for and never recorded, whose
   * tables may be published in part (it died while publishing); rerunning the day mends it.
   */
  warnings: string[];
  /** The newest published run's customers and those of stranded runs (empty unless isLatest). */
  customers: Set<string>;
  /**
   * The same runs' cohorts, each as `<dimension>#<cohort>` (its item's key after `COHORT#`; empty
   * unless isLatest).
   */
  cohorts: Set<string>;
}

export async function lookupHolders(
  ports: Pick<ComputePorts, 'lake' | 'items'>,
  asOf: IsoDate,
  runId: string,
): Promise<LookupHolders> {
  const latest = await latestRun(ports.items);
  const latestDay = latest ? String(latest.as_of) : null;
  // Days published after the newest recorded run: a run that died while publishing (its tables
  // moved to results/, its run record never written). The newest day is the later of the two, so
  // a re-run of the recorded day does not move the lookups back before that run's.
  const unrecorded = await daysPublishedAfter(ports.lake, latestDay);
  // Those days are later than the recorded one, in ascending order.
  const newest = unrecorded.at(-1) ?? latestDay;
  const isLatest = newest === null || newest <= asOf;
  // A run of an earlier day leaves stranded runs alone: their staging is the only record of who
  // holds their items, which the next run of the newest day needs.
  if (!isLatest) return { isLatest, stranded: [], customers: new Set(), cohorts: new Set(), warnings: [] };
  const strandedRuns = await strandedComputeRuns(ports.lake, runId);
  const stranded = strandedRuns.map((run) => run.folder);
  const warnings: string[] = [];
  for (const run of strandedRuns)
    for (const day of run.days)
      if (day !== asOf && (await runOf(ports.items, day))?.run_id !== run.runId)
        warnings.push(
          `a run of ${day} (${run.runId}) died before it was recorded: that day's tables may be published in part; run ${day} again to publish it whole`,
        );
  // Who may hold a LATEST item: the newest published run's customers and cohorts, those of any
  // run staged but never published (a run that died between its items and its publication), and
  // those of the days published after the newest recorded run.
  const folders = (table: string) => [
    ...[...(latestDay ? [latestDay] : []), ...unrecorded].map((day) => lakeKeys.resultFolder(table, day)),
    ...stranded.map((run) => `${run}${table}/`),
  ];
  // The lake restored to before the newest recorded run (the table was not): who holds a LATEST item
  // from that run is no longer known here. Said, not guessed: those items keep that run's as_of.
  if (latestDay && (await ports.lake.list(lakeKeys.resultFolder('customer_metrics', latestDay))).length === 0)
    warnings.push(
      `the published tables of ${latestDay}, the newest recorded run, are gone from the lake (restored?): customers who were in that run and are not in this one keep its LATEST items, which carry as_of ${latestDay}`,
    );
  const customers = await keysOf(ports.lake, folders('customer_metrics'), ['customer_id']);
  const cohorts = await keysOf(ports.lake, folders('cohort_metrics'), ['cohort_dimension', 'cohort']);
  return { isLatest, stranded, customers, cohorts, warnings };
}

/**
 * The days with published customer_metrics or cohort_metrics after `day`, listed from just past
 * that day's folder, so a night with nothing after its newest run lists nothing. Without a recorded
 * run, only the newest published day: a first night that died while publishing leaves one, and a
 * new table beside a lake of published days holds no items to delete (reading every day's
 * customers would be the whole history).
 */
async function daysPublishedAfter(lake: ObjectStore, day: IsoDate | null): Promise<IsoDate[]> {
  const days = new Set<IsoDate>();
  for (const table of ['customer_metrics', 'cohort_metrics']) {
    const folder = `results/${table}/`;
    // Past every key of `day`'s folder: its files are named part-*, all below U+007F.
    const after = day === null ? undefined : `${lakeKeys.resultFolder(table, day)}\u007f`;
    for (const key of await lake.list(folder, after)) {
      const published = /\/as_of=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
      if (published !== undefined && (day === null || published > day)) days.add(published);
    }
  }
  const sorted = [...days].sort();
  return day === null ? sorted.slice(-1) : sorted;
}

/** What a run staged, as its run record keeps it. */
export interface StagedRun {
  tables: Record<string, number>;
  warnings: string[];
  exportWarnings: string[];
}

/**
 * Publishes the staged tables, removes stranded runs, then records the run (and LATEST). The
 * run's staging stays for the caller to clear once nothing can need it again (see publishFolder):
 * a publication that died midway is run again from it.
 */
export async function publishRun(
  ports: Pick<ComputePorts, 'lake' | 'items' | 'now'>,
  asOf: IsoDate,
  runId: string,
  exportIds: string[],
  staged: StagedRun,
  holders: Pick<LookupHolders, 'isLatest' | 'stranded'>,
): Promise<void> {
  await publishStaged(ports.lake, asOf, runId, Object.keys(staged.tables).map(resultTable));
  for (const run of holders.stranded) await ports.lake.deletePrefix(run);
  const publishedAt = (ports.now ?? (() => new Date()))();
  const record = runItem(asOf, runId, exportIds, staged.tables, staged.warnings, publishedAt);
  await ports.items.put(record);
  if (holders.isLatest) await ports.items.put({ ...record, ...runKey('LATEST') });
}

/** Loaded exports of the same kind and bytes under two keys both count: say so in the run. */
function duplicateContentWarnings(current: Map<string, Item>): string[] {
  const byContent = new Map<string, string[]>();
  for (const item of current.values()) {
    const content = `${item.kind}#${item.etag ?? ''}`;
    if (!item.etag) continue;
    byContent.set(content, [...(byContent.get(content) ?? []), String(item.s3_key)]);
  }
  return [...byContent.values()]
    .filter((keys) => keys.length > 1)
    .map(
      (keys) => `the same file is loaded ${keys.length} times (${keys.sort().join(', ')}): each copy counts`,
    );
}

/**
 * Counted transactions exports that share order lines (loaded since ingest samples them). Copies
 * of one file (the same ETag) are left to duplicateContentWarnings, which names them as such.
 */
function sharedLineWarningsOf(current: Map<string, Item>): string[] {
  const contents = new Set<string>();
  const sketched = [...current.values()].filter((item) => {
    if (item.kind !== 'transactions' || typeof item.key_sketch !== 'string') return false;
    if (!item.etag) return true;
    const seen = contents.has(String(item.etag));
    contents.add(String(item.etag));
    return !seen;
  });
  return sharedLineWarnings(
    sketched.map((item) => ({
      key: String(item.s3_key),
      lines: Number(item.rows_curated ?? 0),
      sketch: String(item.key_sketch),
    })),
  );
}

/**
 * Staging folders of other compute runs (those with customer_metrics or cohort_metrics: a run
 * stages them before it writes their items), left by a run that died.
 */
async function strandedComputeRuns(
  lake: ObjectStore,
  runId: string,
): Promise<{ folder: string; runId: string; days: Set<IsoDate> }[]> {
  const runs = new Map<string, { folder: string; runId: string; days: Set<IsoDate> }>();
  for (const key of await lake.list('staging/results/')) {
    const match = /^(staging\/results\/([^/]+)\/)(customer|cohort)_metrics\/as_of=(\d{4}-\d{2}-\d{2})\//.exec(
      key,
    );
    if (!match?.[1] || !match[2] || match[2] === runId) continue;
    const run = runs.get(match[1]) ?? { folder: match[1], runId: match[2], days: new Set<IsoDate>() };
    run.days.add(match[4] as IsoDate);
    runs.set(match[1], run);
  }
  return [...runs.values()];
}

/** The item keys (see itemKeysOf) of the rows of the files under the folders. */
async function keysOf(
  lake: ObjectStore,
  folders: readonly string[],
  columns: string[],
): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const folder of folders) {
    for (const key of await lake.list(folder))
      for (const found of (await itemKeysOf(await lake.getBytes(key), columns)) ?? []) keys.add(found);
  }
  return keys;
}

/**
 * The lookups: `CUSTOMER#<id>`/`LATEST` and `COHORT#<dimension>#<cohort>`/`LATEST`, one item per
 * customer and cohort whatever the number of nights; the holders (see LookupHolders) that the rows
 * do not have any more, customers and cohorts gone since the newest run (an export withdrawn or
 * replaced, the newest day re-run over fewer exports), lose their item. Written lazily through the
 * store's bounded concurrency, so a million customers never sit in memory as items. Takes the
 * holders of the rows out of the sets.
 */
export async function writeLookupItems(
  store: Pick<ItemStore, 'putAll' | 'deleteAll'>,
  asOf: IsoDate,
  customers: Iterable<Record<string, unknown>>,
  cohorts: Iterable<Record<string, unknown>>,
  holders: Pick<LookupHolders, 'customers' | 'cohorts'>,
): Promise<{ written: number; deleted: number; unwritten: UnwrittenLookups }> {
  const customerTable = resultTable('customer_metrics');
  const cohortTable = resultTable('cohort_metrics');
  const unwritten = noUnwrittenLookups();
  // The holders still written are struck off as their rows pass: customer_metrics' rows are made
  // as they are read (CustomerMetricsRows), and a second reading would make every row again.
  function* items(): Generator<Item> {
    for (const row of customers) {
      holders.customers.delete(String(row.customer_id));
      const key = `CUSTOMER#${row.customer_id}`;
      if (keyFits(key)) yield { ...resultItem(key, 'LATEST', row, customerTable), as_of: asOf };
      else {
        unwritten.customers += 1;
        unwritten.firstCustomer ??= String(row.customer_id);
      }
    }
    for (const row of cohorts) {
      holders.cohorts.delete(`${row.cohort_dimension}#${row.cohort}`);
      const key = `COHORT#${row.cohort_dimension}#${row.cohort}`;
      if (keyFits(key)) yield { ...resultItem(key, 'LATEST', row, cohortTable), as_of: asOf };
      else {
        unwritten.cohorts += 1;
        unwritten.firstCohort ??= `${row.cohort_dimension}#${row.cohort}`;
      }
    }
  }
  const put = await store.putAll(items());
  const removed = await store.deleteAll([
    ...[...holders.customers].sort().map((id) => ({ PK: `CUSTOMER#${id}`, SK: 'LATEST' })),
    ...[...holders.cohorts].sort().map((key) => ({ PK: `COHORT#${key}`, SK: 'LATEST' })),
  ]);
  return { written: put.items, deleted: removed.items, unwritten };
}
