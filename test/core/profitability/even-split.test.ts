import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, money } from '../../../core/money.ts';
import { centsToMoney, EvenSplit } from '../../../core/profitability/even-split.ts';

describe('EvenSplit', () => {
  it('gives the same shares as allocate with equal weights', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.integer({ min: 1, max: 40 }),
        (cents, parts) => {
          const total = money(cents).dividedBy(100);
          const split = new EvenSplit(total, parts);
          const expected = allocate(
            total,
            Array.from({ length: parts }, () => 1),
          ).map((share) => share.toFixed(2));
          const actual = Array.from({ length: parts }, (_, i) => centsToMoney(split.centsAt(i)).toFixed(2));
          expect(actual).toEqual(expected);
        },
      ),
    );
  });

  it('splits 100.00 three ways as 33.34, 33.33, 33.33', () => {
    const split = new EvenSplit('100', 3);
    expect([0, 1, 2].map((i) => split.centsAt(i))).toEqual([3334, 3333, 3333]);
  });
});
