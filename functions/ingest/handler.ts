import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsClients } from '../adapters/aws-clients.ts';
import { ItemStore } from '../adapters/item-store.ts';
import { ObjectStore } from '../adapters/object-store.ts';
import { readSettings } from '../adapters/settings.ts';
import { requestCompute } from '../shared/compute-requests.ts';
import { logger, metrics } from '../shared/logger.ts';
import { fromMessageBody, fromS3Records } from '../shared/object-events.ts';
import { handleObjectEvent, type IngestOutcome, type IngestPorts } from './ingest-export.ts';

function ports(context?: { getRemainingTimeInMillis?: () => number }): IngestPorts {
  const settings = readSettings();
  const { s3, dynamodb } = awsClients();
  return {
    exports: new ObjectStore(s3, settings.exportsBucket),
    lake: new ObjectStore(s3, settings.lakeBucket),
    items: new ItemStore(dynamodb, settings.tableName, { writeConcurrency: settings.writeConcurrency }),
    config: settings.config,
    // A claim stands as long as this invocation can still be running, and no longer.
    claimMs: () => context?.getRemainingTimeInMillis?.() ?? settings.claimMs,
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

/**
 * Ingest: SQS messages carrying S3 notifications (the deployed path) or S3 events directly (local
 * mode and tests). A failed message is reported back alone so SQS retries just that one.
 */
export async function ingest(
  event: IngestEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<SQSBatchResponse & { outcomes: IngestOutcome[] }> {
  const p = ports(context);
  const outcomes: IngestOutcome[] = [];
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const records = event.Records as Array<{ messageId?: string; body?: string; eventSource?: string }>;
  for (const item of records) {
    const isSqs = item.eventSource === 'aws:sqs';
    const events = isSqs ? fromMessageBody(item.body ?? '{}') : fromS3Records([item as never]);
    try {
      for (const objectEvent of events) {
        const outcome = await handleObjectEvent(p, objectEvent);
        record(outcome);
        outcomes.push(outcome);
      }
    } catch (error) {
      logger.error('export event failed', { error: error as Error, messageId: item.messageId });
      if (!isSqs) throw error;
      batchItemFailures.push({ itemIdentifier: item.messageId as string });
    }
  }
  if (outcomes.some((o) => o.action === 'ingested' || o.action === 'withdrawn'))
    await requestCompute('ingest');
  metrics.publishStoredMetrics();
  return { batchItemFailures, outcomes };
}

export const handler = middy(ingest).before(async (request) => {
  logger.addContext(request.context);
});
