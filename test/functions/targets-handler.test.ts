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
    'fiscal_year,metric,amount,scope,share,scenario',
    '2026,revenue,1200000.00,company,,',
    '2026,revenue,0,team:north,60%,',
    '2026,revenue,0,team:south,30%,',
    '2026,orders,-5,company,,',
    '2031,revenue,100.00,company,,',
    '2026,revenue,1500000.00,company,,stretch',
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
    // 2031 is not published yet: planned on the statutory holidays by rule, with a warning.
    expect(summary.warnings.join('\n')).toMatch(
      /FY2031: .*2031 planned on China's statutory holidays by rule/,
    );
    expect(errors).not.toMatch(/line 6/);
    const items = env.ports().items;
    const week = await items.get('TARGET#company#revenue#FY2026', 'WEEK#2026-01-05');
    expect(week).toMatchObject({ period_id: 'FY2026-W02', start_date: '2026-01-05', closed: false });
    expect((week?.days as Record<string, unknown> | undefined)?.['2026-01-05']).toMatchObject({
      closed: false,
    });
    // The lookups serve the plan, not the stretch scenario planned beside it.
    const year = await items.get('TARGET#company#revenue#FY2026', 'YEAR');
    expect(year).toMatchObject({ period_id: 'FY2026' });
    expect(String(year?.original_target)).toBe('1200000');
    const record = await items.get('TARGET_RUNS', 'AS_OF#2026-01-05');
    expect(record).toMatchObject({ week: '2026-W02', items_deleted: 0 });
    expect(Number(record?.items_written)).toBeGreaterThan(0);
    expect(Number(record?.expires_at)).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
  });

  it('a second run of the same week writes no item and converges', async () => {
    const summary = await targets({ week: '2026-W02' });
    expect(summary.rows).toBeGreaterThan(0);
    const record = await env.ports().items.get('TARGET_RUNS', 'AS_OF#2026-01-05');
    expect(record).toMatchObject({ items_written: 0, items_deleted: 0 });
  });

  it('refuses a week that is not an ISO week', async () => {
    await expect(targets({ week: '2026-W60' })).rejects.toThrow(/ISO week/);
  });
});
