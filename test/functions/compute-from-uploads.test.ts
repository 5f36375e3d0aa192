import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import {
  DEFER_AT_LEAST_SECONDS,
  DEFER_AT_MOST_SECONDS,
  deferralSeconds,
} from '../../functions/compute/defer-requests.ts';
import { compute } from '../../functions/compute/handler.ts';
import {
  RUN_LOCK_KEY,
  RunLockedError,
  releaseRunLock,
  takeRunLock,
} from '../../functions/compute/run-lock.ts';
import { type LocalEnv, startLocalEnvWithOrders } from '../support/local-env.ts';

/** A batch from the compute queue, as the ingest function's requests arrive. */
const uploadsBatch = { Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: '{"reason":"ingest"}' }] };

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnvWithOrders();
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

describe('a compute run asked for by uploads', () => {
  it('leaves a day past compute.scaleOutAboveBytes to the nightly state machine, writing nothing', async () => {
    process.env.CVAL_CONFIG = JSON.stringify({ compute: { scaleOutAboveBytes: 1 } });
    expect(await compute(uploadsBatch)).toBeNull();
    const { lake, items } = env.ports();
    expect(await lake.list('results/')).toEqual([]);
    expect(await items.get('RUNS', 'LATEST')).toBeUndefined();
  });

  it('computes a day under it, and the state machine or a rerun computes any day whatever its size', async () => {
    process.env.CVAL_CONFIG = JSON.stringify({ compute: { scaleOutAboveBytes: 1_000_000 } });
    const run = await compute(uploadsBatch);
    expect(run?.tables.customer_metrics).toBe(2);
    process.env.CVAL_CONFIG = JSON.stringify({ compute: { scaleOutAboveBytes: 1 } });
    expect((await compute({ as_of: '2025-02-28' })).tables.customer_metrics).toBe(2);
  });
});

/** The compute queue's sends (SQS has no local server here): the requests put back, and faults. */
const sent: SendMessageBatchCommand['input'][] = [];
let failEntry: string | undefined;
/** Records the sends on the cached client (handlers share it), and returns what puts it back. */
function recordSends(): () => void {
  const sqs = awsClients().sqs;
  const realSend = sqs.send;
  sqs.send = (async (command: unknown) => {
    if (!(command instanceof SendMessageBatchCommand)) throw new Error('only SendMessageBatch is expected');
    sent.push(command.input);
    const failed = (command.input.Entries ?? []).filter((entry) => entry.Id === failEntry);
    return {
      Successful: (command.input.Entries ?? []).filter((entry) => entry.Id !== failEntry),
      Failed: failed.map((entry) => ({
        Id: entry.Id,
        Code: 'InternalError',
        Message: 'try again',
        SenderFault: false,
      })),
    };
  }) as never;
  return () => {
    sqs.send = realSend;
  };
}

/** A batch of `count` requests as the compute queue delivers them (receipt handles, receive counts). */
const requests = (count: number, from = 0) => ({
  Records: Array.from({ length: count }, (_, index) => ({
    messageId: `m${from + index}`,
    receiptHandle: `handle-${from + index}`,
    eventSource: 'aws:sqs',
    attributes: { ApproximateReceiveCount: '1' },
    body: JSON.stringify({
      reason: `transactions/t${from + index}.csv`,
      requested_at: '2026-12-06T02:00:00.000Z',
    }),
  })),
});
const bodiesOf = (batch: ReturnType<typeof requests>) => batch.Records.map((record) => record.body);
/** Lambda's context: the time left, and the request id that names the lock's holder. */
const invocation = (awsRequestId: string) => ({ getRemainingTimeInMillis: () => 60_000, awsRequestId });

