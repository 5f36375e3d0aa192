import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compute } from '../../functions/compute/handler.ts';
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
