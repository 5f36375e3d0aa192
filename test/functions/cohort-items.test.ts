import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { resultTable } from '../../core/tables.ts';
import type { Item, ItemStore } from '../../functions/adapters/item-store.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { compute } from '../../functions/compute/handler.ts';
import { type ComputePorts, type RunSummary, runCompute } from '../../functions/compute/run-compute.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { nightly } from '../../functions/scale-out/handler.ts';
import { runScaleOut } from '../../functions/scale-out/run-scale-out.ts';
import { planRun } from '../../functions/scale-out/steps.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

/**
 * A `COHORT#<dimension>#<cohort>`/`LATEST` item is the cohort's figures in the newest run: a
 * cohort the newest run no longer has (its export withdrawn, the newest day re-run over fewer
 * exports) loses its item, as a customer does, on the embedded compute and on the scale-out path
 * (whose combine step writes the cohort items).
 */

/** `customers` customers, two orders each, all first ordering in `month` (their acquisition cohort). */
const orders = (prefix: string, customers: number, month: string) =>
  [
    'order_id,customer_id,order_date,revenue',
    ...Array.from(
      { length: customers * 2 },
      (_, i) => `${prefix}O${i},${prefix}${i % customers},${month}-1${i % 9},${10 + (i % 7)}.25`,
    ),
  ].join('\n');

const JANUARY = 'acquisition_month#2025-01';
const FEBRUARY = 'acquisition_month#2025-02';
const MARCH = 'acquisition_month#2025-03';

/** The cohorts of a day's published cohort_metrics, by `<dimension>#<cohort>`, with their customers. */
async function publishedCohorts(lake: ObjectStore, asOf: string): Promise<Map<string, number>> {
  const table = resultTable('cohort_metrics');
  const columns = table.columns.filter((c) => ['cohort_dimension', 'cohort', 'customers'].includes(c.name));
  const cohorts = new Map<string, number>();
  for (const key of await lake.list(`results/cohort_metrics/as_of=${asOf}/`))
    for (const row of await decodeParquet(await lake.getBytes(key), columns))
      cohorts.set(`${row.cohort_dimension}#${row.cohort}`, Number(row.customers));
  return cohorts;
}

/** The LATEST item of each cohort, undefined where there is none. */
async function cohortItems(env: LocalEnv, keys: Iterable<string>): Promise<Map<string, Item | undefined>> {
  const items = new Map<string, Item | undefined>();
  for (const key of [...keys].sort()) items.set(key, await env.ports().items.get(`COHORT#${key}`, 'LATEST'));
  return items;
}

/** The newest run's cohorts each have their item, with that run's figures. */
async function expectCurrent(env: LocalEnv, asOf: string, cohorts: Map<string, number>) {
  for (const [key, item] of await cohortItems(env, cohorts.keys()))
    expect(item, key).toMatchObject({ as_of: asOf, customers: cohorts.get(key) });
}

async function expectGone(env: LocalEnv, keys: Iterable<string>) {
  for (const [key, item] of await cohortItems(env, keys)) expect(item, key).toBeUndefined();
}

async function upload(env: LocalEnv, key: string, body: string) {
  await ingest((await env.upload(key, body)) as never);
}

async function withdraw(env: LocalEnv, key: string) {
  await ingest((await env.remove(key)) as never);
}

/** The lake of a run that dies once its items are written, before anything is published. */
function dyingBeforePublishing(lake: ObjectStore): ObjectStore {
  return Object.assign(Object.create(Object.getPrototypeOf(lake)), lake, {
    publishFolder: async () => {
      throw new Error('simulated death before publishing');
    },
  }) as ObjectStore;
}

/** The table of a run that dies while publishing: its tables moved to results/, its run record never written. */
function dyingAtTheRunRecord(items: ItemStore): ItemStore {
  return Object.assign(Object.create(Object.getPrototypeOf(items)), items, {
    put: async (item: Item) => {
      if (item.PK === 'RUNS') throw new Error('simulated death while publishing');
      return items.put(item);
    },
  }) as ItemStore;
}

const APRIL = 'acquisition_month#2025-04';

