import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitBgnbd } from '../../../core/clv/bgnbd-fit.ts';
import {
  type BgnbdParameters,
  bgnbdLogLikelihood,
  prepareBgnbdData,
} from '../../../core/clv/bgnbd-likelihood.ts';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchasesNewCustomer,
  bgnbdProbabilityAlive,
} from '../../../core/clv/bgnbd-predict.ts';
import { collapseRfm } from '../../../core/clv/collapse.ts';
import { simulateBgnbd } from '../../../core/clv/simulate.ts';
import { rfmCustomer } from './arbitraries.ts';

/** Published CDNOW estimates (Fader, Hardie & Lee 2005). */
const CDNOW: BgnbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/** The same MLE unrounded (as refitted by lifetimes on CDNOW), for the paper's 4-digit tables. */
const CDNOW_UNROUNDED: BgnbdParameters = { r: 0.242593, alpha: 4.413595, a: 0.792919, b: 2.425886 };

const single = (x: number, tx: number, T: number) =>
  prepareBgnbdData({
    frequency: Float64Array.of(x),
    recency: Float64Array.of(tx),
    age: Float64Array.of(T),
    weight: Float64Array.of(1),
  });

describe('BG/NBD log-likelihood', () => {
  // ln L from FHL 2005 eq. 6 evaluated term by term with mpmath at 50 digits.
  it.each([
    [0, 0, 38.86, -0.554713276438158],
    [2, 30.43, 38.86, -9.45860630706627],
    [7, 29.43, 38.86, -21.8632762714635],
    [500, 900, 1000, -810.34001315913],
  ])('matches the closed form at x=%d, t_x=%d, T=%d', (x, tx, T, expected) => {
    expect(bgnbdLogLikelihood(single(x, tx, T), CDNOW)).toBeCloseTo(expected, 10);
  });

  it('weights equal the sum of repeated rows, and collapsing changes nothing', () => {
    const sim = simulateBgnbd(CDNOW, { customers: 2000, seed: 1, minAge: 5, maxAge: 40, daysPerUnit: 7 });
    const raw = prepareBgnbdData({ ...sim, weight: new Float64Array(2000).fill(1) });
    const collapsed = prepareBgnbdData(collapseRfm(sim));
    expect(collapsed.rows.weight.length).toBeLessThan(2000);
    expect(bgnbdLogLikelihood(collapsed, CDNOW)).toBeCloseTo(bgnbdLogLikelihood(raw, CDNOW), 7);
  });

  it('has an analytic gradient that matches central differences', () => {
    const sim = simulateBgnbd(CDNOW, { customers: 500, seed: 2, minAge: 5, maxAge: 40 });
    const data = prepareBgnbdData(collapseRfm(sim));
    const gradient = new Float64Array(4);
    const at = { r: 0.4, alpha: 3, a: 1.3, b: 2 };
    bgnbdLogLikelihood(data, at, gradient);
    const keys = ['r', 'alpha', 'a', 'b'] as const;
    keys.forEach((key, i) => {
      const h = 1e-6 * at[key];
      const up = bgnbdLogLikelihood(data, { ...at, [key]: at[key] + h });
      const down = bgnbdLogLikelihood(data, { ...at, [key]: at[key] - h });
      expect(gradient[i]!).toBeCloseTo((up - down) / (2 * h), 3);
    });
  });
});

