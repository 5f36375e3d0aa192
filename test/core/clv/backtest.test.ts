import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backtestPurchaseUnit,
  backtestRuns,
  type EarlierPredictions,
  inPurchaseUnit,
  mergeWindowActuals,
  scoreBacktest,
  windowActuals,
} from '../../../core/clv/backtest.ts';
import { addDays } from '../../../core/clv/dates.ts';
import { money } from '../../../core/money.ts';
import { toTransactionColumns } from '../../../core/profitability/transaction-columns.ts';
import type { TransactionRecord } from '../../../core/records.ts';
import { RESULT_TABLES } from '../../../core/tables.ts';

const line = (customer: string, order: string, date: string, revenue: string): TransactionRecord => ({
  order_id: order,
  customer_id: customer,
  order_date: date,
  revenue: money(revenue),
  cost: money(0),
  returned_amount: money(0),
  quantity: null,
  product_id: null,
  product_category: null,
  channel: null,
  rep_id: null,
  team: null,
});

const earlier = (
  asOf: string,
  rows: [id: string, clv: number, ordersNextYear: number, aov: number][],
): EarlierPredictions => ({
  asOf,
  customerIds: rows.map((r) => r[0]),
  clvPredicted: Float64Array.from(rows.map((r) => r[1])),
  expectedOrdersNextYear: Float64Array.from(rows.map((r) => r[2])),
  averageOrderValue: Float64Array.from(rows.map((r) => r[3])),
});

