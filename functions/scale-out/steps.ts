import { backtestRuns } from '../../core/clv/backtest.ts';
import { type Config, clvSettings } from '../../core/config.ts';
import { ZERO } from '../../core/money.ts';
import { type CustomerLedger, CustomerMetricsRows } from '../../core/profitability/index.ts';
import type { IsoDate } from '../../core/records.ts';
import { resultTable } from '../../core/tables.ts';
import type { Item } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { decodeParquet, encodeParquet } from '../adapters/parquet.ts';
import { publishedRunDates } from '../compute/clv-backtest-input.ts';
import { stageResults } from '../compute/publish-results.ts';
import {
  type ComputePorts,
  computeRunTables,
  countedExports,
  loadRun,
  lookupHolders,
  publishRun,
  type RunSummary,
  runIdOf,
  writeLookupItems,
} from '../compute/run-compute.ts';
import { runOf } from '../compute/run-registry.ts';
import {
  columnsOfRows,
  SERVICE_COST_RESULTS,
  type ServiceCostResult,
  serviceCostSets,
} from '../compute/service-costs-sql.ts';
import { curatedPartExport, lakeKeys } from '../ingest/lake-keys.ts';
import { addUnwritten, noUnwrittenLookups, unwrittenLookupWarnings } from '../shared/lookup-keys.ts';
import { mergeBucketPasses, passBucket } from './bucket-pass.ts';
import type { ScalePlan } from './contract.ts';
import { bucketOf } from './customer-buckets.ts';
import { athenaPartitionStatements, checkStatementSizes } from './partition-query.ts';
import { decodePass, encodePass } from './pass-codec.ts';
import {
  type BucketCustomersWritten,
  type BucketTotals,
  type CombinedRun,
  type LineTotals,
  type RunPlan,
  readRunJson,
  readRunPlan,
  readRunText,
  runFolder,
  runKeys,
} from './run-folder.ts';

/** Where Athena's partition statement reads the curated tables (the Glue database). */
export interface AthenaCatalog {
  database: string;
  /** Athena runs the statements (on AWS): their sizes are held to its limits before the run starts. */
  athena?: boolean;
}

const json = (value: unknown) => JSON.stringify(value);
const JSON_TYPE = 'application/json';

/**
 * Plan: reconcile the exports, pick the exports that count and the path. The curated transaction
 * Parquet of those exports decides: above compute.scaleOutAboveBytes (0: always) the run scales
 * out, and the run's staging folder is cleared for the partition step. `beforeClearing` runs
 * first (the handler takes the run lock there: two executions of one day share the folder, and
 * the second must not clear it under the first).
 */
