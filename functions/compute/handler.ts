import { randomUUID } from 'node:crypto';
import { ClvDriftError } from '../../core/clv/drift.ts';
import { athenaDayRefusal, runDayRefusal } from '../../core/run-day.ts';
import { AthenaSql } from '../adapters/athena-sql.ts';
import { awsClients } from '../adapters/aws-clients.ts';
import { ItemStore } from '../adapters/item-store.ts';
import { ObjectStore } from '../adapters/object-store.ts';
import { readSettings } from '../adapters/settings.ts';
import { currentExports } from '../ingest/export-registry.ts';
import { curatedSize, scalesOut } from '../scale-out/steps.ts';
import { clvDriftWarnings, countClvDrift } from '../shared/clv-drift-metric.ts';
import { isIsoDate, todayIn } from '../shared/dates.ts';
import { lambdaHandler } from '../shared/handler-wiring.ts';
import { ingestHandOff } from '../shared/ingest-hand-off.ts';
import { logger, metrics } from '../shared/logger.ts';
import { runOutcome } from '../shared/run-outcome.ts';
import { deferRequests, deferralSeconds } from './defer-requests.ts';
import { publishReport } from './publish-report.ts';
import { type ComputePorts, type RunSummary, runCompute } from './run-compute.ts';
import { RunLockedError, releaseRunLock, takeRunLock } from './run-lock.ts';

/** What the compute function reads of Lambda's invocation context. */
type InvocationContext = { getRemainingTimeInMillis?: () => number; awsRequestId?: string };

export function computePorts(context?: InvocationContext): ComputePorts {
  const settings = readSettings();
  const { s3, dynamodb } = awsClients();
  return {
    lake: new ObjectStore(s3, settings.lakeBucket),
    exports: new ObjectStore(s3, settings.exportsBucket),
    items: new ItemStore(dynamodb, settings.tableName, { writeConcurrency: settings.writeConcurrency }),
    config: settings.config,
    claimMs: () => context?.getRemainingTimeInMillis?.() ?? settings.claimMs,
    handOff: ingestHandOff(settings.config),
  };
}

/**
 * The day a run computes: `as_of` when given (strictly YYYY-MM-DD, a day that has come and that
 * Athena shows, see runDayRefusal), else today in the business time zone.
 */
export function runDay(asOf: string | undefined): string {
  if (asOf !== undefined && !isIsoDate(asOf))
    throw new Error(`as_of must be a date YYYY-MM-DD, got "${asOf}"`);
  const timeZone = process.env.BUSINESS_TIME_ZONE ?? readSettings().config.time_zone;
  const today = todayIn(timeZone);
  if (asOf === undefined) return today;
  // Where Athena serves the tables, no day before its projection shows.
  const refusal =
    runDayRefusal('as_of', asOf, today, timeZone) ??
    (athenaServesTables() ? athenaDayRefusal('as_of', asOf) : null);
  if (refusal) throw new Error(refusal);
  return asOf;
}

/** Whether Athena serves the tables (GLUE_DATABASE set: on AWS), not local mode's DuckDB. */
export const athenaServesTables = (): boolean => process.env.GLUE_DATABASE !== undefined;

/** A batch from the compute queue (uploads asked for a run), not the schedule or a rerun. */
const fromUploads = (event: unknown) => Array.isArray((event as { Records?: unknown } | undefined)?.Records);

/**
 * Uploads of a day past compute.scaleOutAboveBytes are left to the nightly state machine: this
 * function would hold the whole run in its memory, which is what the scale-out path is for.
 */
async function leftToNightlyRun(ports: ComputePorts): Promise<boolean> {
  const { transactionBytes } = await curatedSize(ports.lake, await currentExports(ports.items));
  if (!scalesOut(ports.config, transactionBytes)) return false;
  logger.info('uploads past compute.scaleOutAboveBytes: the nightly state machine computes this day', {
    transaction_bytes: transactionBytes,
    scale_out_above_bytes: ports.config.compute.scaleOutAboveBytes,
  });
  return true;
}

/**
 * Compute runs for `{ "as_of": "YYYY-MM-DD" }` when given (re-running a day), else for today in
 * the business time zone: from the nightly schedule or from a batch of ingest requests on the
 * compute queue (one run per batch however many uploads it holds).
 */
