import { describe, expect, it } from 'vitest';
import {
  fitSbg,
  sbgDataFromSurvivors,
  sbgDerl,
  sbgLogLikelihood,
  sbgRetentionRate,
  sbgSurvival,
} from '../../../core/clv/sbg.ts';

/**
 * Fader & Hardie (2007), "How to Project Customer Retention", Table 1: 1,000 customers who began
 * in year 0, survivors at the start of years 1-7, and the published maximum-likelihood estimates.
 * (The issue brief listed the two estimate pairs the other way round; fitted on these counts the
 * regular segment, which loses 37% in year one, gives α = 0.704, β = 1.182, as the paper says.)
 */
const REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241];
const HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491];

describe('sBG log-likelihood', () => {
  it('equals the Beta-function form computed independently (SciPy betaln)', () => {
    // Σ (n_{t-1} - n_t) ln[B(α+1, β+t-1)/B(α,β)] + n_7 ln[B(α, β+7)/B(α,β)] at α=1, β=2.
    expect(sbgLogLikelihood(sbgDataFromSurvivors(REGULAR), { alpha: 1, beta: 2 })).toBeCloseTo(
      -1687.4712595630745,
      9,
    );
    expect(sbgLogLikelihood(sbgDataFromSurvivors(HIGH_END), { alpha: 1, beta: 2 })).toBeCloseTo(
      -1812.2339633212039,
      9,
    );
  });

  it('has an analytic gradient that matches central differences', () => {
    const data = sbgDataFromSurvivors(REGULAR);
    const gradient = new Float64Array(2);
    const at = { alpha: 0.9, beta: 2.5 };
    sbgLogLikelihood(data, at, gradient);
    for (const [i, key] of (['alpha', 'beta'] as const).entries()) {
      const h = 1e-6;
      const up = sbgLogLikelihood(data, { ...at, [key]: at[key] + h });
      const down = sbgLogLikelihood(data, { ...at, [key]: at[key] - h });
      expect(gradient[i]!).toBeCloseTo((up - down) / (2 * h), 5);
    }
  });
});

describe('sBG fit reproduces Fader & Hardie (2007)', () => {
  it.each([
    ['regular', REGULAR, 0.704, 1.182, -1680.3],
    ['high end', HIGH_END, 0.668, 3.806, -1611.2],
  ])('%s: alpha and beta as published', (_, survivors, alpha, beta, logLikelihood) => {
    const fit = fitSbg(sbgDataFromSurvivors(survivors), { penalizer: 0, starts: 3 });
    expect(fit.converged).toBe(true);
    expect(fit.parameters.alpha).toBeCloseTo(alpha, 3);
    expect(fit.parameters.beta).toBeCloseTo(beta, 3);
    expect(fit.logLikelihood).toBeCloseTo(logLikelihood, 1);
    expect(fit.subscribers).toBe(1000);
    // Standard errors exist, are positive and smaller than the estimates.
    for (let i = 0; i < 2; i++) {
      expect(fit.standardErrors[i]!).toBeGreaterThan(0);
      expect(fit.standardErrors[i]!).toBeLessThan(fit.params[i]!);
    }
  });

  it('fitted survival follows the observed counts and retention rises with tenure', () => {
    const fit = fitSbg(sbgDataFromSurvivors(REGULAR), { penalizer: 0, starts: 3 });
    const survival = sbgSurvival(fit.parameters, 12);
    REGULAR.forEach((n, t) => {
      expect(Math.abs(1000 * survival[t]! - n)).toBeLessThan(12);
    });
    for (let t = 2; t <= 12; t++)
      expect(sbgRetentionRate(fit.parameters, t)).toBeGreaterThan(sbgRetentionRate(fit.parameters, t - 1));
  });

  it('censoring counts: a subscriber still active after k periods contributes ln S(k)', () => {
    const p = { alpha: 0.7, beta: 1.2 };
    const survival = sbgSurvival(p, 3);
    const data = { churned: new Float64Array(4), censored: Float64Array.of(0, 0, 0, 1) };
    expect(sbgLogLikelihood(data, p)).toBeCloseTo(Math.log(survival[3]!), 12);
    const churnedInTwo = { churned: Float64Array.of(0, 0, 1), censored: new Float64Array(3) };
    expect(sbgLogLikelihood(churnedInTwo, p)).toBeCloseTo(Math.log(survival[1]! - survival[2]!), 12);
  });
});

describe('DERL (Fader & Hardie 2010)', () => {
  const p = { alpha: 0.668, beta: 3.806 };
  it.each([
    // (β+n-1)/(α+β+n-1) · 2F1(1, β+n; α+β+n; 1/(1+d)) with SciPy's hyp2f1.
    [0, 0.1, 5.414856048374033],
    [4, 0.1, 6.89705739774609],
    [0, 0.01, 19.009625981018562],
  ])('after %d renewals at d = %d equals the 2F1 closed form', (renewals, d, expected) => {
    expect(sbgDerl(p, renewals, d)).toBeCloseTo(expected, 8);
  });

  it('tends to the geometric r(1+d)/(1+d-r) without heterogeneity', () => {
    const retention = 0.8;
    const homogeneous = { alpha: 0.2 * 1e7, beta: 0.8 * 1e7 };
    expect(sbgDerl(homogeneous, 3, 0.1)).toBeCloseTo((retention * 1.1) / (1.1 - retention), 4);
  });

  it('is the mean residual lifetime at d = 0, and infinite when that does not exist', () => {
    expect(sbgDerl({ alpha: 3, beta: 4 }, 2, 0)).toBeCloseTo((4 + 2) / (3 - 1), 12);
    expect(sbgDerl({ alpha: 0.7, beta: 4 }, 2, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('grows with the renewals already made (the survivors are the loyal ones)', () => {
    expect(sbgDerl(p, 5, 0.1)).toBeGreaterThan(sbgDerl(p, 1, 0.1));
  });
});
