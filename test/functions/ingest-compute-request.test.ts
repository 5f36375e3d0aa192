import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingest } from '../../functions/ingest/handler.ts';
import { requestCompute } from '../../functions/shared/compute-requests.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

// The compute queue (SQS) has no local server: its client call is the fault injected here.
vi.mock('../../functions/shared/compute-requests.ts', () => ({ requestCompute: vi.fn() }));
const request = vi.mocked(requestCompute);

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

const asMessage = (notification: Record<string, unknown>, messageId: string) => ({
  Records: [{ eventSource: 'aws:sqs', messageId, body: JSON.stringify(notification) }],
});

describe('the compute request after an ingest', () => {
  it('is made again when the message is redelivered because the request failed', async () => {
    const notification = await env.upload(
      'transactions/request.csv',
      'order_id,customer_id,order_date,revenue\nO1,C1,2025-01-01,1.00\n',
    );
    request.mockRejectedValueOnce(new Error('SQS unavailable'));
    await expect(ingest(asMessage(notification, 'm1') as never)).rejects.toThrow('SQS unavailable');
    expect(request).toHaveBeenCalledTimes(1);
    // SQS delivers the message again: the export is a duplicate now, but the run it asked for
    // never got asked for.
    request.mockResolvedValueOnce(true);
    const again = await ingest(asMessage(notification, 'm1') as never);
    expect(again.outcomes).toEqual([expect.objectContaining({ action: 'duplicate', status: 'loaded' })]);
    expect(request).toHaveBeenCalledTimes(2);
  });
});