export async function planRun(
  ports: ComputePorts,
  asOf: IsoDate,
  catalog: AthenaCatalog,
  beforeClearing: (runId: string) => Promise<void> = async () => {},
): Promise<ScalePlan> {
  const { current, exportWarnings } = await countedExports(ports);
  const { exportIds: ids, transactionBytes } = await curatedSize(ports.lake, current);
  const runId = runIdOf(asOf, ids);
  const { buckets } = ports.config.compute;
  const scaleOut = scalesOut(ports.config, transactionBytes);
  if (!scaleOut)
    return {
      as_of: asOf,
      run_id: runId,
      scale_out: false,
      buckets: [],
      partition_queries_key: null,
      partition_query_count: 0,
    };
  // Everything that can refuse the run first: the lock is taken only for a plan that stands.
  const backtest = backtestRuns(
    await publishedRunDates(ports.lake, 'customer_metrics'),
    asOf,
    clvSettings(ports.config).backtestDays,
  );
  const plan: RunPlan = {
    as_of: asOf,
    run_id: runId,
    export_ids: ids,
    buckets,
    export_warnings: exportWarnings,
    backtest_from: backtest.map((run) => run.asOf),
    transaction_totals: registeredTotals(current, ids),
    customer_rows: registeredRows(current, ids, 'customers'),
  };
  const exportIds = idsByKind(current, ids);
  const statements = athenaPartitionStatements({
    database: catalog.database,
    exportIds,
    buckets,
    asOf,
    targets: {
      transactions: `s3://${ports.lake.bucket}/${runKeys.transactions(runId)}`,
      customers: `s3://${ports.lake.bucket}/${runKeys.customers(runId)}`,
      serviceCosts: (result) => `s3://${ports.lake.bucket}/${runKeys.serviceCosts(runId, result)}`,
    },
  });
  // Before the lock and the clearing: a plan Athena would refuse does not stand.
  if (catalog.athena) checkStatementSizes(statements, exportIds);
  await beforeClearing(runId);
  await ports.lake.deletePrefix(runFolder(runId));
  // The customer_metrics parts the buckets write; combine never clears them, so a combine rerun
  // after some buckets wrote cannot leave publish counting parts that are gone.
  await ports.lake.deletePrefix(lakeKeys.resultStaging(resultTable('customer_metrics').name, asOf, runId));
  await ports.lake.put(runKeys.partitionQueries(runId), json(statements), JSON_TYPE);
  await ports.lake.put(runKeys.plan(runId), json(plan), JSON_TYPE);
  return {
    as_of: asOf,
    run_id: runId,
    scale_out: true,
    buckets: Array.from({ length: buckets }, (_, bucket) => ({ bucket })),
    partition_queries_key: runKeys.partitionQueries(runId),
    partition_query_count: statements.length,
  };
}

/** Whether a run over `transactionBytes` of curated transaction Parquet takes the scale-out path. */
export function scalesOut(config: Config, transactionBytes: number): boolean {
  const { scaleOutAboveBytes } = config.compute;
  return scaleOutAboveBytes === 0 || transactionBytes > scaleOutAboveBytes;
}

/**
 * The exports with curated parts among `current` (sorted, as loadSnapshot gives them, so both
 * paths give a run the same id) and the bytes of their curated transaction Parquet.
 */
export async function curatedSize(
  lake: Pick<ObjectStore, 'listObjects'>,
  current: ReadonlyMap<string, unknown>,
): Promise<{ exportIds: string[]; transactionBytes: number }> {
  const exportIds = new Set<string>();
  let transactionBytes = 0;
  for (const object of await lake.listObjects('curated/')) {
    const id = curatedPartExport(object.key);
    if (id === undefined || !current.has(id)) continue;
    exportIds.add(id);
    if (object.key.startsWith('curated/transactions/')) transactionBytes += object.size;
  }
  return { exportIds: [...exportIds].sort(), transactionBytes };
}

/**
 * Summarise, per bucket: the bucket's pass over its lines (see passBucket), written for the combine
 * step, and the control totals of the lines as the partition wrote them. The combine step holds
 * their sum to the exports' own, so a line lost or doubled between the engines stops the run
 * before anything is published.
 */
export async function summariseBucket(
  ports: Pick<ComputePorts, 'lake' | 'config'>,
  runId: string,
  bucket: number,
): Promise<BucketTotals> {
  const plan = await readRunPlan(ports.lake, runId);
  const totals = await passBucket(ports, plan, bucket);
  await ports.lake.put(runKeys.totals(runId, bucket), json(totals), JSON_TYPE);
  return totals;
}

/** The run's export ids by kind (the registry's), as the Athena statements scope each table. */
function idsByKind(
  current: ReadonlyMap<string, Item>,
  exportIds: readonly string[],
): Record<string, string[]> {
  const byKind: Record<string, string[]> = {};
  for (const id of exportIds) {
    const kind = String(current.get(id)?.kind);
    byKind[kind] ??= [];
    byKind[kind].push(id);
  }
  return byKind;
}

/** The curated rows of the run's exports of a kind, as ingest recorded them. */
function registeredRows(
  current: ReadonlyMap<string, Item>,
  exportIds: readonly string[],
  kind: string,
): number {
  let rows = 0;
  for (const id of exportIds) {
    const item = current.get(id);
    if (item?.kind !== kind) continue;
    if (typeof item.rows_curated !== 'number')
      throw new Error(`scale-out: export ${id} has no control totals in the registry: load it again`);
    rows += item.rows_curated;
  }
  return rows;
}

