import { describe, expect, it } from 'vitest';
import { summarizeTransactions } from '../../../core/clv/rfm-summary.ts';
import { money } from '../../../core/money.ts';
import type { TransactionRecord } from '../../../core/records.ts';

const order = (
  customer: string,
  date: string,
  revenue: number,
  cost = 0,
  returned = 0,
): TransactionRecord => ({
  order_id: `${customer}-${date}-${revenue}`,
  customer_id: customer,
  order_date: date,
  revenue: money(revenue),
  cost: money(cost),
  returned_amount: money(returned),
  quantity: null,
  product_id: null,
  product_category: null,
  channel: null,
  rep_id: null,
  team: null,
});

describe('summarizeTransactions', () => {
  const transactions = [
    order('A', '2025-01-01', 100, 60),
    order('A', '2025-01-01', 20, 10), // same day: merged into the first purchase
    order('A', '2025-01-15', 30, 15),
    order('A', '2025-01-15', 10, 5), // same day as the previous: one purchase worth 40
    order('A', '2025-01-29', 60, 30, 20),
    order('B', '2025-01-08', 50, 25),
    order('C', '2025-02-05', 70, 35), // after the calibration end: holdout-only customer
    order('A', '2025-02-03', 10, 5), // holdout purchase
    order('A', '2025-02-10', 10, 5), // holdout purchase
    order('A', '2025-03-01', 10, 5), // after the holdout end: ignored
  ];

  it('builds frequency, recency, age and repeat spend in weeks with same-day purchases merged', () => {
    const s = summarizeTransactions(transactions, {
      end: '2025-01-29',
      timeUnit: 'weeks',
      holdoutEnd: '2025-02-28',
    });
    expect(s.customerIds).toEqual(['A', 'B']);
    expect(Array.from(s.frequency)).toEqual([2, 0]);
    expect(Array.from(s.recency)).toEqual([4, 0]);
    expect(Array.from(s.age)).toEqual([4, 3]);
    expect(Array.from(s.monetary)).toEqual([50, 0]); // (40 + 60) / 2 repeat purchase days
    expect(Array.from(s.holdoutPurchases)).toEqual([2, 0]);
    // A: revenue 220, cost 120, returns 20 -> margin 80 / 220
    expect(s.grossMargin[0]).toBeCloseTo(80 / 220, 12);
    expect(s.grossMargin[1]).toBeCloseTo(0.5, 12);
  });

  it('works in days and without a holdout', () => {
    const s = summarizeTransactions(transactions, { end: '2025-01-29', timeUnit: 'days' });
    expect(Array.from(s.recency)).toEqual([28, 0]);
    expect(Array.from(s.age)).toEqual([28, 21]);
    expect(Array.from(s.holdoutPurchases)).toEqual([0, 0]);
  });

  it('does not take a day of credit notes only (negative revenue) for a purchase, in calibration or holdout', () => {
    const lines = [
      order('R', '2025-01-01', -30), // a credit note before the first purchase
      order('R', '2025-01-03', 100, 40), // the first purchase
      order('R', '2025-01-10', 60, 20),
      order('R', '2025-01-10', -10), // on a purchase day: nets into that day's spend
      order('R', '2025-01-20', -60), // alone on its day: no purchase
      order('R', '2025-01-25', 0), // no revenue, but not a credit note: a purchase
      order('R', '2025-02-02', -5), // holdout: a credit note
      order('R', '2025-02-03', 5), // holdout: a purchase
      order('Q', '2025-01-05', -20), // only credit notes: never bought in the calibration period
    ];
    // In date order (one pass) and out of it (the general path): the same summaries.
    for (const given of [lines, [...lines].reverse()]) {
      const s = summarizeTransactions(given, {
        end: '2025-01-31',
        timeUnit: 'days',
        holdoutEnd: '2025-02-28',
      });
      expect(s.customerIds).toEqual(['R']);
      expect(Array.from(s.frequency)).toEqual([2]); // Jan 10 and Jan 25
      expect(Array.from(s.recency)).toEqual([22]); // Jan 3 to Jan 25
      expect(Array.from(s.age)).toEqual([28]); // Jan 3 to Jan 31
      expect(Array.from(s.monetary)).toEqual([25]); // (50 + 0) / 2
      expect(Array.from(s.holdoutPurchases)).toEqual([1]);
      expect(Array.from(s.revenue)).toEqual([60]); // every line up to the end: -30 + 100 + 60 - 10 - 60 + 0
    }
  });
});
