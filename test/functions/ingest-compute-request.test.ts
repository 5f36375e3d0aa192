import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

/** The compute queue's SendMessage calls (SQS has no local server): the fault is injected here. */
const sent: unknown[] = [];
let failNext = false;
const realSend = awsClients().sqs.send;
afterEach(() => {
  awsClients().sqs.send = realSend;
  delete process.env.COMPUTE_QUEUE_URL;
});

const asMessage = (notification: Record<string, unknown>, messageId: string) => ({
  Records: [{ eventSource: 'aws:sqs', messageId, body: JSON.stringify(notification) }],
});

describe('the compute request after an ingest', () => {
  it('is made again when the message is redelivered because the request failed', async () => {
    process.env.COMPUTE_QUEUE_URL = 'https://sqs.invalid/compute';
    const sqs = awsClients().sqs;
    sqs.send = (async (command: unknown) => {
      if (failNext) {
        failNext = false;
        throw new Error('SQS unavailable');
      }
      sent.push(command);
      return {};
    }) as never;
    const notification = await env.upload(
      'transactions/request.csv',
      'order_id,customer_id,order_date,revenue\nO1,C1,2025-01-01,1.00\n',
    );
    failNext = true;
    await expect(ingest(asMessage(notification, 'm1') as never)).rejects.toThrow('SQS unavailable');
    expect(sent).toHaveLength(0);
    // SQS delivers the message again: the export is a duplicate now, but the run it asked for
    // never got asked for.
    const again = await ingest(asMessage(notification, 'm1') as never);
    expect(again.outcomes).toEqual([expect.objectContaining({ action: 'duplicate', status: 'loaded' })]);
    expect(sent).toHaveLength(1);
  });
});
