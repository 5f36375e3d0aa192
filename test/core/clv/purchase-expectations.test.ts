import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BgnbdExpectations, bgnbdConditionalExpectedPurchases } from '../../../core/clv/bgnbd-predict.ts';
import { MbgnbdExpectations, mbgnbdConditionalExpectedPurchases } from '../../../core/clv/mbgnbd.ts';

/**
 * BgnbdExpectations and MbgnbdExpectations keep the t_x-free factor of E[Y(t) | x, t_x, T] by
 * (t, x, T) for a run's customers: they must give the conditional expectation's numbers bit for
 * bit, whichever customers came first (the tables are compared byte for byte across engines).
 */
const parameters = fc.record({
  r: fc.double({ min: 0.05, max: 20, noNaN: true }),
  alpha: fc.double({ min: 0.1, max: 200, noNaN: true }),
  // a near 1 is the removable pole the evaluation splits out.
  a: fc.oneof(fc.double({ min: 0.2, max: 30, noNaN: true }), fc.constantFrom(1, 1 + 1e-9, 1 - 1e-9)),
  b: fc.double({ min: 0.2, max: 60, noNaN: true }),
});

/** Customers sharing (x, T) with different t_x, and horizons as the job asks them (months in weeks). */
const customers = fc.array(
  fc
    .record({
      x: fc.integer({ min: 0, max: 40 }),
      T: fc.constantFrom(0, 1, 12.5, 52, 104.285714, 200),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      month: fc.integer({ min: 0, max: 24 }),
    })
    .map(({ x, T, share, month }) => ({ x, T, tx: x === 0 ? 0 : T * share, t: month * (365.25 / 12 / 7) })),
  { minLength: 1, maxLength: 60 },
);

describe('purchase expectations kept by (t, x, T)', () => {
  it('equal BG/NBD conditional expectations bit for bit, in any order of customers', () => {
    fc.assert(
      fc.property(parameters, customers, (p, asked) => {
        const expectations = new BgnbdExpectations(p);
        for (const { t, x, tx, T } of [...asked, ...asked.toReversed()]) {
          expect(
            Object.is(
              expectations.expectedPurchases(t, x, tx, T),
              bgnbdConditionalExpectedPurchases(p, t, x, tx, T),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('equal MBG/NBD conditional expectations bit for bit, x = 0 included', () => {
    fc.assert(
      fc.property(parameters, customers, (p, asked) => {
        const expectations = new MbgnbdExpectations(p);
        for (const { t, x, tx, T } of [...asked, ...asked.toReversed()]) {
          expect(
            Object.is(
              expectations.expectedPurchases(t, x, tx, T),
              mbgnbdConditionalExpectedPurchases(p, t, x, tx, T),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('tell customers of the same (x, T) apart by their recency', () => {
    const p = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const expectations = new BgnbdExpectations(p);
    const recent = expectations.expectedPurchases(52, 3, 30, 38);
    const lapsed = expectations.expectedPurchases(52, 3, 2, 38);
    expect(recent).toBe(bgnbdConditionalExpectedPurchases(p, 52, 3, 30, 38));
    expect(lapsed).toBe(bgnbdConditionalExpectedPurchases(p, 52, 3, 2, 38));
    expect(lapsed).toBeLessThan(recent / 2);
  });
});