/** The curated transactions' control totals of the run's exports, as ingest recorded them. */
function registeredTotals(current: ReadonlyMap<string, Item>, exportIds: readonly string[]): LineTotals {
  const lines = registeredRows(current, exportIds, 'transactions');
  const sums = { revenue: ZERO, cost: ZERO, returned_amount: ZERO };
  for (const id of exportIds) {
    const item = current.get(id);
    if (item?.kind !== 'transactions') continue;
    if (typeof item.control_totals !== 'string')
      throw new Error(`scale-out: export ${id} has no control totals in the registry: load it again`);
    const amounts = JSON.parse(item.control_totals) as Record<string, { curated?: string }>;
    for (const column of ['revenue', 'cost', 'returned_amount'] as const)
      sums[column] = sums[column].plus(amounts[column]?.curated ?? '0');
  }
  return {
    lines,
    revenue: sums.revenue.toFixed(2),
    cost: sums.cost.toFixed(2),
    returned_amount: sums.returned_amount.toFixed(2),
  };
}

/**
 * Combine: the rules across customers (cost allocations, cohorts, ranks, the CLV fit), every
 * table but customer_metrics staged, a customer ledger per bucket, the cohort items written (and those of
 * cohorts gone since the newest run deleted) and, per bucket, the customers whose LATEST item goes.
 */
export async function combineRun(ports: ComputePorts, asOf: IsoDate, runId: string): Promise<CombinedRun> {
  const plan = await readRunPlan(ports.lake, runId);
  await checkPartitionTotals(ports, plan);
  // The transactions are not read: the buckets passed them. Nor are the interactions: Athena ran
  // the service costs' set queries (the scale-out function ships no DuckDB; infra/stack.ts).
  const serviceCosts = await serviceCostSets(asOf, async (result) =>
    columnsOfRows(result, await readServiceCosts(ports.lake, runId, result)),
  );
  const prepared = await loadRun(ports, asOf, new Set(plan.export_ids), plan.export_warnings, serviceCosts, {
    readTransactions: false,
  });
  if (prepared.runId !== runId)
    throw new Error(`scale-out: the curated parts of run ${runId}'s exports changed since it was planned`);
  (ports.onStep ?? (() => {}))("merging the buckets' passes");
  prepared.merged = await mergeBucketPasses(ports.lake, plan);
  prepared.backtestFrom = plan.backtest_from ?? [];
  const { tables, warnings } = await computeRunTables(ports, asOf, prepared);

  const customerTable = resultTable('customer_metrics');
  const customers = tables.get(customerTable);
  if (!(customers instanceof CustomerMetricsRows))
    throw new Error('scale-out: customer_metrics is not per customer');
  tables.delete(customerTable);
  const written = await stageResults(ports.lake, asOf, runId, tables);
  // Each bucket's function makes its customer_metrics part from its ledger (writeBucketCustomers).
  let bucket = 0;
  for (const ledger of customers.ledgers((id) => bucketOf(id, plan.buckets), plan.buckets))
    await ports.lake.put(runKeys.ledger(runId, bucket++), encodePass(ledger), JSON_TYPE);
  written[customerTable.name] = customers.length;

  const holders = await lookupHolders(ports, asOf, runId);
  let cohortItems = { written: 0, deleted: 0, unwritten: noUnwrittenLookups() };
  if (holders.isLatest) {
    for (const id of customers.customerIds()) holders.customers.delete(id);
    const gone: string[][] = Array.from({ length: plan.buckets }, () => []);
    for (const id of holders.customers) (gone[bucketOf(id, plan.buckets)] as string[]).push(id);
    for (const [bucket, ids] of gone.entries())
      await ports.lake.put(runKeys.gone(runId, bucket), json(ids.sort()), JSON_TYPE);
    const cohorts = tables.get(resultTable('cohort_metrics')) ?? [];
    cohortItems = await writeLookupItems(ports.items, asOf, [], cohorts, {
      customers: new Set(),
      cohorts: holders.cohorts,
    });
  }
  const combined: CombinedRun = {
    tables: written,
    warnings: [...warnings, ...holders.warnings],
    export_warnings: plan.export_warnings,
    is_latest: holders.isLatest,
    stranded: holders.stranded,
    cohort_items: cohortItems.written,
    cohort_items_deleted: cohortItems.deleted,
    cohort_items_unwritten: cohortItems.unwritten,
  };
  await ports.lake.put(runKeys.combined(runId), json(combined), JSON_TYPE);
  return combined;
}

