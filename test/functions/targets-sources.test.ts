import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../functions/ingest/handler.ts';
import { targets } from '../../functions/targets/handler.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

const HEADER = 'fiscal_year,metric,amount,scope,share,scenario';

// Both files hold a bad company row on line 5 and a FY2026 company revenue target on line 2.
const FY2026 = [
  HEADER,
  '2026,revenue,1000000.00,company,,',
  '2026,revenue,600000.00,team:a,50%,',
  '2026,revenue,700000.00,team:b,50%,',
  '2026,orders,-1,company,,',
].join('\n');
const FY2027 = [
  HEADER,
  '2026,revenue,1400000.00,company,,',
  '2027,revenue,2000000.00,company,,',
  '2027,revenue,2000000.00,team:a,100%,',
  '2027,orders,-2,company,,',
].join('\n');

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
  process.env.CVAL_CONFIG = '{}';
  await ingest((await env.upload('targets/fy2026.csv', FY2026)) as never);
  await ingest((await env.upload('targets/fy2027.csv', FY2027)) as never);
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

const yearTarget = async (scope: string) =>
  String((await env.ports().items.get(`TARGET#${scope}#revenue#FY2026`, 'YEAR'))?.original_target);

describe('target files with rows on the same lines', () => {
  it('names each error with its own file, keeps the later export of a duplicate and warns of a share amount', async () => {
    const summary = await targets({ week: '2026-W02' });
    const errors = summary.errors.join('\n');
    expect(errors).toMatch(/^targets\/fy2026\.csv: line 5: .*negative \(-1\)/m);
    expect(errors).toMatch(/^targets\/fy2027\.csv: line 5: .*negative \(-2\)/m);
    expect(errors).toMatch(
      /^targets\/fy2026\.csv: line 2: revenue target for company in FY2026 is also given on targets\/fy2027\.csv line 2/m,
    );
    expect(summary.errors).toHaveLength(3);
    expect(await yearTarget('company')).toBe('1400000');
    expect(await yearTarget('team:a')).toBe('700000');
    const warnings = summary.warnings.filter((w) => w.startsWith('targets/'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^targets\/fy2026\.csv: line 3: revenue target for team:a in FY2026: amount 600000\.00 .*700000\.00/,
      ),
    ]);
  });

  it('a new version of the older file, received later, is the one planned', async () => {
    await ingest(
      (await env.upload('targets/fy2026.csv', FY2026.replace('1000000.00', '1100000.00'))) as never,
    );
    const summary = await targets({ week: '2026-W02' });
    expect(await yearTarget('company')).toBe('1100000');
    expect(summary.errors.join('\n')).toMatch(
      /^targets\/fy2027\.csv: line 2: revenue target for company in FY2026 is also given on targets\/fy2026\.csv line 2/m,
    );
    expect(summary.warnings.filter((w) => w.startsWith('targets/'))).toEqual([
      expect.stringMatching(/^targets\/fy2026\.csv: line 3: .*600000\.00 .*550000\.00/),
      expect.stringMatching(/^targets\/fy2026\.csv: line 4: .*700000\.00 .*550000\.00/),
    ]);
  });
});