const paths = [
  {
    path: 'the embedded compute',
    config: {},
    buckets: 1,
    run: (asOf: string) => compute({ as_of: asOf }),
    dyingRun: (ports: ComputePorts, asOf: string) => runCompute(ports, asOf),
  },
  {
    path: 'the scale-out path',
    config: { compute: { scaleOutAboveBytes: 0, buckets: 2 } },
    buckets: 2,
    run: (asOf: string) => nightly({ as_of: asOf }),
    dyingRun: async (ports: ComputePorts, asOf: string): Promise<RunSummary> => {
      const plan = await planRun(ports, asOf, { database: 'customer_value' });
      if (!plan.scale_out) throw new Error('expected the run to scale out');
      return runScaleOut(ports, { ...plan, scale_out: true });
    },
  },
] as const;

describe.each(paths)('cohort items on $path', ({ config, buckets, run, dyingRun }) => {
  let env: LocalEnv;
  beforeAll(async () => {
    process.env.CVAL_CONFIG = JSON.stringify(config);
    env = await startLocalEnv();
  });
  afterAll(async () => {
    delete process.env.CVAL_CONFIG;
    await env?.close();
  });

  it('a cohort whose export is withdrawn loses its item on a re-run of the newest day; the others are current', async () => {
    await upload(env, 'transactions/january.csv', orders('J', 4, '2025-01'));
    await upload(env, 'transactions/february.csv', orders('F', 3, '2025-02'));
    await run('2025-03-20');
    // The path taken: the scaled run writes customer_metrics in one part per bucket.
    const parts = await env.ports().lake.list('results/customer_metrics/as_of=2025-03-20/');
    expect(parts).toHaveLength(buckets);
    const before = await publishedCohorts(env.ports().lake, '2025-03-20');
    expect([...before.keys()]).toEqual(expect.arrayContaining([JANUARY, FEBRUARY]));
    expect(before.get(FEBRUARY)).toBe(3);
    await expectCurrent(env, '2025-03-20', before);

    // February's export withdrawn, the same day run again over January's alone.
    await withdraw(env, 'transactions/february.csv');
    const rerun = await run('2025-03-20');
    const after = await publishedCohorts(env.ports().lake, '2025-03-20');
    const gone = [...before.keys()].filter((key) => !after.has(key));
    expect(gone).toContain(FEBRUARY);
    expect(after.get(JANUARY)).toBe(4);
    await expectGone(env, gone);
    await expectCurrent(env, '2025-03-20', after);
    expect(await env.ports().items.get('CUSTOMER#F0', 'LATEST')).toBeUndefined();
    // Three customers and every cohort that only February's customers made.
    expect(rerun.items.deleted).toBe(3 + gone.length);

    // Idempotent: the same run again writes the same items and has nothing left to delete.
    const items = await cohortItems(env, before.keys());
    const again = await run('2025-03-20');
    expect(again.run_id).toBe(rerun.run_id);
    expect(again.items).toEqual({ written: rerun.items.written, deleted: 0 });
    expect(await cohortItems(env, before.keys())).toEqual(items);
  });

  it('a cohort gone by a later day loses its item; re-running an earlier day changes no item', async () => {
    // February back, a later day; then January withdrawn, the day after.
    await upload(env, 'transactions/february.csv', orders('F', 3, '2025-02'));
    await run('2025-03-21');
    const both = await publishedCohorts(env.ports().lake, '2025-03-21');
    expect([...both.keys()]).toEqual(expect.arrayContaining([JANUARY, FEBRUARY]));
    await expectCurrent(env, '2025-03-21', both);

    await withdraw(env, 'transactions/january.csv');
    const later = await run('2025-03-22');
    const february = await publishedCohorts(env.ports().lake, '2025-03-22');
    const gone = [...both.keys()].filter((key) => !february.has(key));
    expect(gone).toContain(JANUARY);
    expect(february.has(FEBRUARY)).toBe(true);
    await expectGone(env, gone);
    await expectCurrent(env, '2025-03-22', february);
    expect(later.items.deleted).toBe(4 + gone.length);

    // An earlier day, re-run over February's export alone, does not move the lookups back.
    const earlier = await run('2025-03-21');
    expect(earlier.items).toEqual({ written: 0, deleted: 0 });
    await expectGone(env, gone);
    await expectCurrent(env, '2025-03-22', february);
  });

  it('a cohort only a run that died before publishing had loses its item on the next run', async () => {
    // March's customers make a cohort that only the run that dies sees.
    await upload(env, 'transactions/march.csv', orders('M', 2, '2025-03'));
    const ports = { ...env.ports(), config: parseConfig(config) };
    await expect(
      dyingRun({ ...ports, lake: dyingBeforePublishing(ports.lake) }, '2025-03-23'),
    ).rejects.toThrow(/simulated death before publishing/);
    expect(await env.ports().items.get(`COHORT#${MARCH}`, 'LATEST')).toMatchObject({ as_of: '2025-03-23' });
    expect(await env.ports().items.get('RUNS', 'LATEST')).toMatchObject({ as_of: '2025-03-22' });
    const staged = await env.ports().lake.list('staging/results/');
    expect(staged.some((key) => key.includes('/cohort_metrics/'))).toBe(true);
    // An earlier day re-run meanwhile moves no lookup and leaves the dead run's staging, the only
    // record of who holds its items, to the next run of the newest day.
    expect((await run('2025-03-21')).items).toEqual({ written: 0, deleted: 0 });
    expect(await env.ports().lake.list('staging/results/')).toEqual(staged);

    // March's export withdrawn before the run is retried: the next run never had March.
    await withdraw(env, 'transactions/march.csv');
    const next = await run('2025-03-23');
    const cohorts = await publishedCohorts(env.ports().lake, '2025-03-23');
    expect(cohorts.has(MARCH)).toBe(false);
    await expectGone(env, [MARCH]);
    await expectCurrent(env, '2025-03-23', cohorts);
    expect(await env.ports().items.get('CUSTOMER#M0', 'LATEST')).toBeUndefined();
    expect(next.items.deleted).toBeGreaterThanOrEqual(2 + 1);
    // The dead run's staging folder went with the next run's publication.
    expect(await env.ports().lake.list('staging/results/')).toEqual([]);
  });

  it('a cohort only a run that died while publishing had loses its item on the next run, a later day', async () => {
    // April's customers make a cohort only the dying run sees; it publishes its tables, then dies
    // before its run record: RUNS/LATEST still names the day before.
    await upload(env, 'transactions/april.csv', orders('A', 2, '2025-04'));
    const ports = { ...env.ports(), config: parseConfig(config) };
    await expect(
      dyingRun({ ...ports, items: dyingAtTheRunRecord(ports.items) }, '2025-04-20'),
    ).rejects.toThrow(/simulated death while publishing/);
    expect((await publishedCohorts(env.ports().lake, '2025-04-20')).has(APRIL)).toBe(true);
    expect(await env.ports().items.get(`COHORT#${APRIL}`, 'LATEST')).toMatchObject({ as_of: '2025-04-20' });
    expect(await env.ports().items.get('RUNS', 'LATEST')).toMatchObject({ as_of: '2025-03-23' });
    // Its staged tables stay (the publication could be run again from them) until the next run.
    expect(await env.ports().lake.list('staging/results/')).not.toEqual([]);
    // The recorded newest day re-run meanwhile is not the newest any more (a later day is
    // published): it moves no lookup back in time.
    expect((await run('2025-03-23')).items).toEqual({ written: 0, deleted: 0 });
    expect(await env.ports().items.get(`COHORT#${APRIL}`, 'LATEST')).toMatchObject({ as_of: '2025-04-20' });

    // April's export withdrawn; the next night is a later day, which never had April.
    await withdraw(env, 'transactions/april.csv');
    const next = await run('2025-04-21');
    // It says that the dead run's day may be published in part, and how to mend it.
    expect(next.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^a run of 2025-04-20 \([0-9a-f]+\) died before it was recorded: .* run 2025-04-20 again/,
        ),
      ]),
    );
    const cohorts = await publishedCohorts(env.ports().lake, '2025-04-21');
    expect(cohorts.has(APRIL)).toBe(false);
    await expectGone(env, [APRIL]);
    await expectCurrent(env, '2025-04-21', cohorts);
    expect(await env.ports().items.get('CUSTOMER#A0', 'LATEST')).toBeUndefined();
    expect(await env.ports().items.get('CUSTOMER#A1', 'LATEST')).toBeUndefined();
    expect(next.items.deleted).toBeGreaterThanOrEqual(2 + 1);
    // The dead run's staged tables went with the next run's publication.
    expect(await env.ports().lake.list('staging/results/')).toEqual([]);
    // A night after it lists nothing past its newest run and deletes nothing.
    expect((await run('2025-04-22')).items.deleted).toBe(0);
  });
});