/** A service-cost set query's rows as the partition step wrote them (every part; values as text). */
async function readServiceCosts(
  lake: Pick<ObjectStore, 'list' | 'getBytes'>,
  runId: string,
  result: ServiceCostResult,
): Promise<Record<string, unknown>[]> {
  const columns = SERVICE_COST_RESULTS[result].map((name) => ({
    name,
    type: 'string' as const,
    description: name,
  }));
  const rows: Record<string, unknown>[] = [];
  // Athena names its files without an extension: every object of the folder is a part.
  for (const key of await lake.list(runKeys.serviceCosts(runId, result)))
    for (const row of await decodeParquet(await lake.getBytes(key), columns)) rows.push(row);
  return rows;
}

/** The partition's lines, sums and customers rows, bucket by bucket, against the exports' control totals. */
async function checkPartitionTotals(ports: Pick<ComputePorts, 'lake'>, plan: RunPlan): Promise<void> {
  const expected = plan.transaction_totals;
  if (!expected || plan.customer_rows === undefined)
    throw new Error(`scale-out: run ${plan.run_id} was planned by an earlier version; plan it again`);
  let lines = 0;
  let customerRows = 0;
  let revenue = ZERO;
  let cost = ZERO;
  let returned = ZERO;
  for (let bucket = 0; bucket < plan.buckets; bucket++) {
    const totals = await readRunJson<BucketTotals>(ports.lake, runKeys.totals(plan.run_id, bucket));
    lines += totals.lines;
    customerRows += totals.customer_rows;
    revenue = revenue.plus(totals.revenue);
    cost = cost.plus(totals.cost);
    returned = returned.plus(totals.returned_amount);
  }
  const actual: LineTotals = {
    lines,
    revenue: revenue.toFixed(2),
    cost: cost.toFixed(2),
    returned_amount: returned.toFixed(2),
  };
  if (json(actual) !== json(expected))
    throw new Error(
      `scale-out: the partition of run ${plan.run_id} does not hold the exports' transactions: ${json(actual)} against ${json(expected)}`,
    );
  if (customerRows !== plan.customer_rows)
    throw new Error(
      `scale-out: the partition of run ${plan.run_id} holds ${customerRows} rows of the customers exports against ${plan.customer_rows}`,
    );
}

/**
 * Write customers, per bucket: the bucket's customer_metrics part, made from the ledger combine
 * wrote for it, and, when the run is the newest, its customers' LATEST items; those gone lose theirs.
 */
export async function writeBucketCustomers(
  ports: ComputePorts,
  asOf: IsoDate,
  runId: string,
  bucket: number,
): Promise<BucketCustomersWritten> {
  const combined = await readRunJson<CombinedRun>(ports.lake, runKeys.combined(runId));
  const ledgerText = await readRunText(ports.lake, runKeys.ledger(runId, bucket), 'combine');
  // Made once and held: the Parquet part and the items read the same rows, and a bucket is small.
  const rows = CustomerMetricsRows.fromLedger(decodePass<CustomerLedger>(ledgerText)).toArray();
  const table = resultTable('customer_metrics');
  await ports.lake.put(
    lakeKeys.part(lakeKeys.resultStaging(table.name, asOf, runId), bucket),
    encodeParquet(table.columns, rows as unknown as Record<string, unknown>[]),
    'application/vnd.apache.parquet',
  );
  let counts = { written: 0, deleted: 0 };
  if (combined.is_latest) {
    const gone = await readRunJson<string[]>(ports.lake, runKeys.gone(runId, bucket));
    counts = await writeLookupItems(ports.items, asOf, rows as unknown as Record<string, unknown>[], [], {
      customers: new Set(gone),
      cohorts: new Set(),
    });
  }
  const result: BucketCustomersWritten = { rows: rows.length, ...counts };
  await ports.lake.put(runKeys.customersWritten(runId, bucket), json(result), JSON_TYPE);
  return result;
}

