import { describe, expect, it } from 'vitest';
import { fakeDynamoDb, fakeS3 } from '../../bench/targets.ts';
import { ItemStore } from '../../functions/adapters/item-store.ts';
import { ObjectStore } from '../../functions/adapters/object-store.ts';
import { publishPlan } from '../../functions/targets/run-targets.ts';
import { readRunState } from '../../functions/targets/target-runs.ts';
import { plan, run, targets } from '../support/target-plans.ts';

/**
 * A manifest named by TARGET_RUNS that the lake no longer has (a restore, a lifecycle rule): the
 * run cannot list what that run wrote, so it finds by Query what it can and says what it could not.
 */
const withoutProfit = targets.filter((t) => t.metric !== 'profit');
const lastYear = targets.map((t) => ({ ...t, fiscal_year: 2025 }));
// company + 2 teams + 6 reps, 4 metrics.
const SERIES = 9 * 4;

function setup() {
  const dynamo = fakeDynamoDb();
  const queries: string[] = [];
  const client = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      if (command.constructor.name === 'QueryCommand')
        queries.push(String((command.input.ExpressionAttributeValues as Record<string, unknown>)[':pk']));
      return dynamo.client.send(command);
    },
  };
  const items = new ItemStore(client as never, 't', { backoffMs: () => 0 });
  const s3 = fakeS3();
  const lake = new ObjectStore(s3.client as never, 'lake');
  const targetItems = () => [...dynamo.table].filter(([pk]) => pk.startsWith('TARGET#'));
  const snapshot = () =>
    targetItems()
      .flatMap(([, sks]) => [...sks.values()])
      .map((item) => JSON.stringify(item))
      .sort();
  const keys = () => targetItems().flatMap(([pk, sks]) => [...sks.keys()].map((sk) => `${pk} ${sk}`));
  /** Deletes what matches from the lake, as a restore or a lifecycle rule would. */
  const lose = (pattern: RegExp) => {
    const gone = [...s3.objects.keys()].filter((key) => pattern.test(key));
    for (const key of gone) s3.objects.delete(key);
    return gone;
  };
  return { dynamo, items, client, lake, queries, snapshot, keys, lose };
}

const MANIFEST_OF = (asOf: string) => new RegExp(`^reports/targets/as_of=${asOf}/items-`);

