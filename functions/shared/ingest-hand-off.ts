import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Config } from '../../core/config.ts';
import { awsClients } from '../adapters/aws-clients.ts';
import type { HandOff } from '../ingest/reconcile-exports.ts';
import { toMessageBody } from './object-events.ts';

/**
 * How a nightly run hands the ingest function an export too large to load in the run's own
 * function: an S3 notification of the object on the ingest queue, as if S3 had sent it again.
 * Without INGEST_QUEUE_URL (local mode, which has no time limit) none: every export is loaded in
 * the run.
 */
export function ingestHandOff(config: Config, env: NodeJS.ProcessEnv = process.env): HandOff | null {
  const queueUrl = env.INGEST_QUEUE_URL;
  if (!queueUrl) return null;
  return {
    aboveBytes: config.compute.reconcileLoadAboveBytes,
    send: async (event) => {
      await awsClients().sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: toMessageBody(event) }),
      );
    },
  };
}
