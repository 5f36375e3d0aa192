import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberCells } from '../../../core/clv/cell-expectations.ts';
import { DEFAULT_CLV_MODEL_CONFIG } from '../../../core/clv/config.ts';
import { discountedExpectedPurchases } from '../../../core/clv/discounting.ts';
import { bootstrapClvIntervals, quantile } from '../../../core/clv/intervals.ts';
import { predictCustomerValueColumns } from '../../../core/clv/predict-customer-value.ts';
import { SeededRandom } from '../../../core/clv/random.ts';
import { simulateTransactions } from '../../../core/clv/simulate.ts';
import { type PurchasePredictor, purchasePredictorAt } from '../../../core/clv/transaction-model.ts';

const PURCHASES = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
const SPEND = { p: 6.25, q: 3.74, gamma: 15.44 };
const UNITS_PER_MONTH = 365.25 / 12 / 7;
const discounted = (model: PurchasePredictor, x: number, tx: number, T: number) =>
  discountedExpectedPurchases((t) => model.expectedPurchases(t, x, tx, T), 12, UNITS_PER_MONTH, 0.1);

describe('quantile', () => {
  it("equals the sorted values' linear-interpolated quantile (R type 7)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (list, share) => {
          const sorted = [...list].sort((a, b) => a - b);
          const rank = share * (list.length - 1);
          const below = Math.floor(rank);
          const expected =
            below + 1 < sorted.length
              ? sorted[below]! + (rank - below) * (sorted[below + 1]! - sorted[below]!)
              : sorted[below]!;
          expect(quantile(Float64Array.from(list), rank)).toBeCloseTo(expected, 6);
        },
      ),
    );
  });
});

