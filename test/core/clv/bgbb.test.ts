import { describe, expect, it } from 'vitest';
import {
  type BgbbRows,
  bgbbConditionalExpectedPurchases,
  bgbbLogLikelihoodOne,
  bgbbProbabilityAlive,
  bgbbProbabilityOfPurchases,
  collapseBgbb,
  fitBgbb,
} from '../../../core/clv/bgbb.ts';
import { summarizeByPeriod } from '../../../core/clv/period-summary.ts';
import { toTransactionColumns } from '../../../core/profitability/transaction-columns.ts';
import { donations, donorLog, gift } from './fixtures.ts';

/** Fader, Hardie & Shang (2010), Table 3: the BG/BB estimates on the donor data (LL -33,225.6). */
const PUBLISHED = { alpha: 1.204, beta: 0.75, gamma: 0.657, delta: 2.783 };

function donorRows(): BgbbRows {
  const rows = donations();
  return {
    frequency: Float64Array.from(rows, (r) => r.frequency),
    recency: Float64Array.from(rows, (r) => r.recency),
    opportunities: Float64Array.from(rows, (r) => r.periods),
    weight: Float64Array.from(rows, (r) => r.weight),
  };
}

describe('BG/BB on the FHS 2010 donor data', () => {
  const rows = donorRows();
  const fit = fitBgbb(rows, { penalizer: 0, starts: 3 });

  it('has 11,104 donors and 6 opportunities', () => {
    expect(rows.weight.reduce((s, w) => s + w, 0)).toBe(11104);
    expect(Math.max(...rows.opportunities)).toBe(6);
  });

  it('reproduces the published estimates and log-likelihood', () => {
    expect(fit.converged).toBe(true);
    expect(fit.parameters.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(fit.parameters.beta).toBeCloseTo(PUBLISHED.beta, 3);
    expect(fit.parameters.gamma).toBeCloseTo(PUBLISHED.gamma, 3);
    expect(fit.parameters.delta).toBeCloseTo(PUBLISHED.delta, 3);
    expect(fit.logLikelihood).toBeCloseTo(-33225.6, 1);
    for (let i = 0; i < 4; i++) {
      expect(fit.standardErrors[i]!).toBeGreaterThan(0);
      expect(fit.standardErrors[i]!).toBeLessThan(0.5 * fit.params[i]!);
    }
  });

  it('P(alive in 2002) as in the paper, Table 6 (x=0: 0.11; x=2, t_x=4: 0.59; x=6: 0.93)', () => {
    expect(bgbbProbabilityAlive(fit.parameters, 0, 0, 6)).toBeCloseTo(0.11, 2);
    expect(bgbbProbabilityAlive(fit.parameters, 2, 4, 6)).toBeCloseTo(0.59, 2);
    expect(bgbbProbabilityAlive(fit.parameters, 6, 6, 6)).toBeCloseTo(0.93, 2);
  });

  it('expected repeat donations 2002-2006 total 12,884.2 (Hardie, Conditional Expectations sheet)', () => {
    let total = 0;
    for (let i = 0; i < rows.weight.length; i++)
      total +=
        rows.weight[i]! *
        bgbbConditionalExpectedPurchases(fit.parameters, 5, rows.frequency[i]!, rows.recency[i]!, 6);
    expect(total).toBeCloseTo(12884.2, 0);
  });

  it('expected donors with 0 and 6 repeat donations in 1996-2001: 3,454.9 and 1,253.1 (in-sample fit sheet)', () => {
    expect(11104 * bgbbProbabilityOfPurchases(fit.parameters, 6, 0)).toBeCloseTo(3454.9, 0);
    expect(11104 * bgbbProbabilityOfPurchases(fit.parameters, 6, 6)).toBeCloseTo(1253.1, 0);
    let sum = 0;
    for (let x = 0; x <= 6; x++) sum += bgbbProbabilityOfPurchases(fit.parameters, 6, x);
    expect(sum).toBeCloseTo(1, 12);
  });
});

describe('BG/BB likelihood', () => {
  it('equals the latent-dropout sum integrated numerically over both Beta mixtures', () => {
    // For fixed (p, θ) the likelihood is a sum over the opportunity after which the customer
    // became inactive; integrating that over the two Beta mixtures numerically is an independent
    // route to the closed form.
    const p = { alpha: 1.3, beta: 0.8, gamma: 0.7, delta: 2.1 };
    const x = 2;
    const tx = 3;
    const n = 5;
    const grid = 800;
    const betaPdf = (v: number, a: number, b: number) => v ** (a - 1) * (1 - v) ** (b - 1);
    let num = 0;
    let normP = 0;
    let normT = 0;
    for (let i = 0; i < grid; i++) {
      const q = (i + 0.5) / grid;
      normP += betaPdf(q, p.alpha, p.beta);
      normT += betaPdf(q, p.gamma, p.delta);
    }
    for (let i = 0; i < grid; i++) {
      const pp = (i + 0.5) / grid;
      const wp = betaPdf(pp, p.alpha, p.beta) / normP;
      for (let j = 0; j < grid; j++) {
        const th = (j + 0.5) / grid;
        const wt = betaPdf(th, p.gamma, p.delta) / normT;
        let like = pp ** x * (1 - pp) ** (n - x) * (1 - th) ** n;
        for (let k = 0; k < n - tx; k++)
          like += pp ** x * (1 - pp) ** (tx - x + k) * th * (1 - th) ** (tx + k);
        num += wp * wt * like;
      }
    }
    // The midpoint grid on Beta densities with shape < 1 is coarse near 0: 0.5% agreement.
    expect(Math.abs(Math.exp(bgbbLogLikelihoodOne(p, x, tx, n)) / num - 1)).toBeLessThan(5e-3);
  });
});

describe('BG/BB from a transaction log', () => {
  it('derives (x, t_x, n) by calendar year and reproduces the published estimates from the gifts', () => {
    const columns = toTransactionColumns(donorLog());
    // A 2002 gift is after the end, and the running year 2002 is no opportunity yet.
    const summary = summarizeByPeriod(columns, { end: '2002-06-30', period: 'year' });
    expect(summary.customerIds.length).toBe(11104);
    const rows = collapseBgbb(summary.frequency, summary.recency, summary.opportunities);
    const expected = donorRows();
    expect(rows.weight.length).toBe(expected.weight.length);
    for (let i = 0; i < expected.weight.length; i++) {
      const j = rows.weight.findIndex(
        (_, k) => rows.frequency[k] === expected.frequency[i] && rows.recency[k] === expected.recency[i],
      );
      expect(rows.weight[j]).toBe(expected.weight[i]);
      expect(rows.opportunities[j]).toBe(6);
    }
    const fit = fitBgbb(rows, { penalizer: 0, starts: 3 });
    expect(fit.parameters.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(fit.parameters.delta).toBeCloseTo(PUBLISHED.delta, 3);
  });

  it('by month and quarter: opportunities are the complete periods after the first purchase period', () => {
    const columns = toTransactionColumns([
      gift('A', '2025-01-10', 10),
      gift('A', '2025-01-20', 10), // same month as the first purchase: not a repeat
      gift('A', '2025-03-05', 30),
      gift('A', '2025-03-25', 10), // same month: one opportunity, revenue 40
      gift('A', '2025-05-31', 60),
      gift('A', '2025-06-02', 99), // June is still running on 2025-06-15: not counted
      gift('B', '2025-06-01', 5), // first purchase in the running period: left out
    ]);
    const monthly = summarizeByPeriod(columns, { end: '2025-06-15', period: 'month' });
    expect(monthly.customerIds).toEqual(['A']);
    expect([monthly.frequency[0], monthly.recency[0], monthly.opportunities[0]]).toEqual([2, 4, 4]);
    expect(monthly.monetary[0]).toBe(50);
    const quarterly = summarizeByPeriod(columns, { end: '2025-06-30', period: 'quarter', holdoutEnd: null });
    // Q1 first; Q2 complete on 2025-06-30 with purchases: x=1, t_x=1, n=1. B's Q2 first purchase: n=0.
    expect(quarterly.customerIds).toEqual(['A', 'B']);
    expect([quarterly.frequency[0], quarterly.recency[0], quarterly.opportunities[0]]).toEqual([1, 1, 1]);
    expect(quarterly.opportunities[1]).toBe(0);
    const withHoldout = summarizeByPeriod(columns, {
      end: '2025-04-30',
      period: 'month',
      holdoutEnd: '2025-06-30',
    });
    expect(withHoldout.holdoutPurchases[0]).toBe(2); // May and June
  });

  it('takes a period of credit notes only (negative revenue) for no purchase, nor for the first', () => {
    const columns = toTransactionColumns([
      gift('A', '2025-01-10', -15), // a refund before any purchase: January is not A's first period
      gift('A', '2025-02-10', 10), // the first purchase period
      gift('A', '2025-03-05', -10), // March: credit notes only
      gift('A', '2025-04-05', 30),
      gift('A', '2025-04-25', -5), // nets into April's spend
      gift('A', '2025-05-20', -7), // holdout, credit notes only
      gift('A', '2025-06-20', 1), // holdout purchase
      gift('B', '2025-02-01', -20), // never bought
    ]);
    const monthly = summarizeByPeriod(columns, {
      end: '2025-04-30',
      period: 'month',
      holdoutEnd: '2025-06-30',
    });
    expect(monthly.customerIds).toEqual(['A']);
    expect([monthly.frequency[0], monthly.recency[0], monthly.opportunities[0]]).toEqual([1, 2, 2]);
    expect(monthly.monetary[0]).toBe(25);
    expect(monthly.holdoutPurchases[0]).toBe(1);
    expect(monthly.revenue[0]).toBe(10); // every line up to the end: -15 + 10 - 10 + 30 - 5
  });
});
