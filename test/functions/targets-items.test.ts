import { describe, expect, it } from 'vitest';
import { fakeDynamoDb, fakeS3 } from '../../bench/targets.ts';
import { money } from '../../core/money.ts';
import { DEFAULT_TARGETS_CONFIG, planTargets } from '../../core/targets/index.ts';
import { ItemStore } from '../../functions/adapters/item-store.ts';
import { ObjectStore } from '../../functions/adapters/object-store.ts';
import { publishPlan } from '../../functions/targets/run-targets.ts';
import { readRunState, TARGET_RUNS_PK, WRITING_SK } from '../../functions/targets/target-runs.ts';
import { plan, repTeams, run, targets } from '../support/target-plans.ts';

function setup() {
  const dynamo = fakeDynamoDb();
  const items = new ItemStore(dynamo.client as never, 't', { backoffMs: () => 0 });
  const lake = new ObjectStore(fakeS3().client as never, 'lake');
  const snapshot = () =>
    [...dynamo.table]
      .filter(([pk]) => pk.startsWith('TARGET#'))
      .flatMap(([, sks]) => [...sks.values()])
      .map((item) => JSON.stringify(item))
      .sort();
  return { dynamo, items, lake, snapshot };
}

describe('target items written by difference', () => {
  it('a YEAR item per scope and metric and WEEK items for the previous, current and next week', async () => {
    const { items, lake, dynamo } = setup();
    const writes = await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    // company + 2 teams + 6 reps, 4 metrics, 1 + 3 items each.
    expect(writes).toMatchObject({ planned: 9 * 4 * 4, written: 9 * 4 * 4, deleted: 0 });
    const week = await items.get('TARGET#rep:r1#revenue#FY2026', 'WEEK#2026-03-09');
    expect(week).toMatchObject({ period_id: 'FY2026-W11', start_date: '2026-03-09', closed: false });
    const today = (week?.days as Record<string, Record<string, unknown>> | undefined)?.['2026-03-10'];
    expect(Object.keys(today?.half_days as object)).toEqual(['AM', 'PM']);
    expect(await items.get('TARGET#rep:r1#revenue#FY2026', 'WEEK#2026-03-02')).toMatchObject({
      closed: true,
    });
    expect(await items.get('TARGET#rep:r1#revenue#FY2026', 'WEEK#2026-03-16')).toBeDefined();
    expect(await items.get('TARGET#rep:r1#revenue#FY2026', 'WEEK#2026-03-23')).toBeUndefined();
    const year = await items.get('TARGET#company#revenue#FY2026', 'YEAR');
    expect(Object.keys(year?.quarters as object)).toHaveLength(4);
    expect(Object.keys(year?.months as object)).toHaveLength(12);
    // Money stays exact: the days add up to the week to the cent.
    const days = Object.values(week?.days as Record<string, { target: { toString(): string } }>);
    const cents = days.reduce((sum, d) => sum + BigInt(money(d.target.toString()).times(100).toFixed(0)), 0n);
    expect(cents).toBe(BigInt(money(String(week?.target)).times(100).toFixed(0)));
    expect(dynamo.stats.batchCalls).toBe(Math.ceil(writes.written / 25));
  });

  it('a rerun of the same week writes nothing, and the next week writes only what changed', async () => {
    const { items, lake, dynamo, snapshot } = setup();
    await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    const first = snapshot();
    const calls = dynamo.stats.batchCalls;
    const again = await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    expect(again).toMatchObject({ written: 0, deleted: 0, batches: 0 });
    expect(dynamo.stats.batchCalls).toBe(calls);
    expect(snapshot()).toEqual(first);

    const next = await publishPlan({ lake, items }, plan('2026-03-16'), run('2026-03-16'));
    // The week that left the window is deleted; the week that entered it is new.
    expect(next.deleted).toBe(9 * 4);
    expect(await items.get('TARGET#rep:r1#revenue#FY2026', 'WEEK#2026-03-02')).toBeUndefined();
    expect(await items.get('TARGET#rep:r1#revenue#FY2026', 'WEEK#2026-03-23')).toBeDefined();
    expect(next.written).toBeLessThanOrEqual(next.planned);
  });

  it("keeps the run record within DynamoDB's item size however many errors the plan has", async () => {
    // A targets file whose rounded shares fail in every team gives an error per line, each naming
    // its siblings: thousands of them, past the 400 KB an item may hold.
    const { items, lake, dynamo } = setup();
    const errors = Array.from(
      { length: 5000 },
      (_, i) => `targets/plan.csv line ${i + 2}: ${'x'.repeat(200)}`,
    );
    await publishPlan({ lake, items }, plan('2026-03-09'), { ...run('2026-03-09'), errors });
    const record = dynamo.table.get(TARGET_RUNS_PK)?.get('AS_OF#2026-03-09');
    expect(record).toMatchObject({ errors_count: 5000 });
    expect((record?.errors as string[] | undefined)?.slice(0, 2)).toEqual(errors.slice(0, 2));
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(300_000);
  });

  it("keeps the run record within DynamoDB's item size however many warnings the plan has", async () => {
    // A share file whose amounts are rounded to whole yuan warns on every row (amount and share
    // disagree by cents): 20,000 rows at the design's scale, past 400 KB.
    const { items, lake, dynamo } = setup();
    const warnings = Array.from(
      { length: 5000 },
      (_, i) => `targets/plan.csv: line ${i + 2}: ${'w'.repeat(180)}`,
    );
    await publishPlan({ lake, items }, { ...plan('2026-03-09'), warnings }, run('2026-03-09'));
    const record = dynamo.table.get(TARGET_RUNS_PK)?.get('AS_OF#2026-03-09');
    expect(record).toMatchObject({ warnings_count: 5000 });
    expect((record?.warnings as string[] | undefined)?.slice(0, 2)).toEqual(warnings.slice(0, 2));
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(300_000);
  });

  it('writes only the items whose content changed', async () => {
    const { items, lake } = setup();
    // Last year's targets: a closed year, planned the same every week.
    const lastYear = targets.map((t) => ({ ...t, fiscal_year: 2025 }));
    await publishPlan({ lake, items }, plan('2026-03-09', [...lastYear, ...targets]), run('2026-03-09'));
    const next = await publishPlan(
      { lake, items },
      plan('2026-03-16', [...lastYear, ...targets]),
      run('2026-03-16'),
    );
    // FY2025's YEAR items did not change; FY2026's planned items all moved (a week closed).
    const fy2026 = 9 * 4 * 4;
    expect(next.planned).toBe(fy2026 + 9 * 4);
    expect(next.written).toBe(fy2026);
  });

  it('deletes the items of a scope no longer planned', async () => {
    const { items, lake, snapshot } = setup();
    await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    const withoutProfit = targets.filter((t) => t.metric !== 'profit');
    const next = await publishPlan({ lake, items }, plan('2026-03-09', withoutProfit), run('2026-03-09'));
    expect(next).toMatchObject({ written: 0, deleted: 9 * 4 });
    expect(snapshot().some((i) => i.includes('#profit#'))).toBe(false);
  });

  it('a run that crashed while writing is not trusted: the rerun converges to the same items', async () => {
    const clean = setup();
    await publishPlan({ lake: clean.lake, items: clean.items }, plan('2026-03-09'), run('2026-03-09'));
    await publishPlan({ lake: clean.lake, items: clean.items }, plan('2026-03-16'), run('2026-03-16'));

    const crashed = setup();
    await publishPlan({ lake: crashed.lake, items: crashed.items }, plan('2026-03-09'), run('2026-03-09'));
    // A run with other inputs (a scope dropped) crashes after writing its items, before its record.
    const withoutProfit = targets.filter((t) => t.metric !== 'profit');
    const failing = new ItemStore(
      {
        send: async (command: { constructor: { name: string }; input: { Item?: { SK?: string } } }) => {
          if (command.constructor.name === 'PutCommand' && command.input.Item?.SK?.startsWith('AS_OF#'))
            throw new Error('crash');
          return crashed.dynamo.client.send(command as never);
        },
      } as never,
      't',
    );
    await expect(
      publishPlan(
        { lake: crashed.lake, items: failing },
        plan('2026-03-16', withoutProfit),
        run('2026-03-16'),
      ),
    ).rejects.toThrow('crash');
    const state = await readRunState(crashed.items);
    expect(state.pending).toHaveLength(1);
    expect(await crashed.items.get(TARGET_RUNS_PK, WRITING_SK)).toBeDefined();

    await publishPlan({ lake: crashed.lake, items: crashed.items }, plan('2026-03-16'), run('2026-03-16'));
    expect(crashed.snapshot()).toEqual(clean.snapshot());
    expect((await readRunState(crashed.items)).pending).toEqual([]);
  });

  it('writes no goal items for a scope whose key DynamoDB cannot take, and says so, instead of failing', async () => {
    // A rep id of 700 CJK characters is 2,100 bytes: TARGET#rep:<id>#... passes the 2,048 bytes of
    // a partition key, and the batch write failed the whole weekly run. (The fake table takes it.)
    const longRep = '员'.repeat(700);
    const renamed = targets.map((record) =>
      record.scope === 'rep:r1' ? { ...record, scope: `rep:${longRep}` } : record,
    );
    const teams = { ...repTeams, [longRep]: repTeams.r1 as string };
    delete teams.r1;
    const { items, lake, dynamo } = setup();
    const planned = planTargets({
      targets: renamed,
      actuals: [],
      config: DEFAULT_TARGETS_CONFIG,
      asOf: '2026-03-09',
      repTeams: teams,
    });
    const writes = await publishPlan({ lake, items }, planned, run('2026-03-09'));
    expect(writes.warnings).toContainEqual(
      expect.stringMatching(
        /^4 target series have a key too long for DynamoDB \(TARGET#<scope>#<metric>#FY<year> over 2,048 bytes; "rep:员员员员员员员员员员员员员员员员…", its key [\d,]+ bytes\): no goal items are written for them; their rows are in targets/,
      ),
    );
    expect([...dynamo.table.keys()].filter((pk) => pk.includes(longRep))).toEqual([]);
    expect(await items.get('TARGET#rep:r2#revenue#FY2026', 'YEAR')).toBeDefined();
  });
});
