import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsClients } from '../adapters/aws-clients.ts';
import { ItemStore } from '../adapters/item-store.ts';
import { ObjectStore } from '../adapters/object-store.ts';
import { readSettings } from '../adapters/settings.ts';
import { requestCompute } from '../shared/compute-requests.ts';
import { lambdaHandler } from '../shared/handler-wiring.ts';
import { logger, metrics } from '../shared/logger.ts';
import { fromMessageBody, fromS3Records } from '../shared/object-events.ts';
import { eventGuard, isInProgressElsewhere } from './event-guard.ts';
import { changedExports, handleObjectEvent, type IngestOutcome, type IngestPorts } from './ingest-export.ts';

function ports(context?: { getRemainingTimeInMillis?: () => number }): IngestPorts {
  const settings = readSettings();
  const { s3, dynamodb, dynamodbClient } = awsClients();
  // A handling's idempotency record stays in progress as long as this invocation can still be
  // running, and no longer (local mode: not at all, see Settings.claimMs).
  const claimMs = () => context?.getRemainingTimeInMillis?.() ?? settings.claimMs;
  return {
    exports: new ObjectStore(s3, settings.exportsBucket),
    lake: new ObjectStore(s3, settings.lakeBucket),
    items: new ItemStore(dynamodb, settings.tableName, { writeConcurrency: settings.writeConcurrency }),
    config: settings.config,
    guard: eventGuard({ client: dynamodbClient, tableName: settings.tableName, remainingMs: claimMs }),
    claimMs,
    // The Lambda's own limit: an export that cannot be read in time is rejected, not timed out.
    remainingMs: context?.getRemainingTimeInMillis
      ? () => (context.getRemainingTimeInMillis as () => number)()
      : undefined,
  };
}

function record(outcome: IngestOutcome): void {
  logger.info('export event handled', { ...outcome, report: undefined });
  if (outcome.action === 'ingested') {
    const totals = outcome.report.control_totals;
    metrics.addMetric('RowsIngested', 'Count', totals?.rows_curated ?? 0);
    metrics.addMetric('RowsRejected', 'Count', totals?.rows_quarantined ?? 0);
    if (outcome.status !== 'loaded') metrics.addMetric('ExportsNotLoaded', 'Count', 1);
  }
}

type IngestEvent = SQSEvent | { Records: Parameters<typeof fromS3Records>[0] };
type Remaining = { getRemainingTimeInMillis?: () => number };

/**
 * Each record's outcomes, or the error it failed with, in record order. Records are handled one
 * after another: each may be a large file, and one invocation's memory is sized for one at a time.
 */
export async function ingestRecords(
  event: IngestEvent,
  context?: Remaining,
): Promise<PromiseSettledResult<IngestOutcome[]>[]> {
  const p = ports(context);
  const settled: PromiseSettledResult<IngestOutcome[]>[] = [];
  for (const item of event.Records as Array<{ body?: string; eventSource?: string }>) {
    const events =
      item.eventSource === 'aws:sqs' ? fromMessageBody(item.body ?? '{}') : fromS3Records([item as never]);
    const outcomes: IngestOutcome[] = [];
    try {
      for (const objectEvent of events) {
        const outcome = await handleObjectEvent(p, objectEvent);
        record(outcome);
        outcomes.push(outcome);
      }
      settled.push({ status: 'fulfilled', value: outcomes });
    } catch (reason) {
      if (isInProgressElsewhere(reason)) {
        // Another delivery of this notification is being handled now: SQS delivers it again later.
        logger.warn('object event being handled by another invocation; left for SQS to deliver again', {
          error: reason as Error,
        });
        metrics.addMetric('EventsInProgressElsewhere', 'Count', 1);
      }
      settled.push({ status: 'rejected', reason });
    }
  }
  // A redelivery of a handling that changed the exports asks again: the invocation that handled it
  // may have failed at this very request (SQS then delivers the whole batch again).
  const changed = settled.some((r) => r.status === 'fulfilled' && r.value.some(changedExports));
  if (changed) await requestCompute('ingest');
  return settled;
}

/**
 * Ingest as local mode and tests call it: S3 records (a failure throws) or SQS messages (a failed
 * message is reported back alone, as the deployed handler does).
 */
export async function ingest(
  event: IngestEvent,
  context?: Remaining,
): Promise<SQSBatchResponse & { outcomes: IngestOutcome[] }> {
  const settled = await ingestRecords(event, context);
  const records = event.Records as Array<{ messageId?: string; eventSource?: string }>;
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  settled.forEach((result, index) => {
    if (result.status === 'fulfilled') return;
    const item = records[index];
    if (item?.eventSource !== 'aws:sqs') throw result.reason;
    batchItemFailures.push({ itemIdentifier: item.messageId as string });
  });
  return { batchItemFailures, outcomes: settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])) };
}

/** The deployed handler: SQS messages carrying S3 notifications; middy reports failed ones back. */
export const handler = lambdaHandler(ingestRecords, { sqsBatch: true });
