import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  allocateCount,
  formatMoney,
  money,
  roundMoney,
  sumMoney,
  toUnscaled,
} from '../../core/money.ts';

describe('money', () => {
  it('adds without binary floating point error', () => {
    expect(money('0.1').plus('0.2').toString()).toBe('0.3');
    expect(sumMoney(['1234.56', '0.01', '-1234.57']).toString()).toBe('0');
  });

  it('rounds half-even by default and half-up on request', () => {
    expect(formatMoney('2.345')).toBe('2.34');
    expect(formatMoney('2.355')).toBe('2.36');
    expect(roundMoney('2.345', 2, 'half_up').toFixed(2)).toBe('2.35');
    expect(toUnscaled('-12.345')).toBe(-1234n);
  });

  it('writes the same unscaled integer from a Decimal as from its text, whole cents or not', () => {
    const amount = fc.oneof(
      fc
        .bigInt({ min: -(10n ** 20n), max: 10n ** 20n })
        .map((cents) => money(cents.toString()).dividedBy(100)),
      fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((tenths) => money(tenths).dividedBy(1000)),
      fc.constantFrom(
        money('-0'),
        money('0.005'),
        money('-0.015'),
        money('90071992547409.91'),
        money('90071992547409.92'),
      ),
    );
    fc.assert(
      fc.property(amount, fc.constantFrom('half_even' as const, 'half_up' as const), (value, mode) => {
        // The text path: what toUnscaled did for every amount before whole cents were read directly.
        const text = roundMoney(value.toString(), 2, mode).toFixed(2);
        expect(toUnscaled(value, 2, mode)).toBe(BigInt(text.replace('.', '')));
      }),
      { numRuns: 500 },
    );
  });

  it('splits 100.00 three ways exactly, giving the extra cent to the first part', () => {
    expect(allocate('100.00', [1, 1, 1]).map((m) => m.toFixed(2))).toEqual(['33.34', '33.33', '33.33']);
    expect(allocateCount(10, [1, 1, 1])).toEqual([4n, 3n, 3n]);
    expect(allocate('-10.00', [1, 2]).map((m) => m.toFixed(2))).toEqual(['-3.33', '-6.67']);
  });

  it('gives a tied cent to the earlier part even when the shares differ in size', () => {
    // 486 and 776 parts of 3,339,424,672 cents over 2,320 leave the same remainder, 1,152.
    expect(allocate('-33394246.72', [747, 486, 776, 311]).map((m) => m.toFixed(2))).toEqual([
      '-10752371.68',
      '-6995518.93',
      '-11169799.76',
      '-4476556.35',
    ]);
  });

  it('property: parts always sum exactly to the total and are within one cent of their share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 }),
        (totalCents, weights) => {
          const total = money(totalCents.toString()).dividedBy(100);
          const parts = allocate(total, weights);
          expect(sumMoney(parts).equals(total)).toBe(true);
          const weightSum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((part, i) => {
            const share =
              weightSum === 0
                ? total.dividedBy(weights.length)
                : total.times(weights[i] as number).dividedBy(weightSum);
            expect(part.minus(share).abs().lessThan('0.01')).toBe(true);
          });
        },
      ),
    );
  });
});
