import { describe, expect, it } from 'vitest';
import { discountedExpectedPurchases } from '../../../core/clv/discounting.ts';
import { gammaGammaExpectedSpend } from '../../../core/clv/gamma-gamma.ts';
import { DEFAULT_CLV_MODEL_CONFIG, predictCustomerValue } from '../../../core/clv/index.ts';
import { chosenFit } from '../../../core/clv/predict-customer-value.ts';
import { summarizeTransactions } from '../../../core/clv/rfm-summary.ts';
import { simulateTransactions } from '../../../core/clv/simulate.ts';
import { money } from '../../../core/money.ts';
import type { TransactionRecord } from '../../../core/records.ts';
import { RESULT_TABLES } from '../../../core/tables.ts';
import { donorLog } from './fixtures.ts';

const PURCHASES = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
const SPEND = { p: 6.25, q: 3.74, gamma: 15.44 };
const transactions = simulateTransactions(PURCHASES, SPEND, {
  customers: 5000,
  seed: 17,
  start: '2024-01-01',
  acquisitionDays: 120,
  observedDays: 546,
  costShare: 0.6,
});
const AS_OF = '2025-06-30';

describe('predictCustomerValue', () => {
  const result = predictCustomerValue({
    transactions,
    asOf: AS_OF,
    config: { ...DEFAULT_CLV_MODEL_CONFIG, holdoutDays: 182 },
  });

  it('fits both models and writes clv_models rows with the table columns', () => {
    const columns = RESULT_TABLES.find((t) => t.name === 'clv_models')!
      .columns.map((c) => c.name)
      .sort();
    for (const row of result.models) expect(Object.keys(row).sort()).toEqual(columns);
    expect(result.models.map((r) => `${r.model}.${r.parameter}`)).toEqual([
      'bgnbd.r',
      'bgnbd.alpha',
      'bgnbd.a',
      'bgnbd.b',
      'gamma_gamma.p',
      'gamma_gamma.q',
      'gamma_gamma.gamma',
    ]);
    expect(
      result.models.every(
        (r) => r.converged && r.calibration_end === '2024-12-30' && r.time_unit === 'weeks',
      ),
    ).toBe(true);
    expect(result.notes).toEqual([]);
    const r = result.models.find((m) => m.parameter === 'r')!.value!;
    expect(r).toBeGreaterThan(0.35);
    expect(r).toBeLessThan(0.7);
  });

  it('predicts every customer with sane values (CLV in Money, rounded to the cent)', () => {
    expect(result.customers.size).toBe(new Set(transactions.map((t) => t.customer_id)).size);
    for (const prediction of result.customers.values()) {
      expect(prediction.p_alive).toBeGreaterThanOrEqual(0);
      expect(prediction.p_alive).toBeLessThanOrEqual(1);
      expect(prediction.expected_orders_next_year).toBeGreaterThanOrEqual(0);
      expect(prediction.clv_predicted).not.toBeNull();
      expect(prediction.clv_predicted!.decimalPlaces()).toBeLessThanOrEqual(2);
      // Cost is 60% of revenue, so the margin is 40% and the CLV is never negative.
      expect(prediction.clv_predicted!.isNegative()).toBe(false);
      expect(prediction.expected_spend!.decimalPlaces()).toBeLessThanOrEqual(2);
    }
  });

  it('publishes each customer the Gamma-Gamma revenue per purchase day their CLV was valued at', () => {
    const fitted = Object.fromEntries(
      result.models.filter((m) => m.model === 'gamma_gamma').map((m) => [m.parameter, m.value as number]),
    ) as { p: number; q: number; gamma: number };
    // The customers, as the prediction summarised them at as_of (repeat days and their mean spend).
    const summaries = summarizeTransactions(transactions, { end: AS_OF, timeUnit: 'weeks' });
    let checked = 0;
    for (let i = 0; i < summaries.customerIds.length; i += 97) {
      const expected = gammaGammaExpectedSpend(fitted, summaries.frequency[i]!, summaries.monetary[i]!);
      const published = result.customers.get(summaries.customerIds[i]!)!.expected_spend!;
      expect(Math.abs(published.toNumber() - expected)).toBeLessThanOrEqual(0.005 + 1e-9);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('the holdout diagnostics predict actual repeat purchases within 10% overall', () => {
    const all = result.diagnostics.find((d) => d.frequency_bucket === 'all')!;
    expect(all.customers).toBeGreaterThan(4000);
    expect(all.predicted_repeat_purchases / all.actual_repeat_purchases).toBeGreaterThan(0.9);
    expect(all.predicted_repeat_purchases / all.actual_repeat_purchases).toBeLessThan(1.1);
    expect(result.diagnostics.map((d) => d.frequency_bucket)).toContain('7+');
  });

  it('Pareto/NBD can be chosen instead', () => {
    const small = transactions.filter((t) => t.customer_id <= 'C001500');
    const pareto = predictCustomerValue({
      transactions: small,
      asOf: AS_OF,
      config: { ...DEFAULT_CLV_MODEL_CONFIG, model: 'pareto_nbd' },
    });
    expect(pareto.models.filter((m) => m.model === 'pareto_nbd').map((m) => m.parameter)).toEqual([
      'r',
      'alpha',
      's',
      'beta',
    ]);
    expect(pareto.customers.size).toBeGreaterThan(1000);
  });
});

describe('predictCustomerValue: MBG/NBD, BG/BB and auto', () => {
  const small = transactions.filter((t) => t.customer_id <= 'C002000');

  it('MBG/NBD: parameters with standard errors; customers without repeats are not certainly alive', () => {
    const result = predictCustomerValue({
      transactions: small,
      asOf: AS_OF,
      config: { ...DEFAULT_CLV_MODEL_CONFIG, model: 'mbgnbd' },
    });
    const rows = result.models.filter((m) => m.model === 'mbgnbd');
    expect(rows.map((m) => m.parameter)).toEqual(['r', 'alpha', 'a', 'b']);
    for (const row of rows) {
      expect(row.scope).toBe('all');
      expect(row.std_error).toBeGreaterThan(0);
    }
    const oneTimers = [...result.customers.values()].filter((c) => c.p_alive < 1);
    expect(oneTimers.length).toBe(result.customers.size);
  });

  it("BG/BB from the FHS 2010 donors' gift log: the published estimates, then predictions by year", () => {
    const result = predictCustomerValue({
      transactions: donorLog(),
      asOf: '2001-12-31',
      config: { ...DEFAULT_CLV_MODEL_CONFIG, model: 'bgbb', opportunityPeriod: 'year' },
    });
    const value = (name: string) => result.models.find((m) => m.model === 'bgbb' && m.parameter === name)!;
    expect(value('alpha').value).toBeCloseTo(1.204, 3);
    expect(value('beta').value).toBeCloseTo(0.75, 3);
    expect(value('gamma').value).toBeCloseTo(0.657, 3);
    expect(value('delta').value).toBeCloseTo(2.783, 3);
    expect(value('alpha')).toMatchObject({ time_unit: 'year', customers: 11104, converged: true });
    expect(value('alpha').std_error).toBeGreaterThan(0);
    expect(result.customers.size).toBe(11104);
    // Table 6 of the paper: P(alive in 2002) 0.11 for a 1995-only donor (the log's first 3,464
    // donors), 0.93 for one who gave every year (its last 1,203).
    expect(result.customers.get('D0')!.p_alive).toBeCloseTo(0.11, 2);
    const everyYear = result.customers.get('D11103')!;
    expect(everyYear.p_alive).toBeCloseTo(0.93, 2);
    expect(everyYear.expected_orders_next_year).toBeLessThanOrEqual(1);
  });

  it('BG/BB by quarter on simulated daily purchases: rows in quarters, predictions bounded by the opportunities', () => {
    const result = predictCustomerValue({
      transactions: small,
      asOf: AS_OF,
      config: { ...DEFAULT_CLV_MODEL_CONFIG, model: 'bgbb', opportunityPeriod: 'quarter', holdoutDays: 91 },
    });
    const rows = result.models.filter((m) => m.model === 'bgbb');
    expect(rows.map((m) => m.parameter)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(rows.every((m) => m.time_unit === 'quarter' && m.calibration_end === '2025-03-31')).toBe(true);
    for (const c of result.customers.values()) {
      expect(c.p_alive).toBeGreaterThan(0);
      expect(c.p_alive).toBeLessThanOrEqual(1);
      expect(c.expected_orders_next_year).toBeLessThanOrEqual(4);
    }
    expect(result.diagnostics.find((d) => d.frequency_bucket === 'all')!.model).toBe('bgbb');
  });

  it('auto: fits BG/NBD, Pareto/NBD and MBG/NBD on a holdout split, records each and the choice', () => {
    const result = predictCustomerValue({
      transactions: small,
      asOf: AS_OF,
      config: { ...DEFAULT_CLV_MODEL_CONFIG, model: 'auto' },
    });
    const fitted = ['bgnbd', 'pareto_nbd', 'mbgnbd'] as const;
    for (const name of fitted) {
      const rows = result.models.filter((m) => m.model === name);
      expect(rows.length).toBe(4);
      expect(rows[0]!.note).toMatch(
        /^auto: holdout RMSE [0-9.]+ repeat purchases per customer over the last 182 days; /,
      );
      expect(rows[0]!.calibration_end).toBe('2024-12-30');
    }
    const chosen = result.models.filter((m) => m.note?.includes('chosen (smallest holdout error)'));
    expect(new Set(chosen.map((m) => m.model)).size).toBe(1);
    const note = result.notes.find((n) => n.startsWith('clv.model auto chose'))!;
    expect(note).toContain(chosen[0]!.model);
    // The choice is the smallest error among the three.
    const errors = fitted.map((name) => {
      const text = result.models.find((m) => m.model === name)!.note!;
      return Number(/RMSE ([0-9.]+)/.exec(text)![1]);
    });
    expect(errors[fitted.indexOf(chosen[0]!.model as (typeof fitted)[number])]).toBe(Math.min(...errors));
    expect(new Set(result.diagnostics.map((d) => d.model))).toEqual(new Set(fitted));
    expect(result.customers.size).toBeGreaterThan(1500);
  });
});

describe('predictCustomerValue fallbacks', () => {
  const order = (customer: string, date: string, revenue: number): TransactionRecord => ({
    order_id: `${customer}-${date}`,
    customer_id: customer,
    order_date: date,
    revenue: money(revenue),
    cost: money(revenue / 2),
    returned_amount: money(0),
    quantity: null,
    product_id: null,
    product_category: null,
    channel: null,
    rep_id: null,
    team: null,
  });

  it('too few repeat customers: nothing predicted, reported in plain words, no throw', () => {
    const few = [order('A', '2025-01-01', 10), order('A', '2025-02-01', 12), order('B', '2025-01-05', 9)];
    const result = predictCustomerValue({
      transactions: few,
      asOf: '2025-06-30',
      config: DEFAULT_CLV_MODEL_CONFIG,
    });
    expect(result.customers.size).toBe(0);
    expect(result.notes[0]).toMatch(/only 1 of 2 customers bought again.*formula CLV stands/);
    expect(result.models.map((m) => [m.model, m.parameter, m.converged])).toEqual([
      ['bgnbd', 'not_fitted', false],
      ['gamma_gamma', 'not_fitted', false],
    ]);
  });

  it('all-equal spend: purchases still predicted, CLV left to the formula', () => {
    // One order per customer-day (same-day orders merge into one purchase), each worth 25.
    const seen = new Set<string>();
    const equal = transactions
      .filter(
        (t) => !seen.has(`${t.customer_id}|${t.order_date}`) && seen.add(`${t.customer_id}|${t.order_date}`),
      )
      .map((t) => ({ ...t, revenue: money(25), cost: money(10) }));
    const result = predictCustomerValue({
      transactions: equal,
      asOf: AS_OF,
      config: DEFAULT_CLV_MODEL_CONFIG,
    });
    expect(result.notes.some((n) => /spends the same/.test(n))).toBe(true);
    expect(result.models.find((m) => m.model === 'gamma_gamma')!.parameter).toBe('not_fitted');
    const any = result.customers.values().next().value!;
    expect(any.clv_predicted).toBeNull();
    expect(any.p_alive).toBeGreaterThan(0);
  });
});

describe('discountedExpectedPurchases', () => {
  it('discounts each month at the monthly equivalent of the annual rate', () => {
    // One purchase per month for 12 months at 10% a year.
    const monthly = 1.1 ** (-1 / 12);
    let expected = 0;
    for (let m = 1; m <= 12; m++) expected += monthly ** m;
    expect(discountedExpectedPurchases((t) => t, 12, 1, 0.1)).toBeCloseTo(expected, 12);
    expect(discountedExpectedPurchases((t) => t, 12, 1, 0)).toBeCloseTo(12, 12);
  });
});

describe('clv.model auto', () => {
  it('chooses the smallest holdout error among the models that have one (a NaN error first in line won)', () => {
    const candidate = (name: string, error: number, model: unknown = {}) => ({ name, model, error });
    const fits = [
      candidate('bgnbd', Number.NaN),
      candidate('pareto_nbd', 0.0762),
      candidate('mbgnbd', 0.0759),
    ];
    expect(chosenFit(fits, true)?.name).toBe('mbgnbd');
    expect(chosenFit(fits, false)?.name).toBe('bgnbd');
    expect(
      chosenFit([candidate('bgnbd', Number.NaN, null), candidate('mbgnbd', Number.NaN)], true)?.name,
    ).toBe('mbgnbd');
    expect(chosenFit([candidate('a', 0.1), candidate('b', 0.1)], true)?.name).toBe('a');
    expect(chosenFit([candidate('a', 0.1, null)], true)).toBeNull();
  });
});
