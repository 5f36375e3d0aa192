import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, centsOf, money } from '../../../core/money.ts';
import { allocateCents } from '../../../core/profitability/allocate-cents.ts';
import { CustomerFactsBuilder } from '../../../core/profitability/customer-facts.ts';
import { CustomerStore, PROFIT, REVENUE } from '../../../core/profitability/customer-store.ts';
import { toTransactionColumns } from '../../../core/profitability/transaction-columns.ts';
import { Warnings } from '../../../core/profitability/types.ts';
import { customer, tx } from './fixtures.ts';

describe('allocateCents', () => {
  it('gives exactly the shares of allocate, in cents', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000_000, max: 10_000_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 40 }),
        (cents, weights) => {
          const total = money(cents).dividedBy(100);
          const expected = allocate(total, weights).map((share) => centsOf(share));
          const actual = allocateCents(total, weights);
          if (weights.every((w) => w === 0)) expect(actual).toBeNull();
          else expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('declines what integers cannot do exactly (then allocate is used)', () => {
    expect(allocateCents(money('1.005'), [1, 2])).toBeNull();
    expect(allocateCents(money(10), [0.5, 2])).toBeNull();
    expect(allocateCents(money('90000000000000'), [3, 4])).toBeNull();
  });
});

describe('CustomerStore', () => {
  it('keeps whole cents as numbers and anything else exactly', () => {
    const store = new CustomerStore();
    const a = store.add();
    store.set(a, REVENUE, money('12.34'));
    expect(store.centsAt(a, REVENUE)).toBe(1234);
    store.set(a, PROFIT, money('0.001'));
    expect(Number.isNaN(store.centsAt(a, PROFIT))).toBe(true);
    store.addCents(a, PROFIT, 5);
    expect(store.get(a, PROFIT).toString()).toBe('0.051');
    store.addCents(a, REVENUE, Number.MAX_SAFE_INTEGER);
    expect(store.get(a, REVENUE).toFixed()).toBe(
      money(Number.MAX_SAFE_INTEGER).plus(1234).dividedBy(100).toFixed(),
    );
  });
});

describe('CustomerFactsBuilder.addTransactions', () => {
  const line = (customer_id: string, order_date: string, revenue: string, order_id = 'o1') =>
    tx(customer_id, order_date, revenue, { order_id, cost: money(revenue).dividedBy(2).toFixed() });

  it('sums a run of one customer beyond the safe range exactly, skipping lines after as_of', () => {
    const big = '90071992547409.91'; // Number.MAX_SAFE_INTEGER cents
    const columns = toTransactionColumns([
      line('a', '2024-01-01', big, 'o1'),
      line('a', '2024-02-01', big, 'o2'),
      line('a', '2030-01-01', '5.00', 'o3'),
      line('a', '2024-03-01', '0.001', 'o4'),
      line('b', '2024-01-05', '1.00'),
      line('a', '2024-04-01', '2.50', 'o5'),
    ]);
    const builder = new CustomerFactsBuilder('2025-01-01', new Warnings());
    builder.addCustomers([customer('b', '2023-01-01')]);
    builder.addTransactions(columns);
    const facts = new Map(builder.finish().map((f) => [f.customerId, f]));
    const a = facts.get('a');
    expect(a?.revenue.toFixed()).toBe(money(big).times(2).plus('2.501').toFixed());
    expect(a?.cogs.toFixed()).toBe(money(big).plus('1.2505').toFixed());
    expect(a?.orders).toBe(4);
    expect([a?.firstOrder, a?.lastOrder]).toEqual(['2024-01-01', '2024-04-01']);
    expect(facts.get('b')?.revenue.toFixed()).toBe('1');
    expect(facts.get('b')?.acquiredOn).toBe('2023-01-01');
    expect(builder.byId.get('a')).toBe(1);
  });

  it('keeps order counts past a small integer exact (added by addLineTotals, summed over parts)', () => {
    const builder = new CustomerFactsBuilder('2025-01-01', new Warnings());
    const totals = (orders: number) => ({
      customerIds: ['a'],
      revenue: { cents: Float64Array.of(100), exact: new Map() },
      cost: { cents: Float64Array.of(0), exact: new Map() },
      returned: { cents: Float64Array.of(0), exact: new Map() },
      orders: Float64Array.of(orders),
      firstDay: Int32Array.of(19_000),
      lastDay: Int32Array.of(19_001),
    });
    builder.addLineTotals(totals(2 ** 30));
    builder.addLineTotals(totals(2 ** 31 + 5));
    expect(builder.finish()[0]?.orders).toBe(2 ** 30 + 2 ** 31 + 5);
    const small = new CustomerFactsBuilder('2025-01-01', new Warnings());
    small.addLineTotals(totals(7));
    expect(small.finish()[0]?.orders).toBe(7);
  });
});