/** Publish: the staged tables made visible, the run recorded, the run's scale-out folder removed. */
export async function publishScaledRun(
  ports: ComputePorts,
  asOf: IsoDate,
  runId: string,
): Promise<RunSummary> {
  const combinedText = await ports.lake.getText(runKeys.combined(runId));
  if (combinedText === null) {
    // Published already (a retried publish whose first try got past the run's folder): the
    // record says so, and the staged tables left go.
    const record = await runOf(ports.items, asOf);
    if (record?.run_id !== runId) throw new Error(`scale-out: run ${runId} has nothing staged to publish`);
    await ports.lake.deletePrefix(lakeKeys.runStaging(runId));
    return {
      as_of: asOf,
      run_id: runId,
      export_ids: record.export_ids as string[],
      tables: record.tables as Record<string, number>,
      warnings: record.warnings as string[],
      export_warnings: [],
      items: { written: 0, deleted: 0 },
    };
  }
  const combined = JSON.parse(combinedText) as CombinedRun;
  const plan = await readRunPlan(ports.lake, runId);
  const items = { written: combined.cohort_items, deleted: combined.cohort_items_deleted ?? 0 };
  let unwritten = addUnwritten(noUnwrittenLookups(), combined.cohort_items_unwritten);
  // Every bucket's part must be there, with every customer combine counted, before it is published.
  let rows = 0;
  for (let bucket = 0; bucket < plan.buckets; bucket++) {
    const counts = await readRunJson<BucketCustomersWritten>(
      ports.lake,
      runKeys.customersWritten(runId, bucket),
    );
    rows += counts.rows;
    items.written += counts.written;
    items.deleted += counts.deleted;
    unwritten = addUnwritten(unwritten, counts.unwritten);
  }
  const customerTable = resultTable('customer_metrics').name;
  const expected = combined.tables[customerTable];
  if (rows !== expected)
    throw new Error(
      `scale-out: run ${runId}'s buckets wrote ${rows} customer_metrics rows, combine counted ${expected}`,
    );
  const staging = lakeKeys.resultStaging(customerTable, asOf, runId);
  const parts = (await ports.lake.list(staging)).sort();
  const wanted = Array.from({ length: plan.buckets }, (_, bucket) => lakeKeys.part(staging, bucket)).sort();
  if (JSON.stringify(parts) !== JSON.stringify(wanted))
    throw new Error(
      `scale-out: run ${runId} has ${parts.length} customer_metrics parts staged, not its ${plan.buckets} buckets'`,
    );
  const warnings = [...combined.warnings, ...unwrittenLookupWarnings(unwritten)];
  const staged = { tables: combined.tables, warnings, exportWarnings: combined.export_warnings };
  await publishRun(ports, asOf, runId, plan.export_ids, staged, {
    isLatest: combined.is_latest,
    stranded: combined.stranded,
  });
  // The run's folder first, its staged tables last: a retry that finds the folder publishes again
  // from the staged tables (the same bytes), one that does not finds the run recorded.
  await ports.lake.deletePrefix(runFolder(runId));
  await ports.lake.deletePrefix(lakeKeys.runStaging(runId));
  return {
    as_of: asOf,
    run_id: runId,
    export_ids: plan.export_ids,
    tables: combined.tables,
    warnings,
    export_warnings: combined.export_warnings,
    items,
  };
}
