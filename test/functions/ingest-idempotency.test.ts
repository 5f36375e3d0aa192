import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import { compute } from '../../functions/compute/handler.ts';
import { EVENTS_PK, RECORD_SECONDS } from '../../functions/ingest/event-guard.ts';
import { ingest, ingestRecords } from '../../functions/ingest/handler.ts';
import { MAX_LOAD_ATTEMPTS, notificationHolder } from '../../functions/ingest/ingest-export.ts';
import { fromS3Records } from '../../functions/shared/object-events.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

/**
 * Ingest's idempotency records (Powertools, functions/ingest/event-guard.ts) under the faults they
 * are there for: deliveries of one notification that overlap, come after it was handled, outlive a
 * handler that died, or meet a failing DynamoDB. Each fault is made to happen, not assumed.
 */
let env: LocalEnv;

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: unknown) => Promise<unknown>;
/** Runs before each S3 / DynamoDB command is sent; replaced per test. */
let beforeS3: (command: string, input: Record<string, unknown>) => Promise<void> = async () => {};
let beforeDynamodb: (command: string, input: Record<string, unknown>) => void = () => {};
/** GetObject calls per key: how often an export's bytes were read (loaded). */
const reads = new Map<string, number>();

beforeAll(async () => {
  env = await startLocalEnv();
  process.env.CVAL_CONFIG = '{}';
  const s3: Middleware = (next, context) => async (args) => {
    const input = (args as { input: Record<string, unknown> }).input;
    if (context.commandName === 'GetObjectCommand' && input.Bucket === env.ports().exports.bucket) {
      reads.set(String(input.Key), (reads.get(String(input.Key)) ?? 0) + 1);
    }
    await beforeS3(context.commandName ?? '', input);
    return next(args);
  };
  const dynamodb: Middleware = (next, context) => async (args) => {
    beforeDynamodb(context.commandName ?? '', (args as { input: Record<string, unknown> }).input);
    return next(args);
  };
  awsClients().s3.middlewareStack.add(s3 as never, { step: 'initialize', name: 'test-s3', override: true });
  // The document client and the plain client Powertools writes with share this stack.
  awsClients().dynamodbClient.middlewareStack.add(dynamodb as never, {
    step: 'initialize',
    name: 'test-dynamodb',
    override: true,
  });
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});
beforeEach(() => {
  beforeS3 = async () => {};
  beforeDynamodb = () => {};
});

/** A Lambda context as Powertools reads it: the invocation's remaining time. */
const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });
const orders = (prefix: string) =>
  `order_id,customer_id,order_date,revenue\n${prefix}1,${prefix}C,2025-01-10,10.00\n${prefix}2,${prefix}C,2025-02-10,5.00\n`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Uploads a file; returns the SQS message carrying its notification and the notification's holder. */
async function uploaded(key: string, body: string, messageId = 'm1') {
  const event = await env.upload(key, body);
  const record = (event.Records as Record<string, unknown>[])[0] as Record<string, unknown>;
  const [objectEvent] = fromS3Records([record as never]);
  return {
    message: {
      Records: [{ eventSource: 'aws:sqs', messageId, body: JSON.stringify({ Records: [record] }) }],
    },
    holder: notificationHolder(objectEvent as never),
  };
}

/** Holds every GetObject of `key` until released (or for ever, like an invocation that was killed). */
function gate(key: string) {
  let reached!: () => void;
  let release!: () => void;
  const hit = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  beforeS3 = async (command, input) => {
    if (command !== 'GetObjectCommand' || input.Key !== key) return;
    reached();
    await open;
  };
  return { hit, release };
}

async function records() {
  return env.ports().items.query(EVENTS_PK);
}
/** Records of handlings that may still be running: in progress, within their holder's time. */
async function liveRecords() {
  return (await records()).filter(
    (item) => item.status === 'INPROGRESS' && Number(item.in_progress_expiration) >= Date.now(),
  );
}
async function exportItems(key: string) {
  return (await env.ports().items.query('EXPORTS')).filter((item) => item.s3_key === key);
}
/** Whether the command writes an idempotency record (PutItem, UpdateItem or DeleteItem of INGEST_EVENTS). */
const onRecord = (command: string, input: Record<string, unknown>, name: string) =>
  command === name &&
  JSON.stringify((input.Item ?? input.Key) as unknown).includes(`"PK":{"S":"${EVENTS_PK}"}`);

