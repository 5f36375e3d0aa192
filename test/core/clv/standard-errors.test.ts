import { describe, expect, it } from 'vitest';
import { fitBgnbd } from '../../../core/clv/bgnbd-fit.ts';
import { collapseRfm } from '../../../core/clv/collapse.ts';
import { invertPositiveDefinite, standardErrors } from '../../../core/clv/standard-errors.ts';
import { cdnowSummary } from './fixtures.ts';

describe('standard errors from the observed information', () => {
  it('inverts a positive definite matrix and refuses an indefinite one', () => {
    const a = Float64Array.of(4, 2, 0.6, 2, 3, 0.4, 0.6, 0.4, 2);
    const inverse = invertPositiveDefinite(a, 3)!;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let sum = 0;
        for (let k = 0; k < 3; k++) sum += a[i * 3 + k]! * inverse[k * 3 + j]!;
        expect(sum).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    expect(invertPositiveDefinite(Float64Array.of(1, 2, 2, 1), 2)).toBeNull();
  });

  it('are the textbook sigma/sqrt(n) for the mean of a normal sample, sigma known', () => {
    // LL(mu) = -Σ (y - mu)² / (2σ²): information n/σ², SE σ/√n (whatever the parametrisation).
    const ys = [3.1, 2.7, 3.6, 2.2, 3.0, 3.4];
    const sigma = 0.5;
    const mean = ys.reduce((s, y) => s + y, 0) / ys.length;
    const outcome = standardErrors(
      (p) => -ys.reduce((s, y) => s + (y - p[0]!) ** 2, 0) / (2 * sigma * sigma),
      Float64Array.of(mean),
    );
    expect(outcome.note).toBeNull();
    expect(outcome.standardErrors[0]).toBeCloseTo(sigma / Math.sqrt(ys.length), 8);
  });

  it('BG/NBD on CDNOW: the estimates and standard errors lifetimes publishes', () => {
    // lifetimes docs/Quickstart.md, BetaGeoFitter on cdnow_customers_summary:
    // r 0.242593 (se 0.012557), alpha 4.413532 (0.378221), a 0.792886 (0.185719), b 2.425752 (0.705345).
    const fit = fitBgnbd(collapseRfm(cdnowSummary()), { penalizer: 0, starts: 3 });
    expect(fit.converged).toBe(true);
    const published = [0.242593, 4.413532, 0.792886, 2.425752];
    const publishedErrors = [0.012557, 0.378221, 0.185719, 0.705345];
    published.forEach((v, i) => {
      expect(fit.params[i]!).toBeCloseTo(v, 3);
    });
    publishedErrors.forEach((se, i) => {
      expect(Math.abs(fit.standardErrors[i]! / se - 1)).toBeLessThan(0.01);
    });
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1); // FHL 2005: LL = -9582.4
  });
});
