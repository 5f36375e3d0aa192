import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, money } from '../../../core/money.ts';
import { allocateCents } from '../../../core/profitability/allocate-cents.ts';
import { centsOf } from '../../../core/profitability/cents.ts';
import { CustomerStore, PROFIT, REVENUE } from '../../../core/profitability/customer-store.ts';
import { PackedStrings } from '../../../core/profitability/packed-strings.ts';
import { markOrderStarts } from '../../../core/profitability/transaction-columns.ts';

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

describe('PackedStrings', () => {
  it('compares like JS strings, wide characters included', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'b', 'Z', '0', 'é', '中', '\uffff', '😀'),
      maxLength: 6,
    });
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 30 }), (texts) => {
        const packed = new PackedStrings();
        for (const t of texts) packed.push(t);
        for (let i = 0; i < texts.length; i++) {
          expect(packed.get(i)).toBe(texts[i]);
          for (let j = 0; j < texts.length; j++) {
            const a = texts[i] as string;
            const b = texts[j] as string;
            expect(packed.compare(i, j)).toBe(a < b ? -1 : a > b ? 1 : 0);
          }
        }
      }),
    );
  });

  it('flags the same order starts as the strings do', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 0, max: 4 }),
          ),
          {
            maxLength: 60,
          },
        ),
        (lines) => {
          const customer = Int32Array.from(lines, ([c]) => c);
          const day = Int32Array.from(lines, ([, d]) => d);
          const ids = lines.map(([, , o]) => `SO${o}`);
          const packed = new PackedStrings();
          for (const id of ids) packed.push(id);
          expect(markOrderStarts(customer, day, packed, 4)).toEqual(markOrderStarts(customer, day, ids, 4));
        },
      ),
    );
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
