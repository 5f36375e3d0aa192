import { describe, expect, it } from 'vitest';
import { collapseRfm } from '../../../core/clv/collapse.ts';
import {
  fitMbgnbd,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdExpectedPurchasesNewCustomer,
  mbgnbdLogLikelihood,
  mbgnbdProbabilityAlive,
} from '../../../core/clv/mbgnbd.ts';
import { cdnowSummary } from './fixtures.ts';

/**
 * MBG/NBD on CDNOW as BTYDplus estimates it (mbgnbd.EstimateParameters), the figures lifetimes'
 * test suite checks its ModifiedBetaGeoFitter against (tests/test_estimation.py,
 * test_params_out_is_close_to_BTYDplus): r 0.525, alpha 6.183, a 0.891, b 1.614. SciPy on the same
 * likelihood (below) reaches 0.52484, 6.18299, 0.89136, 1.61400 at LL -9582.1327.
 */
const BTYDPLUS = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

const single = (x: number, tx: number, T: number) => ({
  frequency: Float64Array.of(x),
  recency: Float64Array.of(tx),
  age: Float64Array.of(T),
  weight: Float64Array.of(1),
});

describe('MBG/NBD log-likelihood', () => {
  // SciPy: gammaln(r+x) - gammaln(r) + r ln α + betaln(a, b+x+1) - betaln(a, b)
  //        + ln((α+T)^-(r+x) + a/(b+x) (α+t_x)^-(r+x)) at the BTYDplus estimates.
  it.each([
    [0, 0, 38.86, -0.5398374635310144],
    [2, 30.43, 38.86, -9.48555131453393],
    [7, 29.43, 38.86, -21.776522248903873],
    [50, 300, 400, -149.35592741592959],
  ])('x=%d, t_x=%d, T=%d equals an independent SciPy evaluation', (x, tx, T, expected) => {
    expect(mbgnbdLogLikelihood(single(x, tx, T), BTYDPLUS)).toBeCloseTo(expected, 10);
  });

  it('has an analytic gradient that matches central differences', () => {
    const rows = collapseRfm(cdnowSummary());
    const gradient = new Float64Array(4);
    const at = { r: 0.4, alpha: 5, a: 1.2, b: 2 };
    mbgnbdLogLikelihood(rows, at, gradient);
    (['r', 'alpha', 'a', 'b'] as const).forEach((key, i) => {
      const h = 1e-6 * at[key];
      const up = mbgnbdLogLikelihood(rows, { ...at, [key]: at[key] + h });
      const down = mbgnbdLogLikelihood(rows, { ...at, [key]: at[key] - h });
      expect(gradient[i]!).toBeCloseTo((up - down) / (2 * h), 3);
    });
  });
});

describe('MBG/NBD on CDNOW', () => {
  it('reproduces BTYDplus estimates, with standard errors', () => {
    const fit = fitMbgnbd(collapseRfm(cdnowSummary()), { penalizer: 0, starts: 3 });
    expect(fit.converged).toBe(true);
    expect(fit.parameters.r).toBeCloseTo(BTYDPLUS.r, 3);
    expect(fit.parameters.alpha).toBeCloseTo(BTYDPLUS.alpha, 3);
    expect(fit.parameters.a).toBeCloseTo(BTYDPLUS.a, 3);
    expect(fit.parameters.b).toBeCloseTo(BTYDPLUS.b, 3);
    expect(fit.logLikelihood).toBeCloseTo(-9582.1327, 3);
    for (let i = 0; i < 4; i++) {
      expect(fit.standardErrors[i]!).toBeGreaterThan(0);
      expect(fit.standardErrors[i]!).toBeLessThan(fit.params[i]!);
    }
  });

  it.each([
    // SciPy hyp2f1 on (a+b+x)/(a-1) [1 - ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x+1; a+b+x; z)] P(alive).
    [39, 2, 30.43, 38.86, 1.2629606232673432],
    [39, 0, 0, 38.86, 0.15401274667514553],
    [10, 0, 0, 0, 0.43346741515656906],
    [52, 7, 29.43, 38.86, 3.9647344061835907],
  ])('E[Y(%d) | x=%d, t_x=%d, T=%d] equals the 2F1 closed form', (t, x, tx, T, expected) => {
    expect(mbgnbdConditionalExpectedPurchases(BTYDPLUS, t, x, tx, T)).toBeCloseTo(expected, 9);
  });

  it('a customer without repeat purchases is not certainly alive (unlike BG/NBD)', () => {
    const p = mbgnbdProbabilityAlive(BTYDPLUS, 0, 0, 38.86);
    expect(p).toBeLessThan(1);
    expect(p).toBeGreaterThan(0);
    expect(mbgnbdProbabilityAlive(BTYDPLUS, 0, 0, 0)).toBeCloseTo(BTYDPLUS.b / (BTYDPLUS.a + BTYDPLUS.b), 12);
    expect(mbgnbdExpectedPurchasesNewCustomer(BTYDPLUS, 20)).toBeGreaterThan(
      mbgnbdExpectedPurchasesNewCustomer(BTYDPLUS, 10),
    );
  });
});
