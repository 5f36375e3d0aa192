import { createHash } from 'node:crypto';
import type { Config } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import type { IsoDate, TargetRecord } from '../../core/records.ts';
import { resultTable } from '../../core/tables.ts';
import {
  actualsFromTransactions,
  type PlannedSeries,
  type PlanTargetsResult,
  periodFigures,
  planTargets,
  repTeamsFromTransactions,
  rescale,
  type TargetSource,
  unrecoverableGap,
  withTargetsDefaults,
} from '../../core/targets/index.ts';
import type { Item, ItemKey, ItemStore, WriteStats } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { decodeCaches, decodeParquet, ParquetBatch } from '../adapters/parquet.ts';
import { loadSnapshot } from '../compute/load-snapshot.ts';
import { currentExports, type RegistryTable } from '../ingest/export-registry.ts';
import { curatedPartExport, lakeKeys } from '../ingest/lake-keys.ts';
import { keyFits, MAX_PARTITION_KEY_BYTES, tooLongKeySample } from '../shared/lookup-keys.ts';
import { recordedMessages } from '../shared/recorded-messages.ts';
import { DEFAULT_WEEK_WINDOW, itemDigest, seriesItems, targetPk, type WeekWindow } from './target-items.ts';
import {
  itemDiff,
  lostManifestWarning,
  lostRuns,
  type Manifest,
  type ManifestLake,
  manifestKey,
  markCompleted,
  markWriting,
  type RunState,
  type RunsTable,
  readPreviousRuns,
  readRunState,
  strayItems,
  writeManifest,
} from './target-runs.ts';

/**
 * What publishing a plan writes to the lake: Parquet parts to a staging folder (cleared first),
 * published as the run's folder, and the item manifests (read back for the previous runs'; when
 * one is lost, the targets Parquet is listed and read instead, see lostRuns).
 */
export type PlanLake = Pick<ObjectStore, 'put' | 'deletePrefix' | 'publishFolder' | 'list'> & ManifestLake;
/** What publishing a plan writes to the table: the changed items, deletes, and the run records. */
export type PlanTable = Pick<ItemStore, 'putAll' | 'deleteAll'> & RunsTable;
/**
 * What the re-plan reads of the lake besides: the curated targets parts (for their scenario
 * column) and the snapshot. loadSnapshot (compute) still takes the whole ObjectStore, so this is
 * an ObjectStore until that declares its own port; it narrows with loadSnapshot's parameter.
 */
export type TargetsLake = PlanLake &
  Pick<ObjectStore, 'list' | 'getBytes'> &
  Parameters<typeof loadSnapshot>[0];
/** What the re-plan needs of the table: the export registry (what counts, file names) and publishing. */
export type TargetsTable = PlanTable & RegistryTable;

export interface TargetsPorts {
  lake: TargetsLake;
  items: TargetsTable;
  config: Config;
}

export interface TargetsSummary {
  as_of: IsoDate;
  week: string;
  rows: number;
  /** Target export rows that could not be planned, each naming its file and line. */
  errors: string[];
  warnings: string[];
}

/** What the run did to the table (logged and kept on the run record, not in the summary, which a rerun repeats). */
export interface TargetsWrites {
  /** TARGET# items the plan holds. */
  planned: number;
  written: number;
  deleted: number;
  batches: number;
  retries: number;
  throttles: number;
}

export interface RunTargetsOptions {
  /** Weeks that get a WEEK# item (default: the previous, current and next week). */
  weekWindow?: WeekWindow;
  /** Rows per Parquet part of `results/targets` (default 250,000: a part is built in memory). */
  rowsPerPart?: number;
  /** Called with the time of each step, in ms (the benchmark's breakdown). */
  onStep?: (step: string, ms: number) => void;
}

const ROWS_PER_PART = 250_000;

/**
 * The weekly re-plan as of a Monday: every day before it is closed and keeps its actual; what is
 * left of each annual target is spread over the remaining days. Publishes `results/targets/as_of=`
 * (every scope x period) and writes the TARGET# items (see target-items.ts) that differ from what
 * the table holds, deleting those no longer planned; the TARGET_RUNS record, written last, marks
 * the run complete (see target-runs.ts).
 */
