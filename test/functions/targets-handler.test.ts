import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../functions/ingest/handler.ts';
import { targets } from '../../functions/targets/handler.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
  process.env.CVAL_CONFIG = '{}';
  const orders =
    'order_id,customer_id,order_date,revenue,rep_id,team\nO1,C1,2026-01-06,1000.00,r1,north\nO2,C2,2026-01-07,500.00,r2,north\n';
  await ingest((await env.upload('transactions/t.csv', orders)) as never);
  const plan = [
    'fiscal_year,metric,amount,scope,share',
    '2026,revenue,1200000.00,company,',
    '2026,revenue,0,team:north,60%',
    '2026,revenue,0,team:south,30%',
    '2026,orders,-5,company,',
    '2031,revenue,100.00,company,',
  ].join('\n');
  await ingest((await env.upload('targets/plan.csv', plan)) as never);
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

describe('targets handler against the local servers', () => {
  it('plans what it can and names each bad target row with its file and line', async () => {
    const summary = await targets({ week: '2026-W02' });
    expect(summary).toMatchObject({ as_of: '2026-01-05', week: '2026-W02' });
    expect(summary.rows).toBeGreaterThan(0);
    const errors = summary.errors.join('\n');
    expect(errors).toMatch(/targets\/plan\.csv: line [34]: .*shares? .*(sum|1)/i);
    expect(errors).toMatch(/targets\/plan\.csv: line 5: .*negative/i);
    expect(errors).toMatch(/targets\/plan\.csv: line 6: .*(calendar|2031)/i);
    const today = await env.ports().items.get('TARGET#company#revenue#FY2026', 'day#2026-01-05');
    expect(today).toMatchObject({ level: 'day', closed: false });
  });

  it('refuses a week that is not an ISO week', async () => {
    await expect(targets({ week: '2026-W60' })).rejects.toThrow(/ISO week/);
  });
});
