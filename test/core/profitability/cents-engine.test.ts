import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, money } from '../../../core/money.ts';
import { allocateCents } from '../../../core/profitability/allocate-cents.ts';
import { centsOf } from '../../../core/profitability/cents.ts';
import { CustomerStore, PROFIT, REVENUE } from '../../../core/profitability/customer-store.ts';

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