export async function runTargets(
  ports: TargetsPorts,
  asOf: IsoDate,
  week: string,
  options: RunTargetsOptions = {},
): Promise<TargetsSummary & { writes: TargetsWrites }> {
  const step = stepTimer(options.onStep);
  const startedAt = new Date().toISOString();
  const state = await readRunState(ports.items);

  // Actuals read transaction records, not the compute job's columns; only the exports that
  // count (loaded and pointed at by their key) are read, as in the compute job.
  const registry = await currentExports(ports.items);
  const current = new Set(registry.keys());
  const { snapshot, exportIds } = await loadSnapshot(ports.lake, {
    transactionRecords: true,
    exportIds: current,
  });
  const targets = await withScenarios(ports.lake, snapshot.targets, current);
  const settings = withTargetsDefaults(ports.config.targets as Parameters<typeof withTargetsDefaults>[0]);
  const firstOrderDates = new Map<string, IsoDate>();
  for (const t of snapshot.transactions) {
    const first = firstOrderDates.get(t.customer_id);
    if (!first || t.order_date < first) firstOrderDates.set(t.customer_id, t.order_date);
  }
  const actuals = actualsFromTransactions(snapshot.transactions, {
    revenueNetOfReturns: settings.revenueNetOfReturns,
    firstOrderDates,
  });
  step('load');
  const plan = planTargets({
    targets,
    actuals,
    config: settings,
    asOf,
    repTeams: repTeamsFromTransactions(snapshot.transactions),
    roster: snapshot.reps ?? [],
    holidays: snapshot.holidays ?? [],
    exports: targetSources(registry),
  });
  const errors = plan.errors.map((e) => e.message);
  const runId = createHash('sha256')
    .update(`targets\n${asOf}\n${exportIds.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  step('plan setup');
  const { warnings, ...writes } = await publishPlan(
    ports,
    plan,
    { asOf, week, runId, errors, state, startedAt },
    options,
  );
  return { as_of: asOf, week, rows: plan.rowCount, errors, warnings, writes };
}

const RECORDED_MESSAGE_BYTES = 100_000;

function recordedLists(errors: readonly string[], warnings: readonly string[]) {
  const e = recordedMessages(errors, RECORDED_MESSAGE_BYTES);
  const w = recordedMessages(warnings, RECORDED_MESSAGE_BYTES);
  return { errors: e.kept, errors_count: e.count, warnings: w.kept, warnings_count: w.count };
}

export interface PlanRun {
  asOf: IsoDate;
  week: string;
  runId: string;
  errors: string[];
  /** Read before the run loaded anything (default: read now). */
  state?: RunState;
  startedAt?: string;
}

/**
 * Publishes a plan: Parquet parts to staging, the items that differ from every state the table may
 * hold, deletes of items no longer planned, the Parquet folder, and last the run record.
 */
export async function publishPlan(
  ports: { lake: PlanLake; items: PlanTable },
  plan: PlanTargetsResult,
  run: PlanRun,
  options: RunTargetsOptions = {},
): Promise<TargetsWrites & { warnings: string[] }> {
  const { asOf, runId } = run;
  const step = stepTimer(options.onStep);
  const startedAt = run.startedAt ?? new Date().toISOString();
  const state = run.state ?? (await readRunState(ports.items));
  const previous = await readPreviousRuns(ports.lake, state);
  const diff = itemDiff(previous.states);
  const lost = previous.lost.length > 0 ? await lostRuns(ports.lake, previous.lost) : undefined;
  step('read previous');
  let gaps = 0;

  // One pass over the plan: Parquet parts to staging, and the items that changed.
  const staging = lakeKeys.resultStaging('targets', asOf, runId);
  await ports.lake.deletePrefix(staging);
  const parts = new PartWriter(ports.lake, staging, options.rowsPerPart ?? ROWS_PER_PART);
  const manifest: Manifest = new Map();
  const changed: Item[] = [];
  let planned = 0;
  const unwritten = { series: 0, first: null as { scope: string; key: string } | null };
  for (const series of plan.series()) {
    await parts.add(series);
    if ((series.unrecoverable[0] as bigint) !== 0n) gaps += 1;
    // Lookups serve the plan; other scenarios are in Athena, side by side with it.
    if (series.scenario !== 'plan') continue;
    const key = targetPk(series.scope, series.metric, series.fiscalYear);
    if (!keyFits(key)) {
      unwritten.series += 1;
      unwritten.first ??= { scope: series.scope, key };
      continue;
    }
    for (const item of seriesItems(series, options.weekWindow ?? DEFAULT_WEEK_WINDOW)) {
      const digest = itemDigest(item);
      let sks = manifest.get(item.PK);
      if (!sks) {
        sks = new Map();
        manifest.set(item.PK, sks);
      }
      sks.set(item.SK, digest);
      planned += 1;
      if (diff.changed(item.PK, item.SK, digest)) changed.push(item);
    }
  }
  await parts.finish();
  step('plan');
  const warnings = [...plan.warnings, ...unwrittenTargetWarnings(unwritten)];
  if (gaps > 0)
    warnings.push(
      `${gaps} scope-metric(s) cannot make up their shortfall under the re-plan rules: see unrecoverable_gap in targets`,
    );

  const ownManifest = manifestKey(asOf, startedAt);
  await writeManifest(ports.lake, ownManifest, manifest);
  const removed = diff.removed(manifest);
  if (lost) {
    // The manifests still read say where their runs wrote too: a crashed run's partitions beside
    // the lost completed run's are mostly the same ones, and a Query of an empty one finds nothing.
    const partitions = new Set([...manifest.keys(), ...lost.partitions]);
    for (const state of previous.states) for (const pk of state?.keys() ?? []) partitions.add(pk);
    addNew(removed, await strayItems(ports.items, partitions, manifest));
    warnings.push(lostManifestWarning(lost, manifest.size));
  }
  await markWriting(ports.items, asOf, startedAt, [...state.pending, ownManifest]);
  const put = await ports.items.putAll(changed);
  const deleted = await ports.items.deleteAll(removed);
  step('write items');

  await ports.lake.publishFolder(staging, lakeKeys.resultFolder('targets', asOf));
  const writes: TargetsWrites = {
    planned,
    written: changed.length,
    deleted: removed.length,
    ...sumStats(put, deleted),
  };
  await markCompleted(ports.items, {
    as_of: asOf,
    week: run.week,
    run_id: runId,
    rows: plan.rowCount,
    ...recordedLists(run.errors, warnings),
    items_planned: planned,
    items_written: writes.written,
    items_deleted: writes.deleted,
    manifest: ownManifest,
    started_at: startedAt,
  });
  // Cleared once the run is recorded: until then a run that died can publish again from it.
  await ports.lake.deletePrefix(staging);
  step('publish');
  return { ...writes, warnings };
}

/** The goal items left unwritten because their key passes DynamoDB's limit (see lookup-keys.ts). */
function unwrittenTargetWarnings(unwritten: {
  series: number;
  first: { scope: string; key: string } | null;
}): string[] {
  const { series, first } = unwritten;
  if (series === 0 || first === null) return [];
  return [
    `${series.toLocaleString('en')} target series have a key too long for DynamoDB (TARGET#<scope>#<metric>#FY<year> over ${MAX_PARTITION_KEY_BYTES.toLocaleString('en')} bytes; ${tooLongKeySample(first.scope, first.key)}): no goal items are written for them; their rows are in targets. An id this long is usually a misread file: check the reps and targets exports`,
  ];
}

/** Adds the keys `keys` does not hold yet: a BatchWriteItem naming a key twice is refused. */
function addNew(keys: ItemKey[], more: ItemKey[]): void {
  const held = new Set(keys.map(({ PK, SK }) => `${PK}\u0000${SK}`));
  for (const key of more) {
    const id = `${key.PK}\u0000${key.SK}`;
    if (held.has(id)) continue;
    held.add(id);
    keys.push(key);
  }
}

function sumStats(a: WriteStats, b: WriteStats): Pick<TargetsWrites, 'batches' | 'retries' | 'throttles'> {
  return {
    batches: a.batches + b.batches,
    retries: a.retries + b.retries,
    throttles: a.throttles + b.throttles,
  };
}

function stepTimer(onStep: ((step: string, ms: number) => void) | undefined) {
  let last = performance.now();
  return (name: string) => {
    const now = performance.now();
    onStep?.(name, now - last);
    last = now;
  };
}

/**
 * The file and receipt of each export that counts, for the plan's messages and its choice between
 * duplicates: a row's line alone is ambiguous once two target files are current.
 */
function targetSources(registry: ReadonlyMap<string, Item>): Map<string, TargetSource> {
  const sources = new Map<string, TargetSource>();
  for (const [id, item] of registry) {
    const receivedAt = typeof item.received_at === 'string' ? item.received_at : null;
    sources.set(id, { file: String(item.s3_key), receivedAt });
  }
  return sources;
}

/**
 * The target records with their scenario: the snapshot loader keeps the columns the compute job
 * needs, so the `scenario` column is read here from the same curated parts (by export and line).
 */
async function withScenarios(
  lake: Pick<ObjectStore, 'list' | 'getBytes'>,
  records: readonly TargetRecord[],
  exportIds: ReadonlySet<string>,
): Promise<TargetRecord[]> {
  if (records.length === 0) return [];
  const columns = curatedColumns('targets').filter((c) => c.name === 'scenario' || c.name === 'source_line');
  const scenarios = new Map<string, string>();
  const caches = decodeCaches();
  for (const key of await lake.list('curated/targets/')) {
    const id = curatedPartExport(key);
    if (!id || !exportIds.has(id)) continue;
    for (const row of await decodeParquet(await lake.getBytes(key), columns, caches)) {
      if (typeof row.scenario === 'string' && row.scenario.trim() !== '') {
        scenarios.set(`${id}|${row.source_line}`, row.scenario.trim());
      }
    }
  }
  return records.map((r) => ({ ...r, scenario: scenarios.get(`${r.export_id}|${r.source_line}`) ?? 'plan' }));
}

/**
 * Rows of `results/targets` written to staging a part at a time: the Parquet columns take the
 * plan's exact integers directly (DECIMAL(18,2) money, DECIMAL(18,6) rates), so no row holds a
 * Decimal and a part's rows are let go once it is written.
 */
class PartWriter {
  private readonly columns = resultTable('targets').columns;
  private batch = new ParquetBatch(this.columns);
  private index = 0;

  constructor(
    private readonly lake: Pick<ObjectStore, 'put'>,
    private readonly folder: string,
    private readonly rowsPerPart: number,
  ) {}

  async add(series: PlannedSeries): Promise<void> {
    const { calendar, basis } = series.year;
    const toColumn = (units: bigint) => rescale(units, series.scale, 2);
    for (const p of calendar.periods) {
      const f = periodFigures(p, basis, series);
      const gap = unrecoverableGap(p, series.unrecoverable);
      this.batch.push({
        fiscal_year: series.fiscalYear,
        scenario: series.scenario,
        scope: series.scope,
        metric: series.metric,
        level: p.level,
        period_id: p.id,
        iso_week: p.isoWeek,
        start_date: p.startDate,
        end_date: p.endDate,
        original_target: toColumn(f.original),
        target: toColumn(f.target),
        actual: f.actual === null ? null : toColumn(f.actual),
        attainment_pct: f.attainment,
        forecast: f.forecast,
        closed: f.closed,
        unrecoverable_gap: gap === null ? null : toColumn(gap),
        provisional_calendar: series.year.provisional[p.index] === 1,
      });
    }
    if (this.batch.length >= this.rowsPerPart) await this.flush();
  }

  async finish(): Promise<void> {
    if (this.batch.length > 0 || this.index === 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const bytes = this.batch.take();
    await this.lake.put(lakeKeys.part(this.folder, this.index), bytes, 'application/vnd.apache.parquet');
    this.index += 1;
  }
}
