import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EarlierPredictions,
  mergeWindowActuals,
  scoreBacktest,
  scoreBacktestActuals,
  windowActuals,
} from '../../../core/clv/backtest.ts';
import { type ClvModelConfig, DEFAULT_CLV_MODEL_CONFIG } from '../../../core/clv/config.ts';
import { addDays } from '../../../core/clv/dates.ts';
import { mergeClvSummaries } from '../../../core/clv/merge-summaries.ts';
import { type ClvSummaries, summarizeForClv } from '../../../core/clv/predict-customer-value.ts';
import { portfolioMarginOf } from '../../../core/clv/rfm-summary.ts';
import { money } from '../../../core/money.ts';
import {
  customerPartitionOfId,
  sortTransactionRecords,
  toTransactionColumns,
} from '../../../core/profitability/transaction-columns.ts';
import type { TransactionColumns, TransactionRecord } from '../../../core/records.ts';
import {
  type Lines,
  linesToRecords,
  mostlyCents,
  transactionLines,
} from '../profitability/transaction-lines.ts';

/**
 * The scale-out of the nightly job: buckets of customers summarise (and count backtest actuals) on
 * their own, one step merges. The merge must give exactly what one pass over all lines gives.
 */

const CUSTOMERS = 30;
const DAYS = 900;
const FIRST_DAY = '2022-01-01';
const lines = transactionLines({
  customers: CUSTOMERS,
  orders: 12,
  days: DAYS,
  maxLength: 150,
  amount: mostlyCents,
});

/** Each customer number's group among k (k from 1 to 5). */
const grouping = fc
  .integer({ min: 1, max: 5 })
  .chain((k) =>
    fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: CUSTOMERS + 1, maxLength: CUSTOMERS + 1 }),
  );

/** The canonical columns of records, as the loader gives them. */
function columnsOf(records: readonly TransactionRecord[]): TransactionColumns {
  const sorted = [...records];
  sortTransactionRecords(sorted);
  return toTransactionColumns(sorted);
}

/** All lines' columns and each group's (groups in their own order, some possibly empty). */
function split(generated: Lines, groups: number[]): { all: TransactionColumns; parts: TransactionColumns[] } {
  const records = linesToRecords(generated, FIRST_DAY);
  const k = Math.max(...groups) + 1;
  const byGroup: TransactionRecord[][] = Array.from({ length: k }, () => []);
  for (const r of records) byGroup[groups[Number(r.customer_id.slice(1))] as number]!.push(r);
  return { all: columnsOf(records), parts: byGroup.map(columnsOf) };
}

/** Deep equality where numbers (also in typed arrays) must be the same bits: NaN = NaN, -0 != 0. */
function sameBits(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' || typeof b === 'number')
    return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return a === b ? null : `${path}: ${String(a)} vs ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different types`;
  if (a instanceof Float64Array && b instanceof Float64Array) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `${path}[${i}]: ${a[i]} vs ${b[i]}`;
    return null;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return `${path}: size ${a.size} vs ${b.size}`;
    for (const [key, value] of a) {
      if (!b.has(key)) return `${path}: key ${String(key)} missing`;
      const differs = sameBits(value, b.get(key), `${path}.get(${String(key)})`);
      if (differs) return differs;
    }
    return null;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.join() !== keysB.join()) return `${path}: keys ${keysA.join()} vs ${keysB.join()}`;
  for (const key of keysA) {
    const differs = sameBits(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (differs) return differs;
  }
  return null;
}

function expectSameBits(actual: unknown, expected: unknown): void {
  expect(sameBits(actual, expected)).toBeNull();
}

const continuousConfig = fc.record({
  model: fc.constantFrom('bgnbd' as const, 'pareto_nbd' as const, 'auto' as const),
  timeUnit: fc.constantFrom('weeks' as const, 'days' as const),
  holdoutDays: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
  autoHoldoutDays: fc.integer({ min: 1, max: 400 }),
  calibrationEnd: fc.option(fc.integer({ min: 0, max: DAYS }), { nil: null }),
});
const bgbbConfig = fc.record({
  model: fc.constant('bgbb' as const),
  opportunityPeriod: fc.constantFrom('year' as const, 'quarter' as const, 'month' as const),
  holdoutDays: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
  calibrationEnd: fc.option(fc.integer({ min: 0, max: DAYS }), { nil: null }),
});

