import { describe, expect, it } from 'vitest';
import { bgnbdModel, fitBgnbd } from '../../../core/clv/bgnbd-fit.ts';
import { prepareBgnbdData } from '../../../core/clv/bgnbd-likelihood.ts';
import { collapseRfm, collapseSpend } from '../../../core/clv/collapse.ts';
import type { PositiveModel } from '../../../core/clv/fit-log-scale.ts';
import { fitGammaGamma, gammaGammaModel, prepareGammaGammaData } from '../../../core/clv/gamma-gamma.ts';
import { simulateGammaGammaSpend } from '../../../core/clv/simulate.ts';
import {
  invertPositiveDefinite,
  standardErrors,
  standardErrorsFromGradient,
} from '../../../core/clv/standard-errors.ts';
import { cdnowSummary } from './fixtures.ts';

/** The two ways of one model at one point: values differenced twice, its gradient once. */
function bothWays(model: PositiveModel, params: Float64Array) {
  const scratch = new Float64Array(params.length);
  return {
    byValues: standardErrors((p) => model.logLikelihood(p, scratch), params),
    byGradient: standardErrorsFromGradient((p, gradient) => model.logLikelihood(p, gradient), params),
  };
}

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

  it('from a gradient: exact for a log-normal likelihood, whose log-scale Hessian is constant', () => {
    // LL(p) = -(ln p1 - 1)² - (ln p1 - 1)(ln p2 + 2) - 2 (ln p2 + 2)²: on θ = ln p the information
    // is [[2, 1], [1, 4]] at any point, so Cov(θ) = [[4, -1], [-1, 2]] / 7, and at the optimum
    // (θ = (1, -2)) the natural-scale covariance is diag(p) Cov(θ) diag(p).
    const gradientOf = (p: Float64Array, gradient: Float64Array) => {
      const u = Math.log(p[0]!) - 1;
      const v = Math.log(p[1]!) + 2;
      gradient[0] = (-2 * u - v) / p[0]!;
      gradient[1] = (-u - 4 * v) / p[1]!;
      return -u * u - u * v - 2 * v * v;
    };
    const optimum = Float64Array.of(Math.E, Math.exp(-2));
    const outcome = standardErrorsFromGradient(gradientOf, optimum);
    expect(outcome.note).toBeNull();
    const expected = [4 / 7, -1 / 7, -1 / 7, 2 / 7];
    expected.forEach((c, k) => {
      const [i, j] = [Math.floor(k / 2), k % 2];
      expect(outcome.covariance[k]! / (c * optimum[i]! * optimum[j]!)).toBeCloseTo(1, 8);
    });
    expect(outcome.standardErrors[1]).toBeCloseTo(Math.sqrt(2 / 7) * Math.exp(-2), 12);
  });

  it('from a gradient: refuses what the values refuse (no estimate, no interior maximum)', () => {
    const flat = (_p: Float64Array, gradient: Float64Array) => {
      gradient.fill(0);
      return 0;
    };
    expect(standardErrorsFromGradient(flat, Float64Array.of(1, 2)).note).toContain('not positive definite');
    expect(standardErrorsFromGradient(flat, Float64Array.of(1, Number.NaN)).note).toContain(
      'no finite positive estimate',
    );
    const saddle = (p: Float64Array, gradient: Float64Array) => {
      gradient[0] = (-2 * Math.log(p[0]!)) / p[0]!;
      gradient[1] = (2 * Math.log(p[1]!)) / p[1]!;
      return Math.log(p[1]!) ** 2 - Math.log(p[0]!) ** 2;
    };
    expect(standardErrorsFromGradient(saddle, Float64Array.of(1, 1)).note).toContain('not positive definite');
    // A likelihood that is not finite beside the optimum, its gradient finite there.
    const cliff = (p: Float64Array, gradient: Float64Array) => {
      flat(p, gradient);
      return p[0]! > 1 ? Number.NEGATIVE_INFINITY : 0;
    };
    expect(standardErrorsFromGradient(cliff, Float64Array.of(1, 1)).note).toContain(
      'not finite next to the optimum',
    );
  });

  it('BG/NBD on CDNOW: the gradient way gives the standard errors lifetimes publishes to 1e-6, the values way does not', () => {
    const rfm = collapseRfm(cdnowSummary());
    const fit = fitBgnbd(rfm, { penalizer: 0, starts: 3 });
    const { byValues, byGradient } = bothWays(bgnbdModel(prepareBgnbdData(rfm)), fit.params);
    // lifetimes docs/Quickstart.md, six decimals (as in the test above).
    const published = [0.012557, 0.378221, 0.185719, 0.705345];
    const furthest = (errors: Float64Array) =>
      Math.max(...published.map((se, i) => Math.abs(errors[i]! - se)));
    expect(furthest(byGradient.standardErrors)).toBeLessThan(1.5e-6);
    expect(furthest(byValues.standardErrors)).toBeGreaterThan(1e-5);
    // The fits take the gradient way (the model has no logLikelihoodValue).
    expect([...fit.standardErrors]).toEqual([...byGradient.standardErrors]);
  });

  it("Gamma-Gamma on spend drawn at the CDNOW estimates: the two ways agree to the values way's rounding", () => {
    const frequency = Float64Array.from({ length: 10_000 }, (_, i) => 1 + (i % 6));
    const monetary = simulateGammaGammaSpend({ p: 6.25, q: 3.74, gamma: 15.44 }, frequency, 3);
    const spend = collapseSpend(frequency, monetary);
    const fit = fitGammaGamma(spend, { penalizer: 0, starts: 3 });
    const { byValues, byGradient } = bothWays(gammaGammaModel(prepareGammaGammaData(spend)), fit.params);
    expect(byGradient.note).toBeNull();
    byValues.standardErrors.forEach((se, i) => {
      expect(Math.abs(byGradient.standardErrors[i]! / se - 1)).toBeLessThan(0.02);
    });
    // q and gamma trade off, so the information is ill-conditioned: the gradient way gives the
    // same errors at any step from 1e-3 to 1e-5, the values way moves with the step by half.
    const model = gammaGammaModel(prepareGammaGammaData(spend));
    const scratch = new Float64Array(3);
    const spread = (errorsAt: (step: number) => Float64Array) => {
      const runs = [1e-3, 1e-4, 1e-5].map(errorsAt);
      const ratio = (i: number) =>
        Math.max(...runs.map((r) => r[i]!)) / Math.min(...runs.map((r) => r[i]!)) - 1;
      return Math.max(ratio(0), ratio(1), ratio(2));
    };
    const byGradientAt = (step: number) =>
      standardErrorsFromGradient((p, g) => model.logLikelihood(p, g), fit.params, step).standardErrors;
    const byValuesAt = (step: number) =>
      standardErrors((p) => model.logLikelihood(p, scratch), fit.params, step).standardErrors;
    expect(spread(byGradientAt)).toBeLessThan(1e-4);
    expect(spread(byValuesAt)).toBeGreaterThan(0.5);
    expect([...fit.standardErrors]).toEqual([...byGradient.standardErrors]);
  });
});
