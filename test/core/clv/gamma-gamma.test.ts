import { describe, expect, it } from 'vitest';
import { collapseSpend } from '../../../core/clv/collapse.ts';
import {
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaLogLikelihood,
  prepareGammaGammaData,
} from '../../../core/clv/gamma-gamma.ts';
import { simulateGammaGammaSpend } from '../../../core/clv/simulate.ts';
import { fitSpendModel } from '../../../core/clv/spend-model.ts';

/** Published CDNOW estimates (Fader, Hardie & Lee 2005; Hardie's note 025). */
const CDNOW = { p: 6.25, q: 3.74, gamma: 15.44 };

const rowsOf = (pairs: [number, number][]) =>
  prepareGammaGammaData({
    frequency: Float64Array.from(pairs, ([x]) => x),
    monetary: Float64Array.from(pairs, ([, m]) => m),
    weight: Float64Array.from(pairs, () => 1),
  });

describe('Gamma-Gamma', () => {
  // ln f(m_x | x) evaluated with mpmath at 50 digits.
  it.each([
    [1, 11.77, -3.73770967874084],
    [2, 22.35, -3.5513167597317],
    [7, 73.74, -6.05486731072223],
  ])('log-likelihood matches the closed form at x=%d, m=%d', (x, m, expected) => {
    expect(gammaGammaLogLikelihood(rowsOf([[x, m]]), CDNOW)).toBeCloseTo(expected, 11);
  });

  it('conditional expected spend matches Hardie spreadsheet values for CDNOW customers', () => {
    // The first CDNOW customers (x, m_x) and the spreadsheet's E[M]; x = 0 gives the population mean.
    const customers: [number, number, number][] = [
      [2, 22.35, 24.65],
      [1, 11.77, 18.91],
      [0, 0, 35.17],
      [7, 73.74, 71.46],
      [2, 25.55, 27.28],
    ];
    for (const [x, m, expected] of customers)
      expect(Math.abs(gammaGammaExpectedSpend(CDNOW, x, m) - expected)).toBeLessThan(0.1);
  });

  it("values a customer whose repeat purchases average no positive spend (refunds) at the population's mean", () => {
    // A purchase of 120 and a credit note of -120 a month later: x = 1, m = -120. Outside the
    // model (spend is positive); the formula would give a negative expected spend.
    const population = gammaGammaExpectedSpend(CDNOW, 0, 0);
    expect(gammaGammaExpectedSpend(CDNOW, 1, -120)).toBe(population);
    expect(gammaGammaExpectedSpend(CDNOW, 3, 0)).toBe(population);
    expect(population).toBeGreaterThan(0);
  });

  it('analytic gradient matches central differences', () => {
    const data = rowsOf([
      [1, 11.77],
      [2, 22.35],
      [7, 73.74],
      [3, 40],
    ]);
    const at = { p: 3, q: 2.5, gamma: 20 };
    const gradient = new Float64Array(3);
    gammaGammaLogLikelihood(data, at, gradient);
    (['p', 'q', 'gamma'] as const).forEach((key, i) => {
      const h = 1e-6 * at[key];
      const up = gammaGammaLogLikelihood(data, { ...at, [key]: at[key] + h });
      const down = gammaGammaLogLikelihood(data, { ...at, [key]: at[key] - h });
      expect(gradient[i]!).toBeCloseTo((up - down) / (2 * h), 4);
    });
  });

  it('fits simulated spend back to the parameters it was drawn from', () => {
    const frequency = Float64Array.from({ length: 10_000 }, (_, i) => 1 + (i % 6));
    const monetary = simulateGammaGammaSpend(CDNOW, frequency, 3);
    const fit = fitGammaGamma(collapseSpend(frequency, monetary), { penalizer: 0, starts: 3 });
    expect(fit.converged).toBe(true);
    // p and the population mean spend pγ/(q-1) are well identified; q and γ trade off.
    expect(fit.parameters.p).toBeGreaterThan(CDNOW.p * 0.9);
    expect(fit.parameters.p).toBeLessThan(CDNOW.p * 1.1);
    const mean = (v: typeof CDNOW) => (v.p * v.gamma) / (v.q - 1);
    expect(mean(fit.parameters) / mean(CDNOW)).toBeGreaterThan(0.93);
    expect(mean(fit.parameters) / mean(CDNOW)).toBeLessThan(1.07);
  });
});

describe('spend model fallbacks', () => {
  const options = { minRepeatCustomers: 20, penalizer: 0, starts: 2 };

  it('too few repeat customers: not fitted, said in plain words', () => {
    const outcome = fitSpendModel(Float64Array.of(1, 2, 0, 0), Float64Array.of(10, 12, 0, 0), options);
    expect(outcome.fitted).toBe(false);
    if (!outcome.fitted) expect(outcome.reason).toMatch(/only 2 repeat customers/);
  });

  it('all-equal spend: not fitted, said in plain words', () => {
    const frequency = Float64Array.from({ length: 100 }, (_, i) => 1 + (i % 4));
    const outcome = fitSpendModel(frequency, new Float64Array(100).fill(25), options);
    expect(outcome.fitted).toBe(false);
    if (!outcome.fitted) expect(outcome.reason).toMatch(/spends the same/);
  });

  it('ordinary data: fitted', () => {
    const frequency = Float64Array.from({ length: 500 }, (_, i) => 1 + (i % 4));
    const outcome = fitSpendModel(frequency, simulateGammaGammaSpend(CDNOW, frequency, 8), options);
    expect(outcome.fitted).toBe(true);
  });
});
