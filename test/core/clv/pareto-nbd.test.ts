import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapseRfm } from '../../../core/clv/collapse.ts';
import { numericGradient } from '../../../core/clv/fit-log-scale.ts';
import { fitParetoNbd } from '../../../core/clv/pareto-nbd-fit.ts';
import {
  type ParetoNbdParameters,
  paretoNbdLogLikelihood,
  paretoNbdLogLikelihoodOne,
  prepareParetoNbdData,
} from '../../../core/clv/pareto-nbd-likelihood.ts';
import {
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchasesNewCustomer,
  paretoNbdProbabilityAlive,
} from '../../../core/clv/pareto-nbd-predict.ts';
import { simulateParetoNbd } from '../../../core/clv/simulate.ts';
import { rfmCustomer } from './arbitraries.ts';

/** Published CDNOW estimates (Fader & Hardie's Pareto/NBD note). */
const CDNOW: ParetoNbdParameters = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6711 };

describe('Pareto/NBD log-likelihood', () => {
  // The textbook form with 2F1 (Fader & Hardie 2005 note, eq. 22) evaluated by mpmath at 50 digits.
  it.each([
    [CDNOW, 0, 0, 38.86, -0.521321620750952],
    [CDNOW, 2, 30.43, 38.86, -9.55396038265718],
    [CDNOW, 7, 29.43, 38.86, -21.5940399149677],
    [CDNOW, 500, 900, 1000, -810.786137004612],
    [CDNOW, 3, 2, 6, -7.88445889584478],
    [{ r: 2, alpha: 1, s: 0.5, beta: 30 }, 3, 2, 6, -6.05439231409996],
    // lifetimes' overflow regression case: alpha tiny, x = 400.
    [{ r: 10.465, alpha: 7.98565181e-3, s: 3.0516, beta: 2.82 }, 400, 5, 6, 1323.18893096783],
  ])('matches the textbook closed form (%o, x=%d, t_x=%d, T=%d)', (p, x, tx, T, expected) => {
    expect(paretoNbdLogLikelihoodOne(p, x, tx, T)).toBeCloseTo(expected, 9);
  });

  it('central-difference gradient agrees with a Richardson-extrapolated reference', () => {
    const sim = simulateParetoNbd(CDNOW, { customers: 300, seed: 4, minAge: 10, maxAge: 40 });
    const data = prepareParetoNbdData(collapseRfm(sim));
    const f = (v: Float64Array) =>
      paretoNbdLogLikelihood(data, { r: v[0]!, alpha: v[1]!, s: v[2]!, beta: v[3]! });
    const at = Float64Array.of(0.7, 8, 0.9, 15);
    const gradient = new Float64Array(4);
    numericGradient(f, at, gradient);
    for (let i = 0; i < 4; i++) {
      const diff = (h: number) => {
        const up = Float64Array.from(at);
        const down = Float64Array.from(at);
        up[i] = at[i]! + h;
        down[i] = at[i]! - h;
        return (f(up) - f(down)) / (2 * h);
      };
      const h = 1e-3 * at[i]!;
      const richardson = (4 * diff(h / 2) - diff(h)) / 3;
      expect(Math.abs(gradient[i]! - richardson)).toBeLessThan(1e-5 * Math.max(1, Math.abs(richardson)));
    }
  });
});

describe('Pareto/NBD predictions', () => {
  it('P(alive) matches the closed form via mpmath (x=2, t_x=30.43, T=38.86)', () => {
    expect(paretoNbdProbabilityAlive(CDNOW, 2, 30.43, 38.86)).toBeCloseTo(0.869149945034, 10);
    expect(paretoNbdConditionalExpectedPurchases(CDNOW, 39, 2, 30.43, 38.86)).toBeCloseTo(1.45522278241, 9);
  });

  it('E[X(t)] for a new customer is the published closed form', () => {
    const { r, alpha, s, beta } = CDNOW;
    const t = 52;
    const closed = ((r * beta) / (alpha * (s - 1))) * (1 - (beta / (beta + t)) ** (s - 1));
    expect(paretoNbdExpectedPurchasesNewCustomer(CDNOW, t)).toBeCloseTo(closed, 12);
  });
});

describe('Pareto/NBD properties', () => {
  const params = fc.record({
    r: fc.double({ min: 0.01, max: 20, noNaN: true }),
    alpha: fc.double({ min: 0.01, max: 200, noNaN: true }),
    s: fc.double({ min: 0.01, max: 20, noNaN: true }),
    beta: fc.double({ min: 0.01, max: 200, noNaN: true }),
  });
  const customer = rfmCustomer;

  it('P(alive) in [0, 1]; likelihood and expectations finite; expectations non-negative and increasing in t', () => {
    fc.assert(
      fc.property(params, customer, fc.double({ min: 0.1, max: 500, noNaN: true }), (p, c, t) => {
        const alive = paretoNbdProbabilityAlive(p, c.x, c.tx, c.T);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
        expect(Number.isFinite(paretoNbdLogLikelihoodOne(p, c.x, c.tx, c.T))).toBe(true);
        const near = paretoNbdConditionalExpectedPurchases(p, t, c.x, c.tx, c.T);
        const far = paretoNbdConditionalExpectedPurchases(p, 2 * t, c.x, c.tx, c.T);
        expect(Number.isFinite(near) && Number.isFinite(far)).toBe(true);
        expect(near).toBeGreaterThanOrEqual(0);
        expect(far).toBeGreaterThanOrEqual(near);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Pareto/NBD recovery', () => {
  it('fits simulated data back to the parameters it was drawn from', () => {
    const truth = { r: 0.8, alpha: 8, s: 0.7, beta: 12 };
    const sim = simulateParetoNbd(truth, {
      customers: 8000,
      seed: 11,
      minAge: 30,
      maxAge: 80,
      daysPerUnit: 7,
    });
    const fit = fitParetoNbd(collapseRfm(sim), { penalizer: 0, starts: 1 });
    expect(fit.converged).toBe(true);
    expect(fit.parameters.r / fit.parameters.alpha).toBeCloseTo(truth.r / truth.alpha, 1);
    expect(fit.parameters.r).toBeGreaterThan(truth.r * 0.8);
    expect(fit.parameters.r).toBeLessThan(truth.r * 1.25);
    expect(fit.parameters.s).toBeGreaterThan(truth.s * 0.6);
    expect(fit.parameters.s).toBeLessThan(truth.s * 1.6);
  });
});