describe('a previous run whose item manifest the lake lost', () => {
  it("deletes the planned scopes' stale WEEK# items, found by Query, and names the manifest", async () => {
    const { items, lake, keys, lose, queries } = setup();
    await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    const [lost] = lose(MANIFEST_OF('2026-03-09'));
    expect(lost).toBeDefined();

    queries.length = 0;
    const next = await publishPlan({ lake, items }, plan('2026-03-16'), run('2026-03-16'));
    expect(keys().filter((k) => k.endsWith('WEEK#2026-03-02'))).toEqual([]);
    expect(next.deleted).toBe(SERIES);
    expect(next.written).toBe(next.planned);
    expect(next.warnings.join('\n')).toContain(lost);
    // The run records and every partition the plan writes, each once.
    expect(queries.filter((pk) => pk.startsWith('TARGET#')).sort()).toEqual(
      [...new Set(keys().map((k) => k.split(' ')[0] as string))].sort(),
    );
  });

  it('finds the partitions of scopes no longer planned in the targets Parquet of that week', async () => {
    const { items, lake, keys, lose } = setup();
    await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    lose(MANIFEST_OF('2026-03-09'));
    const next = await publishPlan({ lake, items }, plan('2026-03-16', withoutProfit), run('2026-03-16'));
    expect(keys().filter((k) => k.includes('#profit#'))).toEqual([]);
    expect(keys().filter((k) => k.endsWith('WEEK#2026-03-02'))).toEqual([]);
    // profit: YEAR and 3 weeks per scope; the others: the week that left the window.
    expect(next.deleted).toBe(9 * 4 + (SERIES - 9));
    expect(next.warnings.join('\n')).toContain('results/targets/as_of=2026-03-09/');
  });

  it('after a restore that lost the week too, reads the newest earlier week the lake still has', async () => {
    const { items, lake, keys, lose } = setup();
    await publishPlan({ lake, items }, plan('2026-03-02'), run('2026-03-02'));
    await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    lose(/as_of=2026-03-09\//);
    const next = await publishPlan({ lake, items }, plan('2026-03-16', withoutProfit), run('2026-03-16'));
    expect(keys().filter((k) => k.includes('#profit#'))).toEqual([]);
    expect(next.warnings.join('\n')).toContain('results/targets/as_of=2026-03-02/');
  });

  it('says which items it could not find when the lake has no Parquet of the plan either', async () => {
    const { items, lake, keys, lose } = setup();
    await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    lose(/as_of=2026-03-09\//);
    const next = await publishPlan({ lake, items }, plan('2026-03-16', withoutProfit), run('2026-03-16'));
    // Planned partitions are clean; the withdrawn metric's cannot be found without a Scan.
    expect(keys().filter((k) => k.endsWith('WEEK#2026-03-02') && !k.includes('#profit#'))).toEqual([]);
    expect(keys().filter((k) => k.includes('#profit#'))).toHaveLength(9 * 4);
    const warning = next.warnings.find((w) => w.includes('reports/targets/as_of=2026-03-09/items-'));
    expect(warning).toMatch(/no longer planned/);
    expect(warning).toMatch(/scope, metric, fiscal_year/);
  });

  it("a crashed run's lost manifest: its staged Parquet names what it wrote, and the rerun converges", async () => {
    const clean = setup();
    await publishPlan({ lake: clean.lake, items: clean.items }, plan('2026-03-09'), run('2026-03-09'));
    await publishPlan({ lake: clean.lake, items: clean.items }, plan('2026-03-16'), run('2026-03-16'));

    const crashed = setup();
    await publishPlan({ lake: crashed.lake, items: crashed.items }, plan('2026-03-09'), run('2026-03-09'));
    // A run with last year's scopes too dies after writing its items, before publishing.
    const failing = new ItemStore(
      {
        send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
          if (
            command.constructor.name === 'BatchWriteCommand' &&
            JSON.stringify(command.input).includes('Delete')
          )
            throw new Error('crash');
          return crashed.client.send(command);
        },
      } as never,
      't',
    );
    await expect(
      publishPlan(
        { lake: crashed.lake, items: failing },
        plan('2026-03-16', [...lastYear, ...targets]),
        run('2026-03-16'),
      ),
    ).rejects.toThrow('crash');
    expect(crashed.keys().some((k) => k.includes('#FY2025'))).toBe(true);
    const [lost] = crashed.lose(MANIFEST_OF('2026-03-16'));
    expect((await readRunState(crashed.items)).pending).toEqual([lost]);

    const rerun = await publishPlan(
      { lake: crashed.lake, items: crashed.items },
      plan('2026-03-16'),
      run('2026-03-16'),
    );
    expect(rerun.warnings.join('\n')).toContain(lost);
    // Its week was never published: only the folder it staged lists last year's scopes.
    expect(rerun.warnings.join('\n')).toContain('staging/results/r-2026-03-16/targets/as_of=2026-03-16/');
    expect(crashed.snapshot()).toEqual(clean.snapshot());
    expect((await readRunState(crashed.items)).pending).toEqual([]);
  });

  it('with every manifest readable, reads nothing more than the run records', async () => {
    const { items, lake, queries } = setup();
    await publishPlan({ lake, items }, plan('2026-03-09'), run('2026-03-09'));
    queries.length = 0;
    const next = await publishPlan({ lake, items }, plan('2026-03-16', withoutProfit), run('2026-03-16'));
    expect(queries).toEqual(['TARGET_RUNS']);
    expect(next.warnings.join('\n')).not.toMatch(/manifest/);
  });
});
