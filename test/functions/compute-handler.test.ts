import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compute } from '../../functions/compute/handler.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { type LocalEnv, startLocalEnvWithOrders } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  process.env.CVAL_CONFIG = '{}';
  env = await startLocalEnvWithOrders();
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

describe('compute handler against the local servers', () => {
  it('publishes every result table for the day and the customer items, and a rerun writes the same', async () => {
    const first = await compute({ as_of: '2025-02-28' });
    const { lake, items } = env.ports();
    const keys = await lake.list('results/');
    expect(keys).toContain('results/customer_metrics/as_of=2025-02-28/part-00000.parquet');
    expect(keys).toContain('results/whale_curve/as_of=2025-02-28/part-00000.parquet');
    expect(await lake.list('staging/')).toEqual([]);
    const bytes = await lake.getBytes('results/customer_metrics/as_of=2025-02-28/part-00000.parquet');
    expect(await items.get('CUSTOMER#C1', 'LATEST')).toMatchObject({
      revenue: 150,
      orders: 2,
      as_of: '2025-02-28',
    });

    const again = await compute({ as_of: '2025-02-28' });
    expect(again.run_id).toBe(first.run_id);
    expect(await lake.getBytes('results/customer_metrics/as_of=2025-02-28/part-00000.parquet')).toEqual(
      bytes,
    );
  });

  it('re-running an earlier day writes that day to the lake but leaves the LATEST items on the newest run', async () => {
    const run = await compute({ as_of: '2025-01-31' });
    const { items, lake } = env.ports();
    expect(run.items).toEqual({ written: 0, deleted: 0 });
    expect(await lake.list('results/customer_metrics/as_of=2025-01-31/')).toHaveLength(1);
    // History lives in Athena: no dated item per customer and night.
    expect(await items.get('CUSTOMER#C1', 'AS_OF#2025-01-31')).toBeUndefined();
    expect(await items.get('CUSTOMER#C1', 'LATEST')).toMatchObject({ revenue: 150, as_of: '2025-02-28' });
    expect(await items.get('RUNS', 'LATEST')).toMatchObject({ as_of: '2025-02-28' });
    expect(await items.get('RUNS', 'AS_OF#2025-01-31')).toMatchObject({ run_id: run.run_id });
  });

  it('takes the items of customers whose export was replaced or withdrawn off the newest run', async () => {
    const { items } = env.ports();
    expect(await items.get('CUSTOMER#C2', 'LATEST')).toBeDefined();
    const withoutC2 =
      'order_id,customer_id,order_date,revenue\nO1,C1,2025-01-10,100.00\nO2,C1,2025-02-10,50.00\n';
    await ingest((await env.upload('transactions/t.csv', withoutC2)) as never);
    await compute({ as_of: '2025-02-28' });
    expect(await items.get('CUSTOMER#C2', 'LATEST')).toBeUndefined();
    expect(await items.get('CUSTOMER#C1', 'LATEST')).toMatchObject({ revenue: 150, as_of: '2025-02-28' });

    await compute({ as_of: '2025-03-31' });
    await ingest((await env.remove('transactions/t.csv')) as never);
    await compute({ as_of: '2025-03-31' });
    expect(await items.get('CUSTOMER#C1', 'LATEST')).toBeUndefined();
    expect(await env.ports().lake.list('results/customer_metrics/as_of=2025-02-28/')).toHaveLength(1);
  });

  it('writes no lookup item for a customer id too long for a DynamoDB key, and says so, instead of failing the run', async () => {
    // 700 Chinese characters pass ingest (1,000 at most) but make a 2,109-byte key: DynamoDB takes
    // 2,048, and the batch write failed the whole run every night for one row.
    const longId = '客'.repeat(700);
    const orders = `order_id,customer_id,order_date,revenue\nL1,${longId},2025-01-10,9.00\nL2,C9,2025-01-11,4.00\n`;
    await ingest((await env.upload('transactions/long-id.csv', orders)) as never);
    const run = await compute({ as_of: '2025-03-31' });
    expect(run.warnings).toContainEqual(
      expect.stringMatching(
        /^1 customer has an id too long for a DynamoDB key \(CUSTOMER#<id> over 2,048 bytes; "客{20}…", its key 2,109 bytes\): no lookup item is written for it; its row is in customer_metrics\. An id this long is usually a misread file/,
      ),
    );
    const { items } = env.ports();
    expect(await items.get('CUSTOMER#C9', 'LATEST')).toMatchObject({ revenue: 4 });
    // The local table server takes such a key; DynamoDB refuses it (ValidationException).
    expect(await items.get(`CUSTOMER#${longId}`, 'LATEST')).toBeUndefined();
    await ingest((await env.remove('transactions/long-id.csv')) as never);
  });

  it('refuses an as_of that is not a date', async () => {
    await expect(compute({ as_of: '2025-13-45' })).rejects.toThrow(/as_of must be a date/);
  });
});
