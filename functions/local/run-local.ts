import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { awsClients } from '../adapters/aws-clients.ts';
import { ItemStore } from '../adapters/item-store.ts';
import { ObjectStore } from '../adapters/object-store.ts';
import type { RunSummary } from '../compute/run-compute.ts';
import { ingest } from '../ingest/handler.ts';
import type { IngestOutcome } from '../ingest/ingest-export.ts';
import { nightly } from '../scale-out/handler.ts';
import { targets } from '../targets/handler.ts';
import type { TargetsSummary } from '../targets/run-targets.ts';
import { checkExportsDir, checkExportsLoaded, loadConfigFile, UsageError } from './local-input.ts';
import { LOCAL_NAMES, type LocalStack, startLocalStack } from './local-stack.ts';
import { dumpItems, mirrorLake } from './mirror-outputs.ts';
import type { ProgressListener } from './progress-events.ts';
import { replaceFile } from './replace-file.ts';
import { type SyncResult, syncExports } from './sync-exports.ts';

export interface LocalRunOptions {
  exportsDir: string;
  outDir: string;
  asOf?: string;
  configFile?: string;
  onProgress?: (step: string) => void;
  /** Structured progress (rows, bytes, totals) for the CLI's progress line. */
  onProgressEvent?: ProgressListener;
}

export interface LocalRunResult {
  sync: SyncResult;
  outcomes: IngestOutcome[];
  run: RunSummary;
  outDir: string;
}

// In a module of their own, so the CLI can refuse bad input without loading this one's handlers.
export { loadConfigFile, UsageError } from './local-input.ts';

/** Runs `fn` with the local servers up and the handlers' environment pointing at them. */
export async function withLocalStack<T>(
  outDir: string,
  configJson: string,
  fn: (stack: LocalStack) => Promise<T>,
) {
  const stack = await startLocalStack(join(outDir, 'state'));
  const previous = { CVAL_CONFIG: process.env.CVAL_CONFIG, EXPORT_CLAIM_MS: process.env.EXPORT_CLAIM_MS };
  process.env.CVAL_CONFIG = configJson;
  // cval holds an exclusive lock on its folder: an ingest idempotency record found in progress
  // here was left by a process that died (a kill, an out-of-memory death), so this process says it
  // has no time left and its own records lapse at once; a dead one's export is taken over.
  process.env.EXPORT_CLAIM_MS = '0';
  try {
    return await fn(stack);
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await stack.stop();
  }
}

export function localStores() {
  const { s3, dynamodb } = awsClients();
  return {
    lake: new ObjectStore(s3, LOCAL_NAMES.lakeBucket),
    items: new ItemStore(dynamodb, LOCAL_NAMES.tableName),
  };
}

/**
 * `cval run`: upload the folder's exports to the local exports bucket, feed the notifications the
 * bucket produced to the real ingest handler, run the real compute handler, then mirror the lake and
 * the DynamoDB items under the output folder.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const exportsDir = resolve(options.exportsDir);
  const outDir = resolve(options.outDir);
  await checkExportsDir(options.exportsDir);
  const configJson = await loadConfigFile(options.configFile);
  const progress = options.onProgress ?? (() => {});
  const event = options.onProgressEvent ?? (() => {});
  return withLocalStack(outDir, configJson, async (stack) => {
    // `cval targets` later runs with the configuration the exports were loaded with.
    await replaceFile(join(outDir, 'state', 'config.json'), configJson);
    progress('uploading exports');
    event({ step: 'upload', done: {} });
    const sync = await syncExports(awsClients().s3, LOCAL_NAMES.exportsBucket, exportsDir);
    const sizes = new Map(
      await Promise.all(
        sync.uploaded.map(async (key) => [key, (await stat(join(exportsDir, key))).size] as const),
      ),
    );
    const uploadedBytes = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    event({ step: 'upload', done: { items: sync.uploaded.length, bytes: uploadedBytes }, finished: true });
    const outcomes: IngestOutcome[] = [];
    const events = stack.takeExportEvents();
    const total = {
      items: events.length,
      bytes: events.reduce((sum, record) => sum + (sizes.get(record.s3.object.key) ?? 0), 0),
    };
    const done = { items: 0, rows: 0, bytes: 0 };
    for (const [index, record] of events.entries()) {
      const key = record.s3.object.key;
      progress(`ingesting ${key} (${index + 1}/${events.length})`);
      event({ step: 'ingest', item: key, done: { ...done }, total });
      const result = await ingest({ Records: [record] } as never);
      outcomes.push(...result.outcomes);
      done.items += 1;
      done.bytes += sizes.get(key) ?? 0;
      for (const outcome of result.outcomes)
        if (outcome.action === 'ingested') done.rows += outcome.report.control_totals?.rows_in ?? 0;
      event({ step: 'ingest', item: key, done: { ...done }, total });
    }
    event({ step: 'ingest', done: { ...done }, total, finished: true });
    progress('computing metrics');
    event({ step: 'compute', done: {} });
    // The nightly run as the state machine runs it: embedded, or scaled out past compute.scaleOutAboveBytes.
    const run = await nightly(options.asOf ? { as_of: options.asOf } : {}, { onStep: progress });
    const tableRows = Object.values(run.tables).reduce((sum, rows) => sum + rows, 0);
    event({
      step: 'compute',
      done: { items: Object.keys(run.tables).length, rows: tableRows },
      finished: true,
    });
    progress('writing local outputs');
    event({ step: 'publish', done: {} });
    const { lake, items } = localStores();
    const files = await mirrorLake(lake, outDir);
    await dumpItems(items, lake, outDir);
    event({ step: 'publish', done: { items: files }, finished: true });
    return { sync, outcomes, run, outDir };
  });
}

export interface LocalTargetsOptions {
  outDir: string;
  week?: string;
  configFile?: string;
}

/**
 * `cval targets`: the weekly job as the schedule would run it, over the exports already loaded into
 * the output folder by `cval run`.
 */
export async function targetsLocal(options: LocalTargetsOptions): Promise<TargetsSummary> {
  const outDir = resolve(options.outDir);
  await checkExportsLoaded(options.outDir);
  if (options.week && !/^\d{4}-W\d{2}$/.test(options.week))
    throw new UsageError(`--week must be YYYY-Www, got "${options.week}"`);
  const configJson = options.configFile
    ? await loadConfigFile(options.configFile)
    : await readFile(join(outDir, 'state', 'config.json'), 'utf8').catch(() => '{}');
  return withLocalStack(outDir, configJson, async () => {
    const summary = await targets(options.week ? { week: options.week } : {});
    const { lake, items } = localStores();
    await mirrorLake(lake, outDir);
    await dumpItems(items, lake, outDir);
    return summary;
  });
}
