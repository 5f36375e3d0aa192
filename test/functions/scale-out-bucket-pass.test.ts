import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { Money } from '../../core/money.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { decodePass, encodePass } from '../../functions/scale-out/pass-codec.ts';
import { type BucketTotals, type RunPlan, runKeys } from '../../functions/scale-out/run-folder.ts';
import { combineRun } from '../../functions/scale-out/steps.ts';
import { type LocalS3, startLocalS3 } from '../support/local-env.ts';
import { MemoryTable } from '../support/memory-table.ts';

/** Equal at every depth, typed arrays element by element with Object.is (NaN and -0 count). */
function expectSame(actual: unknown, expected: unknown, path = '$'): void {
  if (expected instanceof Float64Array || expected instanceof Int32Array) {
    expect(actual?.constructor, path).toBe(expected.constructor);
    const array = actual as Float64Array | Int32Array;
    expect(array.length, path).toBe(expected.length);
    for (let i = 0; i < expected.length; i++)
      expect(Object.is(array[i], expected[i]), `${path}[${i}]`).toBe(true);
    return;
  }
  if (expected instanceof Money) {
    expect(actual, path).toBeInstanceOf(Money);
    expect((actual as Money).toString(), path).toBe(expected.toString());
    return;
  }
  if (expected instanceof Map) {
    expect(actual, path).toBeInstanceOf(Map);
    expect([...(actual as Map<unknown, unknown>).keys()], path).toEqual([...expected.keys()]);
    for (const [key, value] of expected)
      expectSame((actual as Map<unknown, unknown>).get(key), value, `${path}.get(${key})`);
    return;
  }
  if (typeof expected === 'number') {
    expect(Object.is(actual, expected), `${path}: ${actual} against ${expected}`).toBe(true);
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected))
      expectSame((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toBe(expected);
}

describe('a bucket pass file', () => {
  it('reads back the very values written: bits of every double, exact decimals, maps, non-finite numbers', () => {
    const value = {
      margins: Float64Array.from([Number.NaN, -0, 0.1 + 0.2, Number.POSITIVE_INFINITY, -1e-310, 2 ** 53 + 2]),
      days: Int32Array.from([-719_162, 0, 2 ** 31 - 1]),
      // A typed array viewing part of a bigger buffer writes only its own bytes.
      view: new Float64Array(new Float64Array([1, 2, 3, 4]).buffer, 8, 2),
      amount: new Money('123456789012345678901234.5678'),
      tiny: new Money('-0.000000000000000000001'),
      exact: new Map<number, Money>([
        [3, new Money('0.001')],
        [17, new Money('-90071992547409.93')],
      ]),
      portfolioMargin: Number.NaN,
      nested: [{ id: 'c"1\\n', cells: [{ revenue: new Money('1.10'), customers: 2 }] }],
      nothing: null,
    };
    const text = encodePass(value);
    expectSame(decodePass(text), { ...value, view: Float64Array.from([2, 3]) });
    // Text, not a binary format of one Node version.
    expect(() => JSON.parse(text)).not.toThrow();
  });
});

describe('the combine step', () => {
  let s3: LocalS3;
  let lake: ObjectStore;
  beforeAll(async () => {
    s3 = await startLocalS3(['lake']);
    lake = s3.store('lake');
  });
  afterAll(async () => {
    await s3?.close();
  });

  const plan: RunPlan = {
    as_of: '2025-03-31',
    run_id: 'run-with-a-lost-line',
    export_ids: ['tx'],
    buckets: 2,
    export_warnings: [],
    backtest_from: [],
    transaction_totals: { lines: 5, revenue: '50.00', cost: '20.00', returned_amount: '0.00' },
  };
  const bucket = (b: number, lines: number, revenue: string): BucketTotals => ({
    bucket: b,
    lines,
    customers: 1,
    revenue,
    cost: '10.00',
    returned_amount: '0.00',
  });

  it('stops a run whose buckets do not add up to the exports control totals, before reading anything else', async () => {
    await lake.put(runKeys.plan(plan.run_id), JSON.stringify(plan), 'application/json');
    await lake.put(runKeys.totals(plan.run_id, 0), JSON.stringify(bucket(0, 3, '30.00')), 'application/json');
    await lake.put(runKeys.totals(plan.run_id, 1), JSON.stringify(bucket(1, 1, '20.00')), 'application/json');
    const ports = { lake, items: new MemoryTable(), config: parseConfig({}) };
    await expect(combineRun(ports, plan.as_of, plan.run_id)).rejects.toThrow(
      /partition of run run-with-a-lost-line does not hold the exports' transactions: \{"lines":4,"revenue":"50.00".*against \{"lines":5/,
    );
    // The lines all there: it gets past the check (to find this made-up run has no exports).
    await lake.put(runKeys.totals(plan.run_id, 1), JSON.stringify(bucket(1, 2, '20.00')), 'application/json');
    await expect(combineRun(ports, plan.as_of, plan.run_id)).rejects.toThrow(
      /curated parts of run run-with-a-lost-line's exports changed/,
    );
  });

  it('refuses a plan written before the buckets passed (no control totals to hold them to)', async () => {
    const { transaction_totals: _none, ...old } = plan;
    await lake.put(
      runKeys.plan('old-run'),
      JSON.stringify({ ...old, run_id: 'old-run' }),
      'application/json',
    );
    const ports = { lake, items: new MemoryTable(), config: parseConfig({}) };
    await expect(combineRun(ports, plan.as_of, 'old-run')).rejects.toThrow(
      /planned by an earlier version; plan it again/,
    );
  });
});
