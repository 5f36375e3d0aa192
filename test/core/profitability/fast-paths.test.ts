import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centsOf, Money, money } from '../../../core/money.ts';
import { CentsSum } from '../../../core/profitability/cents.ts';
import { computeProfitability } from '../../../core/profitability/index.ts';
import type { TransactionRecord } from '../../../core/records.ts';
import { customer, snapshot } from './fixtures.ts';
import { byDateThenOrder, type Lines, linesToRecords, transactionLines } from './transaction-lines.ts';

/** Amounts in cents plus a few that are not whole cents or not safe integers in cents. */
const amount = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -100_000, max: 5_000_000 }).map((c) => money(c).dividedBy(100)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 99_999 }).map((c) => money(c).dividedBy(1000)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(money('90071992547409.91'), money('1e18'), money('-45035996273704.95')),
  },
);

describe('exact cents', () => {
  it('reads whole cents exactly and refuses anything else', () => {
    fc.assert(
      fc.property(amount, (value) => {
        const scaled = value.times(100);
        const expected =
          scaled.isInteger() && scaled.abs().lte(Number.MAX_SAFE_INTEGER) ? scaled.toNumber() : Number.NaN;
        expect(centsOf(value)).toBe(expected);
      }),
    );
  });

  it('sums exactly like decimal.js', () => {
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 50 }), (values) => {
        const sum = new CentsSum();
        for (const value of values) sum.add(value);
        expect(sum.total().eq(values.reduce((a, b) => a.plus(b), new Money(0)))).toBe(true);
      }),
    );
  });
});

const lines = transactionLines({ customers: 6, orders: 12, days: 500, maxLength: 60, amount });
const records = (generated: Lines) => linesToRecords(generated, '2024-01-01');

describe('transaction order', () => {
  it('gives the same figures sorted (counting paths) or not (set paths), equal to plain decimal sums', () => {
    fc.assert(
      fc.property(lines, fc.boolean(), (generated, withCustomers) => {
        const transactions = records(generated);
        const customers = withCustomers ? [customer('c1', '2024-03-01', { segment: 'vip' })] : [];
        const asOf = '2025-03-01';
        const sorted = computeProfitability(
          snapshot({ transactions: [...transactions].sort(byDateThenOrder), customers }),
          asOf,
        );
        const reversed = computeProfitability(
          snapshot({ transactions: [...transactions].sort(byDateThenOrder).reverse(), customers }),
          asOf,
        );
        const key = (rows: { customer_id: string }[]) =>
          JSON.stringify([...rows].sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1)));
        expect(key(reversed.customerMetrics)).toBe(key(sorted.customerMetrics));
        expect(JSON.stringify(reversed.cohortRetention)).toBe(JSON.stringify(sorted.cohortRetention));
        expect(JSON.stringify(reversed.periodKpis)).toBe(JSON.stringify(sorted.periodKpis));
        expect(JSON.stringify(reversed.segmentProductProfit)).toBe(
          JSON.stringify(sorted.segmentProductProfit),
        );
        for (const row of sorted.customerMetrics) {
          const own = transactions.filter((t) => t.customer_id === row.customer_id && t.order_date <= asOf);
          const total = (pick: (t: TransactionRecord) => Money) =>
            own.reduce((sum, t) => sum.plus(pick(t)), new Money(0)).toDecimalPlaces(2, Money.ROUND_HALF_EVEN);
          expect(row.revenue.eq(total((t) => t.revenue))).toBe(true);
          expect(row.cogs.eq(total((t) => t.cost))).toBe(true);
          expect(row.returns.eq(total((t) => t.returned_amount))).toBe(true);
          expect(row.orders).toBe(new Set(own.map((t) => t.order_id)).size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
