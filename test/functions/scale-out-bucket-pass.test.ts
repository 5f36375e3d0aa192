import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { Money, money } from '../../core/money.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import { type BucketPass, passBucket } from '../../functions/scale-out/bucket-pass.ts';
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
    // valueOf keeps the sign of zero, which toString drops.
    expect((actual as Money).valueOf(), path).toBe(expected.valueOf());
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

let s3: LocalS3;
let lake: ObjectStore;
beforeAll(async () => {
  s3 = await startLocalS3(['lake']);
  lake = s3.store('lake');
});
afterAll(async () => {
  await s3?.close();
});

describe('a bucket pass file', () => {
  it('reads back the very values written: bits of every double, exact decimals, maps, non-finite numbers', () => {
    const value = {
      margins: Float64Array.from([Number.NaN, -0, 0.1 + 0.2, Number.POSITIVE_INFINITY, -1e-310, 2 ** 53 + 2]),
      days: Int32Array.from([-719_162, 0, 2 ** 31 - 1]),
      // A typed array viewing part of a bigger buffer writes only its own bytes.
      view: new Float64Array(new Float64Array([1, 2, 3, 4]).buffer, 8, 2),
      amount: new Money('123456789012345678901234.5678'),
      tiny: new Money('-0.000000000000000000001'),
      negativeZero: new Money('-0'),
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
  const plan: RunPlan = {
    as_of: '2025-03-31',
    run_id: 'run-with-a-lost-line',
    export_ids: ['tx'],
    buckets: 2,
    export_warnings: [],
    backtest_from: [],
    transaction_totals: { lines: 5, revenue: '50.00', cost: '20.00', returned_amount: '0.00' },
    customer_rows: 4,
  };
  const bucket = (b: number, lines: number, revenue: string, customerRows = 2): BucketTotals => ({
    bucket: b,
    lines,
    customers: 1,
    revenue,
    cost: '10.00',
    returned_amount: '0.00',
    customer_rows: customerRows,
  });

  it('stops a run whose buckets do not add up to the exports control totals, before reading anything else', async () => {
    await lake.put(runKeys.plan(plan.run_id), JSON.stringify(plan), 'application/json');
    await lake.put(runKeys.totals(plan.run_id, 0), JSON.stringify(bucket(0, 3, '30.00')), 'application/json');
    await lake.put(runKeys.totals(plan.run_id, 1), JSON.stringify(bucket(1, 1, '20.00')), 'application/json');
    const ports = { lake, items: new MemoryTable(), config: parseConfig({}) };
    await expect(combineRun(ports, plan.as_of, plan.run_id)).rejects.toThrow(
      /partition of run run-with-a-lost-line does not hold the exports' transactions: \{"lines":4,"revenue":"50.00".*against \{"lines":5/,
    );
    // The lines all there, a customers row lost: stopped too.
    await lake.put(
      runKeys.totals(plan.run_id, 1),
      JSON.stringify(bucket(1, 2, '20.00', 1)),
      'application/json',
    );
    await expect(combineRun(ports, plan.as_of, plan.run_id)).rejects.toThrow(
      /partition of run run-with-a-lost-line holds 3 rows of the customers exports against 4/,
    );
    // Everything there: it gets past the check (to find this made-up run has no exports).
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

describe('a bucket', () => {
  it("takes a customer's last row of the customers exports, as the embedded load does: exports as the lake lists them, then lines", async () => {
    const plan: RunPlan = {
      as_of: '2025-03-31',
      run_id: 'rows-in-any-order',
      export_ids: ['a', 'a-1', 'b'],
      buckets: 1,
      export_warnings: [],
      backtest_from: [],
      transaction_totals: { lines: 3, revenue: '60.00', cost: '0.00', returned_amount: '0.00' },
      customer_rows: 6,
    };
    const customers = [
      ...curatedColumns('customers'),
      { name: 'export_id', type: 'string', description: '' } as const,
    ];
    const row = (id: string, exportId: string, line: number, segment: string) => ({
      customer_id: id,
      acquired_on: '2024-01-01',
      segment,
      export_id: exportId,
      source_line: line,
    });
    // Written out of order: the partition's parts come in no order of the exports' rows.
    await lake.put(
      `${runKeys.bucketCustomers(plan.run_id, 0)}part-00000`,
      encodeParquet(customers, [
        row('c3', 'b', 2, 'from b, the later export'),
        // export_id=a-1/ lists before export_id=a/ ('-' sorts before '/').
        row('c1', 'a', 9, 'from a, listed after a-1'),
        row('c1', 'a-1', 12, 'from a-1'),
        row('c2', 'a', 7, 'line 7, the last line'),
        row('c2', 'a', 3, 'line 3'),
        row('c3', 'a', 9, 'from a'),
      ]),
      'application/vnd.apache.parquet',
    );
    const line = (customer: string, revenue: string) => ({
      order_id: `o-${customer}`,
      customer_id: customer,
      order_date: '2025-01-10',
      revenue: money(revenue),
      cost: money(0),
      returned_amount: money(0),
      source_line: 1,
    });
    await lake.put(
      `${runKeys.bucketTransactions(plan.run_id, 0)}part-00000`,
      encodeParquet(curatedColumns('transactions'), [
        line('c1', '10.00'),
        line('c2', '20.00'),
        line('c3', '30.00'),
      ]),
      'application/vnd.apache.parquet',
    );
    const totals = await passBucket({ lake, config: parseConfig({}) }, plan, 0);
    expect(totals).toMatchObject({ lines: 3, customers: 3, revenue: '60.00', customer_rows: 6 });
    const pass = decodePass<BucketPass>((await lake.getText(runKeys.pass(plan.run_id, 0))) as string);
    expect(pass.transactions.segmentProduct.map((cell) => [cell.segment, cell.revenue.toFixed(2)])).toEqual([
      ['from a, listed after a-1', '10.00'],
      ['from b, the later export', '30.00'],
      ['line 7, the last line', '20.00'],
    ]);
    expect(pass.transactions.customers.customerIds.sort()).toEqual(['c1', 'c2', 'c3']);
  });
});