describe('a compute request that finds the run lock held', () => {
  const queueUrl = 'https://sqs.invalid/compute';
  let restoreSend = () => {};
  beforeEach(() => {
    process.env.CVAL_CONFIG = JSON.stringify({ compute: { scaleOutAboveBytes: 1_000_000 } });
    process.env.COMPUTE_QUEUE_URL = queueUrl;
    sent.length = 0;
    failEntry = undefined;
    restoreSend = recordSends();
  });
  afterEach(async () => {
    restoreSend();
    delete process.env.COMPUTE_QUEUE_URL;
    const lock = await env.ports().items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK);
    if (lock) await releaseRunLock(env.ports().items, String(lock.holder));
  });

  it('goes back on the queue as a new message, delayed to the lock lapse or 5 minutes at most, and starts no run', async () => {
    const { items, lake } = env.ports();
    const results = await lake.list('results/');
    const latest = await items.get('RUNS', 'LATEST');
    // A scaled-out night holds the lock for another hour: the requests ask again in 5 minutes.
    await takeRunLock(items, 'scale-out:night-9', Date.now() + 3_600_000);
    const batch = requests(12);
    expect(await compute(batch, invocation('r1'))).toBeNull();
    expect(await lake.list('results/')).toEqual(results);
    expect(await items.get('RUNS', 'LATEST')).toEqual(latest);
    expect(await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toMatchObject({ holder: 'scale-out:night-9' });
    // Sent whole, 10 a call: the invocation then succeeds and SQS deletes the received messages, so
    // a collision never counts as a receive towards the dead-letter queue (maxReceiveCount 10).
    expect(sent.map((input) => input.Entries?.length)).toEqual([10, 2]);
    expect(sent.every((input) => input.QueueUrl === queueUrl)).toBe(true);
    const entries = sent.flatMap((input) => input.Entries ?? []);
    expect(entries.map((entry) => entry.MessageBody)).toEqual(bodiesOf(batch));
    expect(entries.map((entry) => entry.DelaySeconds)).toEqual(
      bodiesOf(batch).map(() => DEFER_AT_MOST_SECONDS),
    );
  });

  it('waits only until a lock that lapses sooner has lapsed', async () => {
    await takeRunLock(env.ports().items, 'scale-out:night-10', Date.now() + 40_000);
    expect(await compute(requests(1), invocation('r2'))).toBeNull();
    const [delay] = sent.flatMap((input) => input.Entries ?? []).map((entry) => entry.DelaySeconds);
    // Its expiry in whole seconds, rounded up, and the second after, when it is free.
    expect(delay).toBeGreaterThanOrEqual(40);
    expect(delay).toBeLessThanOrEqual(43);
    // A lock let go between the refused take and the look at its holder: free at once.
    expect(deferralSeconds(new Date(0), Date.now())).toBe(DEFER_AT_LEAST_SECONDS);
  });

  it('of the same day as a run asked for by other uploads, which runs meanwhile: the two do not both run', async () => {
    // The queue invokes two batches at once: each invocation is its own holder of the lock.
    const first = requests(2);
    const second = requests(3, 2);
    const outcomes = await Promise.all([compute(first, invocation('r3')), compute(second, invocation('r4'))]);
    expect(outcomes.filter((outcome) => outcome === null)).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome !== null)?.tables.customer_metrics).toBe(2);
    const deferred = outcomes[0] === null ? first : second;
    const entries = sent.flatMap((input) => input.Entries ?? []);
    expect(entries.map((entry) => entry.MessageBody)).toEqual(bodiesOf(deferred));
    // The holder's lock lapses at its invocation's limit (a minute here), so no later than that.
    for (const { DelaySeconds } of entries) {
      expect(DelaySeconds).toBeGreaterThan(DEFER_AT_LEAST_SECONDS);
      expect(DelaySeconds).toBeLessThanOrEqual(63);
    }
    expect(await env.ports().items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toMatchObject({ expires_at: 0 });
  });

  it('fails the invocation when a request could not be sent back, so SQS delivers the batch again', async () => {
    await takeRunLock(env.ports().items, 'scale-out:night-11', Date.now() + 3_600_000);
    failEntry = '11';
    await expect(compute(requests(12), invocation('r5'))).rejects.toThrow(
      /1 of 2 deferred compute requests were not sent \(InternalError: try again\)/,
    );
    // Without the queue's address it cannot defer either, and says so rather than drop the batch.
    delete process.env.COMPUTE_QUEUE_URL;
    await expect(compute(requests(1), invocation('r6'))).rejects.toThrow(/COMPUTE_QUEUE_URL is not set/);
  });

  it('from the nightly state machine or an operator is refused, for the state machine to retry', async () => {
    await takeRunLock(env.ports().items, 'scale-out:night-12', Date.now() + 3_600_000);
    await expect(compute({ as_of: '2025-02-28' }, invocation('r7'))).rejects.toThrow(RunLockedError);
    expect(sent).toEqual([]);
  });
});
