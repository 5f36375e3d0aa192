import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * A request back after at most this long: a run asked for by uploads usually ends (and lets the
 * lock go) well before the lock's lapse at its 15-minute limit, and a scaled-out night holds the
 * lock for hours at most, so asking again every few minutes starts the run soon after the holder
 * ends, for a few short invocations.
 */
export const DEFER_AT_MOST_SECONDS = 300;
/** A lock found held but already lapsed (its holder let it go meanwhile) is free by then. */
export const DEFER_AT_LEAST_SECONDS = 15;
/** SendMessageBatch takes 10 entries at most. */
const SEND_BATCH = 10;

/**
 * Seconds until the requests are delivered again: just past the lock's lapse (`expires_at` counts
 * whole seconds and frees the lock the second after), but no later than DEFER_AT_MOST_SECONDS.
 */
export function deferralSeconds(lockedUntil: Date, nowMs: number = Date.now()): number {
  const untilLapsed = Math.ceil((lockedUntil.getTime() - nowMs) / 1000) + 2;
  return Math.min(DEFER_AT_MOST_SECONDS, Math.max(DEFER_AT_LEAST_SECONDS, untilLapsed));
}

/**
 * Puts a batch of compute requests back on the compute queue, delayed, as new messages, so the
 * invocation can succeed and SQS deletes the received ones. Not by failing the batch: a failed
 * batch comes back only after the queue's visibility timeout (90 minutes), and shortening its
 * messages' visibility instead would still count every collision as a receive, so a request that
 * met the lock ten times (maxReceiveCount) would be dead-lettered though nothing failed. Throws
 * unless every request was sent: the batch then fails whole and none is lost (a request sent
 * twice asks for one more run of the same day, which changes nothing).
 */
export async function deferRequests(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string | undefined,
  bodies: string[],
  delaySeconds: number,
): Promise<void> {
  if (!queueUrl) throw new Error('COMPUTE_QUEUE_URL is not set: the compute requests cannot be deferred');
  for (let start = 0; start < bodies.length; start += SEND_BATCH) {
    const chunk = bodies.slice(start, start + SEND_BATCH);
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((body, index) => ({
          Id: String(start + index),
          MessageBody: body,
          DelaySeconds: delaySeconds,
        })),
      }),
    );
    const failed = result.Failed ?? [];
    if (failed.length > 0)
      throw new Error(
        `${failed.length} of ${chunk.length} deferred compute requests were not sent ` +
          `(${failed.map((entry) => `${entry.Code}: ${entry.Message}`).join('; ')}): ` +
          'the batch comes back after the visibility timeout',
      );
  }
}
