import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as computeHandler } from '../../functions/compute/handler.ts';
import { handler as ingestHandler } from '../../functions/ingest/handler.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
  process.env.CVAL_CONFIG = '{}';
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

const context = {
  functionName: 'cval-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cval-test',
  memoryLimitInMB: '1024',
  awsRequestId: 'request-1',
  logGroupName: 'g',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as unknown as Context;

describe('the deployed handlers (middy + Powertools)', () => {
  it('ingest reports only the SQS messages that failed, so SQS retries just those', async () => {
    const good = await env.upload('customers/all.csv', 'customer_id,acquired_on\nC1,2025-01-01\n');
    const record = (good.Records as Record<string, unknown>[])[0];
    // A notification with neither a version id nor an ETag cannot name an export: it fails.
    const broken = {
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: env.ports().exports.bucket }, object: { key: 'customers/other.csv' } },
    };
    const message = (id: string, body: unknown) => ({
      messageId: id,
      eventSource: 'aws:sqs',
      body: JSON.stringify({ Records: [body] }),
    });
    const response = await ingestHandler(
      { Records: [message('m1', record), message('m2', broken)] } as never,
      context,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    const loaded = (await env.ports().items.query('EXPORTS')).filter((i) => i.s3_key === 'customers/all.csv');
    expect(loaded.map((i) => i.status)).toEqual(['loaded']);
  });

  it('compute runs through the same wiring and its errors reach the caller', async () => {
    await expect(computeHandler({ as_of: '2025-02-30' } as never, context)).rejects.toThrow(
      /as_of must be a date/,
    );
    const run = await computeHandler({ as_of: '2025-03-31' } as never, context);
    // The run's outcome, not its summary: Step Functions takes 256 KiB of a task's output.
    expect(run).toMatchObject({ as_of: '2025-03-31', exports: 1, warnings: expect.any(Number) });
    expect(run).not.toHaveProperty('export_ids');
  });
});
