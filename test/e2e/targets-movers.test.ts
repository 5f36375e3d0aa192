/**
 * A rep who moves team mid-year, through `cval run` and `cval targets`: the `reps` export lists the
 * rep once per team, with dates, and the rep is planned in each team for its days there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cval, cvalQuery, type QueryRow, writeExport } from '../support/cval-process.ts';
import { makeLocalTable } from '../support/local-env.ts';

type Row = QueryRow;

let root: string;
let exportsDir: string;
let out: string;
let summary: { warnings: string[]; errors: string[] };

const query = (sql: string): Promise<Row[]> => cvalQuery(out, sql);
const cents = (value: unknown) => Math.round(Number(value) * 100);

const write = (path: string, text: string) => writeExport(exportsDir, path, text);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cval-movers-'));
  exportsDir = join(root, 'exports');
  out = join(root, 'out');
  await write(
    'transactions/sales.csv',
    ['order_id,customer_id,order_date,revenue,rep_id,team', 'O1,C1,2026-01-06,1000.00,r1,A', ''].join('\n'),
  );
  await write(
    'targets/fy2026.csv',
    [
      'fiscal_year,metric,amount,scope,share',
      '2026,revenue,2400000.00,company,',
      '2026,revenue,0,team:A,50%',
      '2026,revenue,0,team:B,50%',
      '',
    ].join('\n'),
  );
  // r5 moves from A to B on 1 July; r9's rows overlap from 1 September.
  await write(
    'reps/roster.csv',
    [
      'rep_id,team,started_on,ended_on',
      'r1,A,,',
      'r5,A,,2026-06-30',
      'r2,B,,',
      'r5,B,2026-07-01,',
      'r9,A,,',
      'r9,B,2026-09-01,',
      '',
    ].join('\n'),
  );
  await makeLocalTable(join(out, 'state'));
  const run = await cval(['run', exportsDir, '--as-of', '2026-01-05', '--out', out, '--json']);
  expect(run.stderr).not.toMatch(/^cval:/m);
  expect(run.code).toBe(0);
  const targets = await cval(['targets', '--week', '2026-W02', '--out', out, '--json']);
  expect(targets.stderr).not.toMatch(/^cval:/m);
  expect(targets.code).toBe(0);
  summary = JSON.parse(targets.stdout);
}, 300_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a rep who moves team, through cval', () => {
  it('plans the mover in A for the first half and in B for the second, at full share, and the reps add up to the teams', async () => {
    const mismatches = await query(`
      select t.period_id, sum(t.original_target) as teams, r.reps
      from targets t join (
        select period_id, sum(original_target) as reps from targets
        where as_of = '2026-01-05' and scope like 'rep:%' group by period_id
      ) r on r.period_id = t.period_id
      where t.as_of = '2026-01-05' and t.scope in ('team:A', 'team:B')
      group by t.period_id, r.reps
      having sum(t.original_target) <> r.reps`);
    expect(mismatches).toEqual([]);
    const days = await query(`
      select scope, period_id, original_target from targets
      where as_of = '2026-01-05' and level = 'day' and period_id in ('2026-01-06', '2026-07-01')`);
    const at = (scope: string, day: string) =>
      cents(days.find((r) => r.scope === scope && r.period_id === day)?.original_target);
    expect(at('rep:r5', '2026-01-06')).toBeGreaterThan(0);
    expect(at('rep:r5', '2026-01-06') / at('rep:r1', '2026-01-06')).toBeCloseTo(1, 2);
    expect(at('rep:r2', '2026-01-06')).toBe(at('team:B', '2026-01-06'));
    expect(at('rep:r5', '2026-07-01') / at('rep:r2', '2026-07-01')).toBeCloseTo(1, 2);
    // r9 is in A until B takes it on 1 September (its rows overlap from then).
    expect(at('rep:r1', '2026-07-01') + at('rep:r9', '2026-07-01')).toBe(at('team:A', '2026-07-01'));
  });

  it('plans overlapping rows in the team of the row that starts later on the shared days, with a warning', async () => {
    expect(summary.errors).toEqual([]);
    expect(summary.warnings).toContainEqual(
      expect.stringMatching(
        /^reps: r9 is in team:A \(from the start, open-ended\) and team:B \(2026-09-01 on\) on the same days from 2026-09-01: planned in team:B/,
      ),
    );
    const days = await query(`
      select scope, period_id, original_target from targets
      where as_of = '2026-01-05' and level = 'day' and scope = 'rep:r9' and period_id in ('2026-08-31', '2026-09-01')`);
    expect(days.map((r) => r.period_id).sort()).toEqual(['2026-08-31', '2026-09-01']);
  });
});