describe('BG/NBD predictions against published values', () => {
  it('E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 (FHL 2005 / Hardie spreadsheet)', () => {
    expect(bgnbdConditionalExpectedPurchases(CDNOW, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it('E[X(t)] for a new customer matches the paper table', () => {
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => {
      expect(Math.abs(bgnbdExpectedPurchasesNewCustomer(CDNOW_UNROUNDED, t) - expected[i]!)).toBeLessThan(
        1e-3,
      );
    });
  });

  it('P(alive) is 1 without repeat purchases and matches the closed form otherwise', () => {
    expect(bgnbdProbabilityAlive(CDNOW, 0, 0, 38.86)).toBe(1);
    const { r, alpha, a, b } = CDNOW;
    const closed = 1 / (1 + (a / (b + 2 - 1)) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2));
    expect(bgnbdProbabilityAlive(CDNOW, 2, 30.43, 38.86)).toBeCloseTo(closed, 14);
  });

  it('the conditional expectation has no pole at a = 1', () => {
    const near = bgnbdConditionalExpectedPurchases({ ...CDNOW, a: 1 + 1e-9 }, 52, 3, 20, 30);
    const at = bgnbdConditionalExpectedPurchases({ ...CDNOW, a: 1 }, 52, 3, 20, 30);
    expect(at).toBeCloseTo(near, 7);
  });
});

const params = fc.record({
  r: fc.double({ min: 0.01, max: 20, noNaN: true }),
  alpha: fc.double({ min: 0.01, max: 200, noNaN: true }),
  a: fc.double({ min: 0.01, max: 20, noNaN: true }),
  b: fc.double({ min: 0.01, max: 20, noNaN: true }),
});
const customer = rfmCustomer;

describe('BG/NBD properties', () => {
  it('P(alive) is in [0, 1]; expectations are finite, non-negative and increasing in t', () => {
    fc.assert(
      fc.property(params, customer, fc.double({ min: 0.1, max: 500, noNaN: true }), (p, c, t) => {
        const alive = bgnbdProbabilityAlive(p, c.x, c.tx, c.T);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
        const near = bgnbdConditionalExpectedPurchases(p, t, c.x, c.tx, c.T);
        const far = bgnbdConditionalExpectedPurchases(p, t * 2, c.x, c.tx, c.T);
        expect(Number.isFinite(near) && Number.isFinite(far)).toBe(true);
        expect(near).toBeGreaterThanOrEqual(0);
        expect(far).toBeGreaterThanOrEqual(near * (1 - 1e-9));
        expect(Number.isFinite(bgnbdLogLikelihood(single(c.x, c.tx, c.T), p))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('BG/NBD recovery', () => {
  it('fits simulated data back to the parameters it was drawn from', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
    const sim = simulateBgnbd(truth, { customers: 20_000, seed: 42, minAge: 20, maxAge: 80 });
    const fit = fitBgnbd(collapseRfm(sim), { penalizer: 0, starts: 3 });
    expect(fit.converged).toBe(true);
    expect(fit.parameters.r).toBeGreaterThan(truth.r * 0.85);
    expect(fit.parameters.r).toBeLessThan(truth.r * 1.15);
    expect(fit.parameters.r / fit.parameters.alpha).toBeCloseTo(truth.r / truth.alpha, 2);
    // E[p] = a / (a + b) is well identified; a and b separately less so.
    expect(fit.parameters.a / (fit.parameters.a + fit.parameters.b)).toBeCloseTo(
      truth.a / (truth.a + truth.b),
      1,
    );
    expect(fit.parameters.a).toBeGreaterThan(truth.a * 0.6);
    expect(fit.parameters.a).toBeLessThan(truth.a * 1.5);
  });

  it('a penalizer shrinks the parameters', () => {
    const sim = simulateBgnbd(CDNOW, { customers: 3000, seed: 9, minAge: 20, maxAge: 60 });
    const rows = collapseRfm(sim);
    const plain = fitBgnbd(rows, { penalizer: 0, starts: 1 });
    const penalised = fitBgnbd(rows, { penalizer: 0.1, starts: 1 });
    const size = (p: BgnbdParameters) => p.r ** 2 + p.alpha ** 2 + p.a ** 2 + p.b ** 2;
    expect(size(penalised.parameters)).toBeLessThan(size(plain.parameters));
    expect(penalised.logLikelihood).toBeLessThanOrEqual(plain.logLikelihood);
  });
});

describe('BG/NBD predictions of a fit where hardly anyone seems to drop out', () => {
  it('are finite and tend to their limit as a and b run off together (they were NaN from a of a few thousand)', () => {
    // A loyal base sends a and b to 1e14 and more, b/a fixed: a constant dropout chance a purchase.
    const at = (a: number, x: number, tx: number) =>
      bgnbdConditionalExpectedPurchases({ r: 1, alpha: 10, a, b: 20 * a }, 52, x, tx, 100);
    for (const [x, tx] of [
      [0, 0],
      [3, 40],
      [200, 90],
    ] as const) {
      const values = [1e3, 5e3, 1e6, 2e14].map((a) => at(a, x, tx));
      for (const value of values) expect(Number.isFinite(value), `x=${x}`).toBe(true);
      expect(Math.abs((values[3] as number) / (values[2] as number) - 1), `x=${x}`).toBeLessThan(1e-4);
      // Each step towards the limit is smaller than the one before.
      const step = (k: number) => Math.abs((values[k + 1] as number) / (values[k] as number) - 1);
      expect(step(1), `x=${x}`).toBeLessThan(step(0));
    }
  });
});
