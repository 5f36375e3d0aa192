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
});