describe('bootstrapClvIntervals', () => {
  // Standard errors as a fit on a few thousand customers gives them (log-scale SD 5-15 %).
  const purchaseParams = [PURCHASES.r, PURCHASES.alpha, PURCHASES.a, PURCHASES.b];
  const purchaseSd = [0.06, 0.08, 0.12, 0.15];
  const correlation = [
    [1, 0.8, 0, 0],
    [0.8, 1, 0, 0],
    [0, 0, 1, 0.7],
    [0, 0, 0.7, 1],
  ];
  const purchaseCov = purchaseParams.flatMap((pi, i) =>
    purchaseParams.map((pj, j) => correlation[i]![j]! * purchaseSd[i]! * purchaseSd[j]! * pi * pj),
  );
  const spendParams = [SPEND.p, SPEND.q, SPEND.gamma];
  const spendSd = [0.05, 0.08, 0.1];
  const spendCov = spendParams.flatMap((pi, i) =>
    spendParams.map((pj, j) => (i === j ? spendSd[i]! * spendSd[j]! * pi * pj : 0)),
  );
  // Customers: (x, t_x, T, m, margin).
  const customers = [
    [0, 0, 30, 0, 0.4],
    [1, 5, 40, 25, 0.4],
    [4, 30, 35, 60, 0.3],
    [12, 50, 52, 15, 0.5],
    [3, 2, 60, 80, -0.2], // a loss-making customer: the interval flips sign with the margin
    [2, 20, 45, -30, 0.4], // repeat purchases that net to refunds: valued at the population's spend
  ] as const;
  const column = (k: number) => Float64Array.from(customers.map((c) => c[k]));
  const input = (draws: number) => ({
    frequency: column(0),
    recency: column(1),
    age: column(2),
    monetary: column(3),
    margin: column(4),
    valued: Uint8Array.from(customers.map(() => 1)),
    purchase: {
      params: purchaseParams,
      covariance: purchaseCov,
      at: (params: ArrayLike<number>) => purchasePredictorAt('bgnbd', params),
    },
    spend: { params: spendParams, covariance: spendCov },
    discountedPurchases: discounted,
    horizon: { months: 12, unitsPerMonth: UNITS_PER_MONTH, annualDiscountRate: 0.1 },
    draws,
  });

  it('matches an exact bootstrap (every draw through the full model) within Monte Carlo error', () => {
    const ours = bootstrapClvIntervals(input(4000));
    expect(ours.note).toBeNull();
    // Reference: exact D per draw, independent draws.
    const random = new SeededRandom(99);
    const logNormalDraw = (params: number[], sd: number[], corr: number[][]) => {
      const n = params.length;
      const lower = choleskyOf(n, (i, j) => corr[i]![j]! * sd[i]! * sd[j]!);
      const z = params.map(() => random.normal());
      return params.map(
        (p, i) => p * Math.exp(z.reduce((s, zj, j) => s + (j <= i ? lower[i]![j]! * zj : 0), 0)),
      );
    };
    const identity = spendParams.map((_, i) => spendParams.map((__, j) => (i === j ? 1 : 0)));
    const draws = 4000;
    const values = customers.map(() => new Float64Array(draws));
    for (let b = 0; b < draws; b++) {
      const purchase = purchasePredictorAt('bgnbd', logNormalDraw(purchaseParams, purchaseSd, correlation));
      let spend: number[];
      do spend = logNormalDraw(spendParams, spendSd, identity);
      while (spend[1]! <= 1);
      customers.forEach(([x, tx, T, m, margin], i) => {
        // A customer without positive repeat spend is valued at the population's (x = 0).
        const spendX = m > 0 ? x : 0;
        const expectedSpend = ((spend[2]! + m * spendX) * spend[0]!) / (spend[0]! * spendX + spend[1]! - 1);
        values[i]![b] = margin * expectedSpend * discounted(purchase, x, tx, T);
      });
    }
    customers.forEach((_, i) => {
      const p10 = quantile(values[i]!, 0.1 * (draws - 1));
      const p90 = quantile(values[i]!, 0.9 * (draws - 1));
      const width = p90 - p10;
      expect(width).toBeGreaterThan(0);
      expect(Math.abs(ours.p10[i]! - p10)).toBeLessThan(0.06 * width);
      expect(Math.abs(ours.p90[i]! - p90)).toBeLessThan(0.06 * width);
    });
    // Loss-making customer: both ends negative, p10 below p90.
    expect(ours.p90[4]!).toBeLessThan(0);
    expect(ours.p10[4]!).toBeLessThan(ours.p90[4]!);
    // Refunds: a positive interval, as the customer's positive margin gives.
    expect(ours.p10[5]!).toBeGreaterThan(0);
  });

  it("groups by the point prediction's cells exactly as by its own numbering, centred on their D", () => {
    // Customers drawn from a few tuples (shared cells), some unvalued: the estimates' groups must
    // be the fallback's, in the same order, with the same D, so the intervals are the same bits.
    const tuple = fc.constantFrom(...customers);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(tuple, fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 2, max: 30 }),
        (rows, draws) => {
          const column = (k: number) => Float64Array.from(rows, ([c]) => c[k] as number);
          const base = {
            ...input(draws),
            frequency: column(0),
            recency: column(1),
            age: column(2),
            monetary: column(3),
            margin: column(4),
            valued: Uint8Array.from(rows, ([, valued]) => (valued ? 1 : 0)),
          };
          const { cells, cellOf } = numberCells(base.frequency, base.recency, base.age);
          const centre = purchasePredictorAt('bgnbd', purchaseParams);
          const estimates = {
            cells,
            cellOf,
            discounted: Float64Array.from({ length: cells.count }, (_, c) =>
              discounted(centre, cells.x[c]!, cells.tx[c]!, cells.T[c]!),
            ),
          };
          expect(bootstrapClvIntervals({ ...base, estimates })).toEqual(bootstrapClvIntervals(base));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is reproducible, leaves unvalued customers out, and says why when there are no standard errors', () => {
    const a = bootstrapClvIntervals(input(50));
    expect(bootstrapClvIntervals(input(50))).toEqual(a);
    const partly = bootstrapClvIntervals({ ...input(50), valued: Uint8Array.from([1, 0, 1, 1, 1]) });
    expect(Number.isNaN(partly.p10[1]!)).toBe(true);
    expect(partly.p10[2]).toBe(a.p10[2]);
    const noErrors = bootstrapClvIntervals({
      ...input(50),
      purchase: { ...input(50).purchase, covariance: purchaseCov.map(() => Number.NaN) },
    });
    expect(noErrors.note).toMatch(/purchase model has no standard errors/);
    expect(noErrors.p10.every(Number.isNaN)).toBe(true);
  });
});