function configOf(
  setting: Omit<Partial<ClvModelConfig>, 'calibrationEnd'> & { calibrationEnd: number | null },
): ClvModelConfig {
  const { calibrationEnd, ...rest } = setting;
  return {
    ...DEFAULT_CLV_MODEL_CONFIG,
    ...rest,
    calibrationEnd: calibrationEnd === null ? null : addDays(FIRST_DAY, calibrationEnd),
  };
}

function checkMerge(generated: Lines, groups: number[], asOfDay: number, config: ClvModelConfig): void {
  const { all, parts } = split(generated, groups);
  const asOf = addDays(FIRST_DAY, asOfDay);
  const whole = summarizeForClv(all, asOf, config);
  const pieces = parts.map((columns) => summarizeForClv(columns, asOf, config));
  const merged = mergeClvSummaries(pieces);
  expectSameBits(merged, whole);
  expect(merged.calibration === merged.current).toBe(whole.calibration === whole.current);
  // Any order of the parts, and one part alone.
  expectSameBits(mergeClvSummaries([...pieces].reverse()), whole);
  expectSameBits(mergeClvSummaries([whole]), whole);
}

describe('mergeClvSummaries', () => {
  // Each model family as its own property, so a failure names which summaries broke.
  const families: [string, fc.Arbitrary<Parameters<typeof configOf>[0]>][] = [
    ['continuous models', continuousConfig],
    ['BG/BB', bgbbConfig],
  ];
  for (const [family, settings] of families) {
    it(`merges the summaries of customer buckets into exactly the summaries of all (${family})`, () => {
      fc.assert(
        fc.property(
          lines,
          grouping,
          fc.integer({ min: 0, max: DAYS + 50 }),
          settings,
          (generated, groups, asOfDay, setting) => checkMerge(generated, groups, asOfDay, configOf(setting)),
        ),
        { numRuns: 300 },
      );
    });
  }

  it('sums the portfolio margin again in canonical order (not from the parts’ margins)', () => {
    // Amounts whose portfolio sums come out differently in another order: the merge must redo
    // the sum in canonical order (a, b, e, c, d, f by partition).
    const amounts: [id: string, revenue: string, cost: string][] = [
      ['a', '1234567.89', '0.07'],
      ['b', '0.10', '0.03'],
      ['c', '0.70', '0.11'],
      ['d', '0.30', '0.07'],
      ['e', '2.22', '0'],
      ['f', '3.33', '1.11'],
    ];
    const records = amounts.map(([id, revenue, cost], k) => ({
      ...linesToRecords(
        [
          {
            customer: 0,
            order: k,
            day: 0,
            revenue: money(revenue),
            cost: money(cost),
            returned: money(0),
            category: null,
          },
        ],
        FIRST_DAY,
      )[0]!,
      customer_id: id,
    }));
    const config = configOf({ calibrationEnd: null });
    const asOf = addDays(FIRST_DAY, 10);
    const whole = summarizeForClv(columnsOf(records), asOf, config);
    const pieces = records.map((r) => summarizeForClv(columnsOf([r]), asOf, config));
    const merged = mergeClvSummaries(pieces);
    expectSameBits(merged, whole);
    const { revenue, profit } = whole.current;
    expect(portfolioMarginOf(revenue.slice().reverse(), profit.slice().reverse())).not.toBe(
      whole.current.portfolioMargin,
    );
    const ids = merged.current.customerIds;
    // Canonical customer order, stated here on its own: by partition, then id.
    const canonical = (a: string, b: string) =>
      customerPartitionOfId(a) - customerPartitionOfId(b) || (a < b ? -1 : a > b ? 1 : 0);
    expect([...ids].sort(canonical)).toEqual(ids);
    expect(ids.map(customerPartitionOfId)).toEqual([...ids.map(customerPartitionOfId)].sort((x, y) => x - y));
  });

  it('refuses parts made for another date or model, and parts sharing a customer', () => {
    const records = linesToRecords(
      [
        {
          customer: 1,
          order: 1,
          day: 0,
          revenue: money(10),
          cost: money(1),
          returned: money(0),
          category: null,
        },
        {
          customer: 1,
          order: 2,
          day: 40,
          revenue: money(5),
          cost: money(1),
          returned: money(0),
          category: null,
        },
        {
          customer: 2,
          order: 3,
          day: 3,
          revenue: money(7),
          cost: money(1),
          returned: money(0),
          category: null,
        },
      ],
      FIRST_DAY,
    );
    const columns = columnsOf(records);
    const config = configOf({ calibrationEnd: null });
    const a = summarizeForClv(columns, '2022-03-01', config);
    const b = summarizeForClv(columnsOf([]), '2022-03-02', config);
    expect(() => mergeClvSummaries([a, b])).toThrow(/dataEnd/);
    const withHoldout = summarizeForClv(
      columnsOf([]),
      '2022-03-01',
      configOf({ calibrationEnd: null, holdoutDays: 7 }),
    );
    expect(() => mergeClvSummaries([a, withHoldout])).toThrow(/fitEnd/);
    const bgbb = summarizeForClv(
      columnsOf([]),
      '2022-03-01',
      configOf({ calibrationEnd: null, model: 'bgbb' }),
    );
    expect(() => mergeClvSummaries([a, bgbb])).toThrow(/kind/);
    expect(() => mergeClvSummaries([a, a])).toThrow(/disjoint/);
    expect(() => mergeClvSummaries([] as ClvSummaries[])).toThrow(/no parts/);
  });
});