describe('ingest under its idempotency records', () => {
  it('a redelivery while the first delivery is being handled fails back to SQS; its retry loads nothing', async () => {
    const key = 'transactions/overlap.csv';
    const { message, holder } = await uploaded(key, orders('A'));
    const held = gate(key);
    const first = ingest(message as never, context(60_000));
    await held.hit;
    // The same message again (SQS delivers at least once) while the first is loading the file.
    const overlapping = await ingestRecords(message as never, context(60_000));
    expect(overlapping[0]).toMatchObject({ status: 'rejected' });
    expect((overlapping[0] as PromiseRejectedResult).reason).toBeInstanceOf(
      IdempotencyAlreadyInProgressError,
    );
    expect(await ingest(message as never, context(60_000))).toMatchObject({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    expect((await exportItems(key)).map((item) => [item.status, item.claimed_by])).toEqual([
      ['loading', holder],
    ]);
    held.release();
    const done = await first;
    expect(done.outcomes[0]).toMatchObject({ action: 'ingested', status: 'loaded' });
    const exportId = done.outcomes[0]?.action === 'ingested' ? done.outcomes[0].exportId : '';

    // SQS delivers the failed message again: the record answers, nothing is read or written.
    const retried = await ingest(message as never, context(60_000));
    expect(retried).toEqual({
      batchItemFailures: [],
      outcomes: [{ action: 'duplicate', key, exportId, status: 'loaded', replayOf: 'ingested' }],
    });
    expect(reads.get(key)).toBe(1);
    expect(await exportItems(key)).toMatchObject([{ status: 'loaded', attempts: 1 }]);
  });

  it('a redelivery after the notification was handled returns the same outcome and loads nothing', async () => {
    const key = 'transactions/twice.csv';
    const { message } = await uploaded(key, orders('B'));
    const first = await ingest(message as never, context(60_000));
    expect(first.outcomes[0]).toMatchObject({ action: 'ingested', status: 'loaded' });
    const exportId = first.outcomes[0]?.action === 'ingested' ? first.outcomes[0].exportId : '';
    const registry = await exportItems(key);
    const report = await env.ports().lake.getText(`reports/ingest/${exportId}.json`);
    const writes: string[] = [];
    beforeDynamodb = (command) => {
      if (!/^(Get|Query)/.test(command)) writes.push(command);
    };

    const again = await ingest(message as never, context(60_000));
    expect(again.outcomes).toEqual([
      { action: 'duplicate', key, exportId, status: 'loaded', replayOf: 'ingested' },
    ]);
    // The failed conditional put of the record is the only write tried; the load never started.
    expect(writes).toEqual(['PutItemCommand']);
    expect(reads.get(key)).toBe(1);
    expect(await exportItems(key)).toEqual(registry);
    expect(await env.ports().lake.getText(`reports/ingest/${exportId}.json`)).toBe(report);

    // What an operator finds: one COMPLETED record with the outcome, expiring (TTL) after 4 days.
    const [record] = (await records()).filter(
      (item) => (item.data as { key?: string } | undefined)?.key === key,
    );
    expect(record).toMatchObject({
      PK: EVENTS_PK,
      SK: expect.stringMatching(/^ingest#/),
      status: 'COMPLETED',
      data: { action: 'ingested', key, exportId, status: 'loaded' },
    });
    const expiresIn = Number(record?.expires_at) - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(RECORD_SECONDS - 60);
    expect(expiresIn).toBeLessThanOrEqual(RECORD_SECONDS + 1);
  });

  it('a handling killed midway is taken over once its remaining time has passed, not before', async () => {
    const key = 'transactions/killed.csv';
    const { message, holder } = await uploaded(key, orders('C'));
    // The invocation has 500 ms left and dies while reading the file: its promise never settles.
    const killed = gate(key);
    void ingest(message as never, context(500));
    await killed.hit;
    beforeS3 = async () => {};
    const [record, ...others] = await liveRecords();
    expect(others).toEqual([]);
    expect(Number(record?.in_progress_expiration)).toBeLessThanOrEqual(Date.now() + 500);
    expect(await exportItems(key)).toMatchObject([{ status: 'loading', claimed_by: holder, attempts: 1 }]);

    // Within its time the holder may still be working: the redelivery waits.
    expect(await ingest(message as never, context(60_000))).toMatchObject({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    await sleep(600);
    const takenOver = await ingest(message as never, context(60_000));
    expect(takenOver).toMatchObject({
      batchItemFailures: [],
      outcomes: [{ action: 'ingested', status: 'loaded' }],
    });
    expect(await exportItems(key)).toMatchObject([{ status: 'loaded', attempts: 2 }]);
    expect(await liveRecords()).toEqual([]);
  });

  it('reconciliation leaves an export to a live handler and takes it over once that handler is dead', async () => {
    const key = 'transactions/reconciled.csv';
    const { message, holder } = await uploaded(key, orders('D'));
    const killed = gate(key);
    void ingest(message as never, context(10 * 60_000));
    await killed.hit;
    beforeS3 = async () => {};
    const live = await compute({ as_of: '2025-03-31' });
    expect(live.export_warnings).toEqual([
      expect.stringMatching(
        /^transactions\/reconciled.csv is left out of this run: export \w+ .* is being ingested by another invocation/,
      ),
    ]);
    expect(await exportItems(key)).toMatchObject([{ status: 'loading', claimed_by: holder }]);

    // The holder's invocation ends (killed); its record's in-progress time runs out.
    const [record, ...others] = await liveRecords();
    expect(others).toEqual([]);
    if (!record) throw new Error('no record in progress');
    await env.ports().items.put({ ...record, in_progress_expiration: Date.now() - 1 });
    const after = await compute({ as_of: '2025-03-31' });
    expect(after.export_warnings).toEqual([]);
    expect(await exportItems(key)).toMatchObject([{ status: 'loaded', attempts: 2, rows_curated: 2 }]);
    expect(after.export_ids).toContain((await exportItems(key))[0]?.export_id);
  });

  it('a failed write of the record before the load fails the message; nothing is loaded, the retry loads it', async () => {
    const key = 'transactions/put-fails.csv';
    const { message } = await uploaded(key, orders('E'));
    beforeDynamodb = (command, input) => {
      if (onRecord(command, input, 'PutItemCommand'))
        throw Object.assign(new Error('injected fault'), { name: 'InternalServerError' });
    };
    expect(await ingest(message as never, context(60_000))).toMatchObject({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
      outcomes: [],
    });
    expect(await exportItems(key)).toEqual([]);
    expect(reads.get(key)).toBeUndefined();
    beforeDynamodb = () => {};
    const retried = await ingest(message as never, context(60_000));
    expect(retried.outcomes).toMatchObject([{ action: 'ingested', status: 'loaded' }]);
    expect(await exportItems(key)).toMatchObject([{ status: 'loaded', attempts: 1 }]);
  });

  it('a failed write of the outcome after the load fails the message; the retry finds the load done', async () => {
    const key = 'transactions/update-fails.csv';
    const { message } = await uploaded(key, orders('F'));
    beforeDynamodb = (command, input) => {
      if (onRecord(command, input, 'UpdateItemCommand'))
        throw Object.assign(new Error('injected fault'), { name: 'InternalServerError' });
    };
    expect(await ingest(message as never, context(300))).toMatchObject({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    beforeDynamodb = () => {};
    expect(await exportItems(key)).toMatchObject([{ status: 'loaded' }]);
    // The record stays in progress for the invocation's time; then the redelivery takes it over
    // and the registry says the export is loaded: no second load.
    await sleep(400);
    const retried = await ingest(message as never, context(60_000));
    expect(retried.outcomes).toMatchObject([{ action: 'duplicate', status: 'loaded' }]);
    expect(reads.get(key)).toBe(1);
    expect(await liveRecords()).toEqual([]);
  });

  it('a load that fails and whose record cannot be deleted fails the message; the retry loads it', async () => {
    const key = 'transactions/delete-fails.csv';
    const { message } = await uploaded(key, orders('G'));
    beforeS3 = async (command, input) => {
      if (command === 'GetObjectCommand' && input.Key === key)
        throw Object.assign(new Error('injected read fault'), { name: 'InternalError' });
    };
    beforeDynamodb = (command, input) => {
      if (onRecord(command, input, 'DeleteItemCommand'))
        throw Object.assign(new Error('injected fault'), { name: 'InternalServerError' });
    };
    expect(await ingest(message as never, context(300))).toMatchObject({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    beforeS3 = async () => {};
    beforeDynamodb = () => {};
    expect(await exportItems(key)).toMatchObject([{ status: 'failed', attempts: 1 }]);
    await sleep(400);
    const retried = await ingest(message as never, context(60_000));
    expect(retried.outcomes).toMatchObject([{ action: 'ingested', status: 'loaded' }]);
    expect(await exportItems(key)).toMatchObject([{ status: 'loaded', attempts: 2 }]);
  });

  it('an export whose handlings died MAX_LOAD_ATTEMPTS times is marked failed, not taken over again', async () => {
    // Each handling killed by its time limit (a reconciliation's load of a big file, which has
    // none of its own): taken over, killed again, for ever, each time a run that stalls.
    const key = 'transactions/always-killed.csv';
    const { message } = await uploaded(key, orders('K'));
    const killed = gate(key);
    void ingest(message as never, context(10 * 60_000));
    await killed.hit;
    beforeS3 = async () => {};
    const [item] = await exportItems(key);
    // Its third handling died too: no record of it is in progress any more.
    for (const record of await liveRecords())
      await env.ports().items.put({ ...record, in_progress_expiration: Date.now() - 1 });
    await env
      .ports()
      .items.put({ ...(item as Record<string, unknown>), attempts: MAX_LOAD_ATTEMPTS } as never);
    const outcome = await ingest(message as never, context(60_000));
    expect(outcome).toMatchObject({ batchItemFailures: [] });
    expect(await exportItems(key)).toMatchObject([
      {
        status: 'failed',
        attempts: MAX_LOAD_ATTEMPTS,
        status_reason: expect.stringMatching(/died 3 times before it finished/),
      },
    ]);
    expect(Number((await exportItems(key))[0]?.failed_at)).toBeGreaterThan(0);
    expect(await liveRecords()).toEqual([]);
    // Gone, so that no later run meets it.
    await env.remove(key);
    for (const found of await exportItems(key))
      await env.ports().items.deleteAll([{ PK: String(found.PK), SK: String(found.SK) }]);
  });
});
