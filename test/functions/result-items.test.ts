import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultTable } from '../../core/tables.ts';
import { resultItem } from '../../functions/compute/result-items.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('a result row as a DynamoDB item', () => {
  it('writes doubles DynamoDB cannot hold as it can: below 1e-130 as 0, past 2^53 as their shortest digits, past 1e125 not at all', async () => {
    const table = resultTable('customer_metrics');
    const item = (row: Record<string, unknown>, id: string) =>
      resultItem(`CUSTOMER#${id}`, 'LATEST', { customer_id: id, ...row }, table);
    // A frequent buyer who stopped long ago: P(alive) = 1/(1+e^L) underflows DynamoDB's 1e-130.
    const items = [
      item({ p_alive: 5.6e-133, expected_orders_next_year: -1e-140 }, 'gone'),
      item({ p_alive: 0.25, expected_orders_next_year: 2 ** 60 }, 'huge'),
      item({ p_alive: 1e-7, expected_orders_next_year: 1e200 }, 'far'),
    ];
    const { items: store } = env.ports();
    await store.putAll(items);
    const gone = await store.get('CUSTOMER#gone', 'LATEST');
    expect(gone).toMatchObject({ p_alive: 0, expected_orders_next_year: 0 });
    const huge = await store.get('CUSTOMER#huge', 'LATEST');
    expect(huge?.p_alive).toBe(0.25);
    expect(Number(huge?.expected_orders_next_year)).toBe(2 ** 60);
    const far = await store.get('CUSTOMER#far', 'LATEST');
    expect(far?.p_alive).toBe(1e-7);
    expect(far).not.toHaveProperty('expected_orders_next_year');
  });
});