describe('predictCustomerValueColumns intervals', () => {
  const config = { ...DEFAULT_CLV_MODEL_CONFIG, intervalDraws: 100 };
  const run = (customers: number, seed: number) =>
    predictCustomerValueColumns({
      transactions: simulateTransactions(PURCHASES, SPEND, {
        customers,
        seed,
        start: '2024-01-01',
        acquisitionDays: 120,
        observedDays: 546,
        costShare: 0.6,
      }),
      asOf: '2025-06-30',
      config,
    }).customers;

  it('brackets the predicted CLV, and narrows as the base grows (standard errors fall as 1/sqrt(n))', () => {
    const small = run(1500, 5);
    const large = run(6000, 6);
    const widths = (c: ReturnType<typeof run>) => {
      const ratios: number[] = [];
      let inside = 0;
      let valued = 0;
      for (let i = 0; i < c.size; i++) {
        const clv = c.clvPredicted(i);
        const p10 = c.clvPredictedP10(i);
        const p90 = c.clvPredictedP90(i);
        if (clv === null || p10 === null || p90 === null || clv.lte(0)) continue;
        valued++;
        if (p10.lte(clv) && clv.lte(p90)) inside++;
        ratios.push(p90.minus(p10).div(clv).toNumber());
      }
      ratios.sort((a, b) => a - b);
      return { median: ratios[Math.floor(ratios.length / 2)]!, inside: inside / valued };
    };
    const s = widths(small);
    const l = widths(large);
    expect(s.inside).toBeGreaterThan(0.95);
    expect(l.inside).toBeGreaterThan(0.95);
    // Four times the customers: about half the relative width.
    expect(l.median / s.median).toBeGreaterThan(0.35);
    expect(l.median / s.median).toBeLessThan(0.7);
  });

  it('gives no intervals with clv.intervalDraws 0', () => {
    const none = predictCustomerValueColumns({
      transactions: simulateTransactions(PURCHASES, SPEND, {
        customers: 500,
        seed: 7,
        start: '2024-01-01',
        acquisitionDays: 120,
        observedDays: 546,
        costShare: 0.6,
      }),
      asOf: '2025-06-30',
      config: { ...config, intervalDraws: 0 },
    }).customers;
    expect(none.clvPredicted(0)).not.toBeNull();
    expect(none.clvPredictedP10(0)).toBeNull();
    expect(none.clvPredictedP90(0)).toBeNull();
  });
});

function choleskyOf(n: number, entry: (i: number, j: number) => number): number[][] {
  const lower = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let sum = entry(i, j);
      for (let k = 0; k < j; k++) sum -= lower[i]![k]! * lower[j]![k]!;
      lower[i]![j] = i === j ? Math.sqrt(sum) : sum / lower[j]![j]!;
    }
  return lower;
}

describe('bootstrapClvIntervals with the point prediction estimates', () => {
  it('refuses estimates whose cells do not cover every valued customer', () => {
    const frequency = Float64Array.of(0, 2);
    const input = {
      frequency,
      recency: Float64Array.of(0, 10),
      age: Float64Array.of(30, 30),
      monetary: Float64Array.of(0, 20),
      margin: Float64Array.of(0.3, 0.3),
      valued: Uint8Array.of(1, 1),
      purchase: {
        params: [0.5, 6, 0.8, 2.5],
        covariance: [0.01, 0, 0, 0, 0, 0.01, 0, 0, 0, 0, 0.01, 0, 0, 0, 0, 0.01],
        at: (params: ArrayLike<number>) => purchasePredictorAt('bgnbd', params),
      },
      spend: { params: [6.25, 3.74, 15.44], covariance: [0.01, 0, 0, 0, 0.01, 0, 0, 0, 0.01] },
      discountedPurchases: discounted,
      horizon: { months: 12, unitsPerMonth: UNITS_PER_MONTH, annualDiscountRate: 0.1 },
      draws: 10,
    };
    const cells = { count: 1, x: [0], tx: [0], T: [30] };
    const discountedOne = Float64Array.of(1);
    expect(() =>
      bootstrapClvIntervals({
        ...input,
        estimates: { cells, cellOf: Int32Array.of(0, -1), discounted: discountedOne },
      }),
    ).toThrow(/customer 1 has no cell/);
    expect(() =>
      bootstrapClvIntervals({
        ...input,
        estimates: { cells, cellOf: Int32Array.of(0), discounted: discountedOne },
      }),
    ).toThrow(/of 1 customers, not 2/);
  });
});