describe('windowActuals', () => {
  const scenario = fc.record({
    lines,
    groups: grouping,
    from: fc.integer({ min: -20, max: DAYS }),
    days: fc.integer({ min: 1, max: 500 }),
    earlier: fc.array(
      fc.record({
        customer: fc.integer({ min: 0, max: CUSTOMERS + 5 }),
        clv: fc.oneof(fc.constant(Number.NaN), fc.double({ min: 0, max: 1000, noNaN: true })),
        next: fc.oneof(fc.constant(Number.NaN), fc.double({ min: 0, max: 20, noNaN: true })),
        aov: fc.oneof(fc.constant(Number.NaN), fc.double({ min: 0, max: 500, noNaN: true })),
      }),
      { maxLength: CUSTOMERS + 6 },
    ),
  });

  it('merged over customer buckets, scores exactly as scoreBacktest over all lines', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { all, parts } = split(s.lines, s.groups);
        const fromAsOf = addDays(FIRST_DAY, s.from);
        const toAsOf = addDays(fromAsOf, s.days);
        const unique = [...new Map(s.earlier.map((e) => [e.customer, e])).values()];
        const earlier: EarlierPredictions = {
          asOf: fromAsOf,
          customerIds: unique.map((e) => `c${e.customer}`),
          clvPredicted: Float64Array.from(unique, (e) => e.clv),
          expectedOrdersNextYear: Float64Array.from(unique, (e) => e.next),
          averageOrderValue: Float64Array.from(unique, (e) => e.aov),
        };
        const merged = mergeWindowActuals(parts.map((columns) => windowActuals(columns, fromAsOf, toAsOf)));
        expectSameBits(merged, windowActuals(all, fromAsOf, toAsOf));
        expectSameBits(
          scoreBacktestActuals(earlier, merged, toAsOf, 90),
          scoreBacktest(earlier, all, toAsOf, 90),
        );
        expectSameBits(scoreBacktestActuals(earlier, merged, toAsOf), scoreBacktest(earlier, all, toAsOf));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses actuals of another window and parts of different windows', () => {
    const columns = columnsOf([]);
    const actuals = windowActuals(columns, '2022-01-01', '2022-02-01');
    const earlier: EarlierPredictions = {
      asOf: '2022-01-02',
      customerIds: [],
      clvPredicted: new Float64Array(0),
      expectedOrdersNextYear: new Float64Array(0),
      averageOrderValue: new Float64Array(0),
    };
    expect(() => scoreBacktestActuals(earlier, actuals, '2022-02-01')).toThrow(/window/);
    expect(() => mergeWindowActuals([actuals, windowActuals(columns, '2022-01-02', '2022-02-01')])).toThrow(
      /window/,
    );
    expect(() => windowActuals(columns, '2022-02-01', '2022-02-01')).toThrow(RangeError);
  });
});