export async function compute(
  event: { as_of?: string } | undefined,
  context?: InvocationContext,
): Promise<RunSummary>;
/**
 * A batch from the compute queue: null when the day is left to the nightly state machine, or when
 * another run holds the run lock (the batch's requests are then back on the queue, delayed).
 */
export async function compute(
  event: { Records: unknown[] },
  context?: InvocationContext,
): Promise<RunSummary | null>;
export async function compute(
  event: { as_of?: string; Records?: unknown[] } | undefined,
  context?: InvocationContext,
): Promise<RunSummary | null> {
  const day = runDay(event?.as_of);
  const started = Date.now();
  const ports = computePorts(context);
  // On Lambda, one run at a time across the compute and scale-out functions (see run-lock.ts);
  // local mode holds its --out folder's lock instead. Each invocation is its own holder: the
  // compute queue invokes up to two at once, and two of the same day must not both take it.
  const holder = `compute:${day}:${context?.awsRequestId ?? randomUUID()}`;
  if (fromUploads(event) && (await leftToNightlyRun(ports))) {
    metrics.addMetric('ComputeLeftToNightlyRun', 'Count', 1);
    return null;
  }
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining !== undefined) {
    try {
      await takeRunLock(ports.items, holder, started + remaining);
    } catch (error) {
      if (!(error instanceof RunLockedError) || !fromUploads(event)) throw error;
      await deferUploadRequests(event as { Records: unknown[] }, error);
      return null;
    }
  }
  let summary: RunSummary;
  try {
    summary = await runCompute(ports, day);
  } catch (error) {
    // clv.blockOnDrift: nothing published, the function fails (Errors alarm) and the drift is counted.
    if (error instanceof ClvDriftError) countClvDrift(error.check.warnings.length);
    throw error;
  } finally {
    if (remaining !== undefined) await releaseRunLock(ports.items, holder);
  }
  countClvDrift(clvDriftWarnings(summary.warnings));
  logger.info('compute run published', { ...runOutcome(summary) });
  await reportOnAthena(ports, summary);
  metrics.addMetric('RunDurationMs', 'Milliseconds', Date.now() - started);
  return summary;
}

/**
 * A batch that found another run holding the lock goes back on the queue for when the lock is
 * likely free (see defer-requests.ts): that run may have started before these uploads were loaded.
 */
async function deferUploadRequests(event: { Records: unknown[] }, locked: RunLockedError): Promise<void> {
  const bodies = event.Records.map((record) => String((record as { body?: unknown }).body ?? ''));
  const delaySeconds = deferralSeconds(locked.until);
  await deferRequests(awsClients().sqs, process.env.COMPUTE_QUEUE_URL, bodies, delaySeconds);
  metrics.addMetric('ComputeRequestsDeferred', 'Count', bodies.length);
  logger.info('another run holds the run lock: the compute requests are deferred', {
    holder: locked.holder,
    locked_until: locked.until.toISOString(),
    requests: bodies.length,
    delay_seconds: delaySeconds,
  });
}

/**
 * The HTML report needs the run's tables in Athena, so it is built after publishing. A failure is
 * logged and counted (ReportFailures metric) but does not fail the run: the figures are published,
 * and the next run writes the report again.
 */
async function reportOnAthena(ports: ComputePorts, summary: RunSummary): Promise<void> {
  const asOf = summary.as_of;
  const workGroup = process.env.ATHENA_WORKGROUP;
  const database = process.env.GLUE_DATABASE;
  if (!workGroup || !database) return;
  try {
    const key = await publishReport(
      ports.lake,
      new AthenaSql(awsClients().athena, workGroup, database),
      asOf,
      ports.config,
      // Every one: the run record keeps only the first 100 KB of them.
      { listed: summary.warnings, count: summary.warnings.length },
    );
    logger.info('run report published', { key });
  } catch (error) {
    logger.error('run report failed', { error: error as Error, as_of: asOf });
    metrics.addMetric('ReportFailures', 'Count', 1);
  }
}

/** The Lambda returns the run's outcome (runOutcome), not its whole summary. */
export const handler = lambdaHandler(
  async (event: Parameters<typeof compute>[0], context: InvocationContext) => {
    const summary = await compute(event as { Records: unknown[] }, context);
    return summary && runOutcome(summary);
  },
);
