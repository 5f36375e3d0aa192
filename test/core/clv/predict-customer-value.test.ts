import { describe, expect, it } from 'vitest';
import { discountedExpectedPurchases } from '../../../core/clv/discounting.ts';
import { DEFAULT_CLV_MODEL_CONFIG, predictCustomerValue } from '../../../core/clv/index.ts';
import { simulateTransactions } from '../../../core/clv/simulate.ts';
import { money } from '../../../core/money.ts';
import type { TransactionRecord } from '../../../core/records.ts';
import { RESULT_TABLES } from '../../../core/tables.ts';

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
    }
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
