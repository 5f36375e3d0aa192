import middy from '@middy/core';
import { awsClients } from '../adapters/aws-clients.ts';
import { ItemStore } from '../adapters/item-store.ts';
import { ObjectStore } from '../adapters/object-store.ts';
import { readSettings } from '../adapters/settings.ts';
import { isIsoDate, todayIn } from '../shared/dates.ts';
import { logger, metrics } from '../shared/logger.ts';
import { type ComputePorts, type RunSummary, runCompute } from './run-compute.ts';

export function computePorts(): ComputePorts {
  const settings = readSettings();
  const { s3, dynamodb } = awsClients();
  return {
    lake: new ObjectStore(s3, settings.lakeBucket),
    items: new ItemStore(dynamodb, settings.tableName),
    config: settings.config,
  };
}

/**
 * Compute runs for `{ "as_of": "YYYY-MM-DD" }` when given (re-running a day), else for today in
 * the business time zone: from the nightly schedule or from a batch of ingest requests on the
 * compute queue (one run per batch however many uploads it holds).
 */
export async function compute(event: { as_of?: string } | undefined): Promise<RunSummary> {
  const asOf = event?.as_of;
  if (asOf !== undefined && !isIsoDate(asOf))
    throw new Error(`as_of must be a date YYYY-MM-DD, got "${asOf}"`);
  const started = Date.now();
  const summary = await runCompute(
    computePorts(),
    asOf ?? todayIn(process.env.BUSINESS_TIME_ZONE ?? readSettings().config.time_zone),
  );
  logger.info('compute run published', { ...summary });
  metrics.addMetric('RunDurationMs', 'Milliseconds', Date.now() - started);
  metrics.publishStoredMetrics();
  return summary;
}

export const handler = middy(compute).before(async (request) => {
  logger.addContext(request.context);
});
