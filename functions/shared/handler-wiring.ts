import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './logger.ts';

/**
 * The one way a job becomes a Lambda handler: Powertools adds the invocation's context to every
 * log line and flushes the metrics after the invocation, also when it throws (a handler that
 * published its own metrics lost them on errors). `sqsBatch` adds middy's partial batch failure
 * response: the job returns one settled result per SQS record, and only the rejected records are
 * retried by SQS.
 */
export function lambdaHandler<E, R>(
  job: (event: E, context: Context) => Promise<R>,
  options: { sqsBatch?: boolean } = {},
) {
  const handler = middy(job)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  return options.sqsBatch
    ? handler.use(
        sqsPartialBatchFailure({
          logger: (reason, record) =>
            logger.error('record failed; SQS will deliver it again', {
              error: reason as Error,
              messageId: (record as { messageId?: string }).messageId,
            }),
        }),
      )
    : handler;
}