describe('scoreBacktest', () => {
  it('counts purchase days, orders and exact revenue in the window, per decile and in total', () => {
    const predictions = earlier('2025-01-01', [
      ['A', 500, 3.64, 100],
      ['B', 100, 1.82, 40],
      ['C', Number.NaN, 0.5, 10],
    ]);
    const columns = toTransactionColumns([
      line('A', 'o1', '2025-01-01', '999.99'), // on the earlier run's day: already known then
      line('A', 'o2', '2025-01-10', '60.10'),
      line('A', 'o3', '2025-01-10', '40.01'), // same day: one purchase, two orders
      line('A', 'o4', '2025-02-01', '0.01'),
      line('B', 'o5', '2025-03-01', '35.00'),
      line('B', 'o6', '2025-04-02', '1000.00'), // after as_of
      line('C', 'o7', '2025-01-02', '12.34'),
      line('N', 'o8', '2025-01-05', '77.00'), // acquired since: not predicted, not scored
    ]);
    const rows = scoreBacktest(predictions, columns, '2025-04-01', 90);
    const days = 90; // 2025-01-01 -> 2025-04-01
    expect(rows.map((r) => [r.bucket, r.decile, r.customers])).toEqual([
      ['decile', 1, 1],
      ['decile', 6, 1],
      ['no_prediction', null, 1],
      ['total', null, 3],
    ]);
    const [a, b, c, total] = rows;
    expect(a).toMatchObject({ predicted_as_of: '2025-01-01', lookback_days: 90, days, predicted_clv: 500 });
    expect(a!.actual_purchases).toBe(2);
    expect(a!.actual_orders).toBe(3);
    expect(a!.actual_revenue.toFixed(2)).toBe('100.12');
    expect(a!.predicted_purchases).toBeCloseTo((3.64 * days) / 364, 12);
    expect(a!.predicted_revenue).toBeCloseTo(((3.64 * days) / 364) * 100, 10);
    expect(b!.actual_revenue.toFixed(2)).toBe('35.00');
    expect(c!.actual_revenue.toFixed(2)).toBe('12.34');
    expect(total!.actual_revenue.toFixed(2)).toBe('147.46');
    expect(total!.actual_purchases).toBe(4);
    expect(total!.actual_orders).toBe(5);
    expect(total!.predicted_clv).toBe(600);
    const predicted = ((3.64 + 1.82 + 0.5) * days) / 364;
    expect(total!.predicted_purchases).toBeCloseTo(predicted, 12);
    expect(total!.purchases_error_pct).toBeCloseTo(((4 - predicted) / predicted) * 100, 10);
  });

  it('prices the predicted purchase days at the revenue per purchase day the run expected, else per order', () => {
    const predictions = {
      ...earlier('2025-01-01', [
        ['A', 500, 3.64, 100],
        ['B', 400, 3.64, 100],
      ]),
      // A's run published expected_spend; B's value is missing (a run before the column).
      expectedSpend: Float64Array.from([150, Number.NaN]),
    };
    const rows = scoreBacktest(predictions, toTransactionColumns([]), '2025-04-01', 90);
    const purchases = (3.64 * 90) / 364;
    expect(rows.find((r) => r.decile === 1)?.predicted_revenue).toBeCloseTo(purchases * 150, 10);
    expect(rows.at(-1)?.predicted_revenue).toBeCloseTo(purchases * 150 + purchases * 100, 10);
  });

  it("counts BG/BB's actual purchases in its opportunities: the window's months with a purchase", () => {
    const columns = toTransactionColumns([
      line('A', 'o1', '2025-01-10', '10.00'),
      line('A', 'o2', '2025-01-20', '10.00'), // the same month: one opportunity
      line('A', 'o3', '2025-02-03', '10.00'),
      line('A', 'o4', '2025-03-15', '-10.00'), // a month of credit notes only: none
    ]);
    expect(backtestPurchaseUnit({ model: 'bgbb', opportunityPeriod: 'month' })).toBe('month');
    expect(backtestPurchaseUnit({ model: 'bgnbd', opportunityPeriod: 'month' })).toBeNull();
    const byMonth = windowActuals(columns, '2025-01-01', '2025-04-01', 'month');
    const byDay = windowActuals(columns, '2025-01-01', '2025-04-01');
    expect([byMonth.purchases[0], byDay.purchases[0]]).toEqual([2, 3]);
    expect(byMonth.revenueCents[0]).toBe(byDay.revenueCents[0]);
    expect(() => mergeWindowActuals([byMonth, byDay])).toThrow(/counts purchases in days, part 0 in month/);
    // Merged buckets are scored only in tonight's unit; parts from before the unit was recorded count days.
    expect(inPurchaseUnit(byMonth, 'month')).toBe(byMonth);
    expect(() => inPurchaseUnit(byDay, 'month')).toThrow(
      /count purchases in days, tonight's settings in month/,
    );
    const { purchaseUnit: _, ...older } = byDay;
    expect(inPurchaseUnit(older, null)).toBe(older);
  });

  it('cuts deciles of equal predicted CLV by the ids in code point order, as SQL sorts text', () => {
    // Ten customers alike: one a decile, the last in id order in decile 10. By code point U+FF21
    // comes before U+20000; in UTF-16 code units after it.
    const ids = ['\u{20000}', '\uFF21', ...Array.from({ length: 8 }, (_, i) => `C${i}`)];
    const predictions = earlier(
      '2025-01-01',
      ids.map((id) => [id, 100, 1, 10]),
    );
    const columns = toTransactionColumns([line('\u{20000}', 'o1', '2025-02-01', '5.00')]);
    const rows = scoreBacktest(predictions, columns, '2025-04-01', 90);
    expect(rows.find((r) => r.decile === 10)?.actual_purchases).toBe(1);
    expect(rows.find((r) => r.decile === 9)?.actual_purchases).toBe(0);
  });

  it("gives the same sums, to the bit, whatever order the earlier run's rows come in", () => {
    // A scaled-out run stores a part per bucket, the embedded one its customers in order: the
    // customers without a prediction, summed as doubles, must not depend on it.
    const rows: [string, number, number, number][] = [
      ['A', Number.NaN, 0.1, 10.01],
      ['B', Number.NaN, 0.2, 20.02],
      ['C', Number.NaN, 0.3, 30.03],
      ['D', 5, 1e16, 1],
      ['E', Number.NaN, 1, 0.7],
    ];
    const columns = toTransactionColumns([line('A', 'o1', '2025-02-01', '10.00')]);
    const inOrder = scoreBacktest(earlier('2025-01-01', rows), columns, '2025-04-01', 90);
    const reversed = scoreBacktest(earlier('2025-01-01', [...rows].reverse()), columns, '2025-04-01', 90);
    expect(reversed).toEqual(inOrder);
  });

  it('gives rows with exactly the clv_backtest columns', () => {
    const columns = RESULT_TABLES.find((t) => t.name === 'clv_backtest')!.columns.map((c) => c.name);
    const rows = scoreBacktest(
      earlier('2025-01-01', [
        ['A', 1, 1, 1],
        ['B', Number.NaN, 1, 1],
      ]),
      toTransactionColumns([line('A', 'o1', '2025-02-01', '5.00')]),
      '2025-04-01',
    );
    expect(rows.map((r) => r.bucket)).toEqual(['decile', 'no_prediction', 'total']);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual([...columns].sort());
  });

  it('refuses a run that is not earlier', () => {
    const columns = toTransactionColumns([]);
    expect(() => scoreBacktest(earlier('2025-01-01', []), columns, '2025-01-01')).toThrow(
      /not an earlier run/,
    );
  });

  const scenario = fc.record({
    customers: fc.array(
      fc.record({
        clv: fc.oneof(fc.constant(Number.NaN), fc.integer({ min: 0, max: 50 })),
        next: fc.double({ min: 0, max: 20, noNaN: true }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    lines: fc.array(
      fc.record({
        customer: fc.integer({ min: 0, max: 45 }),
        order: fc.integer({ min: 0, max: 15 }),
        day: fc.integer({ min: -30, max: 130 }),
        cents: fc.integer({ min: -5000, max: 9_000_000 }),
      }),
      { maxLength: 120 },
    ),
    seed: fc.integer(),
  });

  it('deciles partition the scored customers (equal counts, ranked by predicted CLV) and add up to the total, whatever the line order', () => {
    fc.assert(
      fc.property(scenario, ({ customers, lines, seed }) => {
        const start = '2024-06-01';
        const predictions = earlier(
          start,
          customers.map((c, i) => [`C${i}`, c.clv, c.next, 20]),
        );
        const records = lines.map((l) =>
          line(
            `C${l.customer}`,
            `O${l.customer}-${l.order}`,
            addDays(start, l.day),
            (l.cents / 100).toFixed(2),
          ),
        );
        const shuffled = [...records].sort(
          (x, y) =>
            hash(`${seed}${x.order_id}${x.order_date}${x.revenue}`) -
            hash(`${seed}${y.order_id}${y.order_date}${y.revenue}`),
        );
        const rows = scoreBacktest(predictions, toTransactionColumns(records), addDays(start, 100));
        expect(scoreBacktest(predictions, toTransactionColumns(shuffled), addDays(start, 100))).toEqual(rows);

        const total = rows.at(-1)!;
        const parts = rows.slice(0, -1);
        expect(total.bucket).toBe('total');
        expect(total.customers).toBe(customers.length);
        expect(parts.reduce((s, r) => s + r.customers, 0)).toBe(total.customers);
        expect(parts.reduce((s, r) => s + r.actual_purchases, 0)).toBe(total.actual_purchases);
        expect(parts.reduce((s, r) => s + r.actual_orders, 0)).toBe(total.actual_orders);
        expect(parts.reduce((s, r) => s.plus(r.actual_revenue), money(0)).toFixed(2)).toBe(
          total.actual_revenue.toFixed(2),
        );

        // Reference actuals straight from the records.
        const inWindow = records.filter((r) => r.order_date > start && r.order_date <= addDays(start, 100));
        const scoredIds = new Set(predictions.customerIds);
        const scored = inWindow.filter((r) => scoredIds.has(r.customer_id));
        // A purchase day is a day with a line that is not a credit note (negative revenue).
        expect(total.actual_purchases).toBe(
          new Set(
            scored.filter((r) => !r.revenue.isNegative()).map((r) => `${r.customer_id}|${r.order_date}`),
          ).size,
        );
        // An order counts where it was placed: on its first line's date (a later line of an order
        // placed before the window, a split shipment, is not a new order).
        const placed = new Map<string, string>();
        for (const r of records) {
          const key = `${r.customer_id}|${r.order_id}`;
          const first = placed.get(key);
          if (first === undefined || r.order_date < first) placed.set(key, r.order_date);
        }
        const ordersInWindow = [...placed].filter(
          ([key, date]) =>
            date > start && date <= addDays(start, 100) && scoredIds.has(key.split('|')[0] as string),
        );
        expect(total.actual_orders).toBe(ordersInWindow.length);
        expect(total.actual_revenue.toFixed(2)).toBe(
          scored.reduce((s, r) => s.plus(r.revenue), money(0)).toFixed(2),
        );

        const deciles = parts.filter((r) => r.bucket === 'decile');
        const withClv = customers.filter((c) => !Number.isNaN(c.clv)).length;
        for (const d of deciles) {
          expect(d.customers).toBeGreaterThanOrEqual(Math.floor(withClv / 10));
          expect(d.customers).toBeLessThanOrEqual(Math.ceil(withClv / 10));
        }
        // Higher deciles hold higher predicted CLV: average per customer never rises going down.
        for (let k = 1; k < deciles.length; k++) {
          const previous = deciles[k - 1]!;
          const current = deciles[k]!;
          expect(current.decile!).toBeGreaterThan(previous.decile!);
          expect(current.predicted_clv / current.customers).toBeLessThanOrEqual(
            previous.predicted_clv / previous.customers + 1e-9,
          );
        }
      }),
      { numRuns: 200, seed: 1461802987 },
    );
  });
});

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

describe('backtestRuns', () => {
  it('finds, per lookback, the newest run on or up to a week before as_of - N, each run once', () => {
    const published = ['2024-03-30', '2024-09-28', '2024-10-05', '2025-01-01', '2025-01-01'];
    expect(backtestRuns(published, '2025-04-01', [365, 90, 180, 30, 92])).toEqual([
      { lookbackDays: 90, asOf: '2025-01-01' }, // exactly 90 days before
      { lookbackDays: 180, asOf: '2024-09-28' }, // 2024-10-03 has none; five days earlier stands in
      { lookbackDays: 365, asOf: '2024-03-30' }, // two days before 2024-04-01
    ]);
    // 30 days: nothing between 2025-02-23 and 2025-03-02; 92: 2025-01-01 is taken by 90.
    expect(backtestRuns([], '2025-04-01', [90])).toEqual([]);
    expect(backtestRuns(['2024-12-24'], '2025-04-01', [90])).toEqual([]); // eight days too early
  });
});
