/**
 * Targets part two end to end (#18): a small generated exports folder with a `reps` roster (capacity,
 * a new rep ramping up, a leaver), a plan and a stretch scenario, and a catch-up cap, through
 * `cval run` and `cval targets`; then a `holidays` export uploaded and the plan following it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  root = await mkdtemp(join(tmpdir(), 'cval-roster-'));
  exportsDir = join(root, 'exports');
  out = join(root, 'out');
  // Sales in January and February only, by reps a and b of team north; some carry a time of day.
  const sales = ['order_id,customer_id,order_date,revenue,rep_id,team,order_time'];
  let n = 0;
  for (const date of ['2026-01-06', '2026-01-13', '2026-01-20', '2026-02-03', '2026-02-10', '2026-03-03']) {
    for (const rep of ['a', 'b']) {
      n += 1;
      sales.push(`O${n},C${n},${date},1000.00,${rep},north,${n % 2 ? '09:30' : '15:10'}`);
    }
  }
  await write('transactions/sales.csv', `${sales.join('\n')}\n`);
  await write(
    'targets/fy2026.csv',
    [
      'fiscal_year,metric,amount,scope,share,scenario',
      '2026,revenue,2000000.00,company,,',
      '2026,revenue,0,team:north,100%,',
      '2026,revenue,2600000.00,company,,stretch',
      '2026,revenue,0,team:north,100%,stretch',
      '',
    ].join('\n'),
  );
  // a has twice b's capacity; c starts on 2 March (25/50/75 % ramp); d (no sales at all) leaves on 27 February.
  await write(
    'reps/roster.csv',
    [
      '销售代表,团队,入职日期,离职日期,产能',
      'a,north,2024-01-01,,2',
      'b,north,2024-01-01,,1',
      'c,north,2026-03-02,,1',
      'd,north,2025-06-01,2026-02-27,1',
      '',
    ].join('\n'),
  );
  const config = join(root, 'config.json');
  // No catch-up at all above the original: the Q1 shortfall cannot be spread.
  await writeFile(config, JSON.stringify({ targets: { replan: { catchUpCap: '0.05' } } }));
  await makeLocalTable(join(out, 'state'));
  const run = await cval([
    'run',
    exportsDir,
    '--as-of',
    '2026-03-16',
    '--config',
    config,
    '--out',
    out,
    '--json',
  ]);
  expect(run.stderr).not.toMatch(/^cval:/m);
  expect(run.code).toBe(0);
  const targets = await cval(['targets', '--week', '2026-W12', '--out', out, '--json']);
  expect(targets.stderr).not.toMatch(/^cval:/m);
  expect(targets.code).toBe(0);
  summary = JSON.parse(targets.stdout);
}, 300_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('targets with a roster, scenarios and a catch-up cap, through cval', () => {
  it('splits team north among the roster by capacity, and the reps add up to the team in every period', async () => {
    expect(summary.errors).toEqual([]);
    const mismatches = await query(`
      select t.period_id, t.original_target as team, sum(r.original_target) as reps
      from targets t join targets r
        on r.as_of = t.as_of and r.scenario = t.scenario and r.period_id = t.period_id
       and r.metric = t.metric and r.scope like 'rep:%'
      where t.as_of = '2026-03-16' and t.scope = 'team:north'
      group by t.scenario, t.period_id, t.original_target
      having sum(r.original_target) <> t.original_target`);
    expect(mismatches).toEqual([]);
    const reps = await query(`
      select scope, original_target from targets
      where as_of = '2026-03-16' and scenario = 'plan' and level = 'day' and period_id = '2026-01-06'
        and scope like 'rep:%' order by scope`);
    const byScope = Object.fromEntries(reps.map((r) => [r.scope, cents(r.original_target)]));
    expect(byScope['rep:c']).toBe(0); // not started yet
    expect(byScope['rep:a']).toBeGreaterThan(0);
    expect((byScope['rep:a'] as number) / (byScope['rep:b'] as number)).toBeCloseTo(2, 2);
    // d had no sales: the roster still gives d a share, b's to the cent (largest remainder aside).
    expect(Math.abs((byScope['rep:d'] as number) - (byScope['rep:b'] as number))).toBeLessThanOrEqual(1);
  });

  it('ramps the new rep and stops the leaver the day after ended_on, the others carrying the difference', async () => {
    const days = await query(`
      select scope, period_id, original_target from targets
      where as_of = '2026-03-16' and scenario = 'plan' and level = 'day'
        and period_id in ('2026-02-27', '2026-03-02', '2026-04-07', '2026-06-02') and scope like 'rep:%'`);
    const at = (scope: string, day: string) =>
      cents(days.find((r) => r.scope === scope && r.period_id === day)?.original_target);
    expect(at('rep:d', '2026-02-27')).toBeGreaterThan(0);
    expect(at('rep:d', '2026-03-02')).toBe(0);
    expect(at('rep:c', '2026-03-02') / at('rep:b', '2026-03-02')).toBeCloseTo(0.25, 2);
    expect(at('rep:c', '2026-04-07') / at('rep:b', '2026-04-07')).toBeCloseTo(0.5, 2);
    expect(at('rep:c', '2026-06-02') / at('rep:b', '2026-06-02')).toBeCloseTo(1, 2);
    expect(at('rep:b', '2026-03-02')).toBeGreaterThan(at('rep:b', '2026-02-27'));
  });

  it('caps catch-up and reports the unrecoverable gap per scope', async () => {
    expect(summary.warnings.join('\n')).toMatch(/cannot make up their shortfall .* unrecoverable_gap/);
    const [year] = await query(`
      select original_target, target, unrecoverable_gap from targets
      where as_of = '2026-03-16' and scenario = 'plan' and level = 'year' and scope = 'company' and metric = 'revenue'`);
    expect(cents(year?.unrecoverable_gap)).toBeGreaterThan(0);
    expect(cents(year?.target) + cents(year?.unrecoverable_gap)).toBe(cents(year?.original_target));
    const over = await query(`
      select period_id from targets
      where as_of = '2026-03-16' and scenario = 'plan' and level = 'day' and not closed
        and scope = 'company' and target > original_target * 1.05 + 0.01`);
    expect(over).toEqual([]);
  });

  it('plans the stretch scenario beside the plan; the lookups serve the plan', async () => {
    const years = await query(`
      select scenario, original_target from targets
      where as_of = '2026-03-16' and level = 'year' and scope = 'company' and metric = 'revenue' order by scenario`);
    expect(years.map((r) => [r.scenario, cents(r.original_target)])).toEqual([
      ['plan', 200_000_000],
      ['stretch', 260_000_000],
    ]);
    const items = (await readFile(join(out, 'dynamodb.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const year = items.find((i) => i.PK === 'TARGET#company#revenue#FY2026' && i.SK === 'YEAR');
    expect(Number(year.original_target)).toBe(2_000_000);
    const repWeek = items.find((i) => i.PK === 'TARGET#rep:c#revenue#FY2026' && i.SK === 'WEEK#2026-03-16');
    expect(Number(repWeek.days['2026-03-17'].target)).toBeGreaterThan(0);
  });

  it('gives half-days actuals from order_time', async () => {
    const halves = await query(`
      select period_id, actual from targets
      where as_of = '2026-03-16' and scenario = 'plan' and scope = 'rep:a' and metric = 'revenue'
        and period_id in ('2026-01-06-AM', '2026-01-06-PM') order by period_id`);
    expect(halves.map((r) => cents(r.actual))).toEqual([100_000, 0]);
  });

  it('follows a holidays export on the next run: a company day off loses its goal, the year is no longer provisional', async () => {
    expect(summary.warnings.join('\n')).toMatch(/FY2026: 2027 planned on China's statutory holidays by rule/);
    const dayGoal = async () =>
      (
        await query(`
          select original_target from targets where as_of = '2026-03-16' and scenario = 'plan'
            and scope = 'company' and metric = 'revenue' and period_id = '2026-12-31'`)
      )[0]?.original_target;
    expect(cents(await dayGoal())).toBeGreaterThan(0);
    await write(
      'holidays/official.csv',
      'date,kind,name\n2027-01-01,holiday,元旦\n2026-12-31,holiday,company day off\n',
    );
    const run = await cval(['run', exportsDir, '--as-of', '2026-03-16', '--out', out, '--json']);
    expect(run.code).toBe(0);
    const again = await cval(['targets', '--week', '2026-W12', '--out', out, '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { warnings: string[] }).warnings.join('\n')).not.toMatch(
      /statutory holidays by rule/,
    );
    expect(cents(await dayGoal())).toBe(0);
  }, 300_000);
});
