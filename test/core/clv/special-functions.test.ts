import { describe, expect, it } from 'vitest';
import { hyp2f1UnitA, logTailIntegral } from '../../../core/clv/hypergeometric.ts';
import {
  digamma,
  logAddExp,
  logBeta,
  logGamma,
  oneMinusExpOver,
} from '../../../core/clv/special-functions.ts';

// Reference values computed with mpmath at 40 significant digits.
describe('logGamma and digamma', () => {
  it.each([
    [1e-8, 18.42068073818021, -100000000.5772156],
    [0.3, 1.095797994818076, -3.502524222200133],
    [2.5, 0.2846828704729192, 0.7031566406452432],
    [17.2, 31.23376965885614, 2.815558027646697],
    [1234.5, 7550.550901077895, 7.118016231827998],
  ])('at %d', (x, lgamma, psi) => {
    expect(logGamma(x)).toBeCloseTo(lgamma, 12);
    expect(Math.abs(digamma(x) - psi)).toBeLessThan(1e-12 * Math.max(1, Math.abs(psi)));
  });

  it('logBeta is consistent with logGamma', () => {
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
  });

  it('logAddExp does not overflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
  });

  it('oneMinusExpOver has the right limit at c = 0', () => {
    expect(oneMinusExpOver(0, -0.7)).toBeCloseTo(0.7, 14);
    expect(oneMinusExpOver(1e-9, -0.7)).toBeCloseTo(0.7, 9);
    expect(oneMinusExpOver(0.5, -0.7)).toBeCloseTo((1 - Math.exp(-0.35)) / 0.5, 14);
  });
});

describe('hypergeometric pieces', () => {
  it.each([
    [0.5, 1.7, 0.3, 1.106797910811902],
    [3.2, 4.0, 0.9, 4.796314884354557],
    [500.5, 501.1, 0.999, 608.363541144379],
    [1.2, 1.25, 0.99999, 57259.45981188835],
    [600, 600.61, 0.5, 1.997974144368128],
  ])('2F1(1, %d; %d; %d) matches mpmath (series and continued fraction)', (b, c, z, expected) => {
    expect(Math.abs(hyp2f1UnitA(b, c, z) / expected - 1)).toBeLessThan(1e-12);
  });

  it.each([
    [10, 1.5, 2, 0.7, 0, -2.434669682556411],
    [0.01, 3, 100, 1.6, 0, 1.148761193101348],
    [5, 2, 5, 3, 1, -8.553332238032111],
  ])(
    'ln ∫ (A+u)^-P (B+u)^-Q du matches quadrature (A=%d, P=%d, B=%d, Q=%d, τ=%d)',
    (A, P, B, Q, tau, expected) => {
      expect(logTailIntegral(A, P, B, Q, tau)).toBeCloseTo(expected, 11);
    },
  );
});
