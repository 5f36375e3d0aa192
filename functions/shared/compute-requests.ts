import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { awsClients } from '../adapters/aws-clients.ts';

/**
 * After an ingest, ask for a compute run through a queue rather than calling it: the compute
 * function reads that queue with a batching window, so a burst of uploads gives one run.
 * Without COMPUTE_QUEUE_URL (local mode) the caller runs compute itself.
 */
export async function requestCompute(reason: string): Promise<boolean> {
  const queueUrl = process.env.COMPUTE_QUEUE_URL;
  if (!queueUrl) return false;
  await awsClients().sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ reason, requested_at: new Date().toISOString() }),
    }),
  );
  return true;
}
