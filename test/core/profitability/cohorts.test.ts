import { describe, expect, it } from 'vitest';
import { Money } from '../../../core/money.ts';
import { annualChurnRate } from '../../../core/profitability/cohorts.ts';
import { computeProfitability, DEFAULT_PROFITABILITY_CONFIG } from '../../../core/profitability/index.ts';
import { customer, snapshot, str, tx } from './fixtures.ts';

describe('cohorts', () => {
  // Four customers acquired 2023-01-01, two years (730 days) before as_of: one explicitly churned,
  // one inactive for more than 365 days, two active. Profit 100 each.
  const data = snapshot({
    customers: [
      customer('a', '2023-01-01', { segment: 'vip' }),
      customer('b', '2023-01-01', { segment: 'vip', churned_on: '2024-06-01' }),
      customer('c', '2023-01-01', { segment: 'mass' }),
      customer('d', '2023-01-01', { segment: 'mass' }),
      customer('e', '2023-02-10', { segment: 'mass' }),
    ],
    transactions: [
      tx('a', '2024-12-01', 100),
      tx('b', '2024-12-01', 100),
      tx('c', '2023-02-01', 100),
      tx('d', '2024-12-01', 100),
      tx('e', '2024-12-01', 60, { cost: 10, returned: 5 }),
    ],
  });
  const asOf = '2024-12-31';

  it('counts customers, churn (explicit or inactivity) and sums money per cohort', () => {
    const result = computeProfitability(data, asOf);
    const jan = result.cohortMetrics.find(
      (r) => r.cohort_dimension === 'acquisition_month' && r.cohort === '2023-01',
    );
    expect(jan).toMatchObject({ customers: 4, active_customers: 2 });
    expect(str(jan?.churn_rate ?? null)).toBe('0.5');
    expect(jan?.revenue.toFixed(2)).toBe('400.00');
    expect(jan?.profit_per_customer.toFixed(2)).toBe('100.00');
    // Age is 730 days = 1.99863 years; annual churn compounds: 1 - 0.5^(1/1.99863) = 0.29306.
    expect(jan?.annual_churn_rate?.toFixed(4)).toBe('0.2931');
    expect(jan?.expected_tenure_years?.toFixed(4)).toBe('3.4123');
    const annualProfit = new Money(100).dividedBy(new Money(730).dividedBy(365.25));
    expect(jan?.annual_profit_per_customer?.toFixed(2)).toBe(annualProfit.toFixed(2));
    expect(jan?.cohort_clv?.toFixed(2)).toBe(annualProfit.times(jan?.expected_tenure_years ?? 0).toFixed(2));
    expect(jan?.cohort_clv_discounted?.lt(jan?.cohort_clv ?? 0)).toBe(true);
  });

  it('crosses the acquisition period with the configured dimensions', () => {
    const result = computeProfitability(data, asOf);
    const crossed = result.cohortMetrics.filter((r) => r.cohort_dimension === 'acquisition_month x segment');
    expect(crossed.map((r) => [r.cohort, r.customers])).toEqual([
      ['2023-01|mass', 2],
      ['2023-01|vip', 2],
      ['2023-02|mass', 1],
    ]);
    const quarterly = computeProfitability(data, asOf, {
      ...DEFAULT_PROFITABILITY_CONFIG,
      cohortGrain: 'quarter',
      cohortDimensions: [['segment', 'region']],
    });
    expect(quarterly.cohortMetrics.map((r) => [r.cohort_dimension, r.cohort, r.customers])).toEqual([
      ['acquisition_quarter', '2023-Q1', 5],
      ['acquisition_quarter x segment x region', '2023-Q1|mass|(none)', 3],
      ['acquisition_quarter x segment x region', '2023-Q1|vip|(none)', 2],
    ]);
  });

  it('keeps customers apart whose attribute values would read alike in a label', () => {
    // No segment against the text "(none)"; values holding the separator or the escape character.
    const labelled = snapshot({
      customers: [
        customer('a', '2023-01-01', { segment: null }),
        customer('b', '2023-01-01', { segment: '(none)' }),
        customer('c', '2023-01-01', { segment: 'x|y', region: 'z' }),
        customer('d', '2023-01-01', { segment: 'x', region: 'y|z' }),
        customer('e', '2023-01-01', { segment: 'x\\', region: '|z' }),
      ],
      transactions: ['a', 'b', 'c', 'd', 'e'].map((id) => tx(id, '2024-12-01', 100)),
    });
    const rows = computeProfitability(labelled, asOf, {
      ...DEFAULT_PROFITABILITY_CONFIG,
      cohortDimensions: ['segment', ['segment', 'region']],
    }).cohortMetrics;
    const cohorts = (dimension: string) =>
      rows.filter((r) => r.cohort_dimension === dimension).map((r) => [r.cohort, r.customers]);
    expect(cohorts('acquisition_month x segment')).toEqual([
      ['2023-01|(none)', 1],
      ['2023-01|\\(none)', 1],
      ['2023-01|x', 1],
      ['2023-01|x\\\\', 1],
      ['2023-01|x\\|y', 1],
    ]);
    expect(cohorts('acquisition_month x segment x region')).toEqual([
      ['2023-01|(none)|(none)', 1],
      ['2023-01|\\(none)|(none)', 1],
      ['2023-01|x\\\\|\\|z', 1],
      ['2023-01|x\\|y|z', 1],
      ['2023-01|x|y\\|z', 1],
    ]);
  });

  it('leaves the undiscounted CLV open when nobody churned; the discounted one is a perpetuity', () => {
    const result = computeProfitability(data, asOf);
    const feb = result.cohortMetrics.find((r) => r.cohort === '2023-02');
    expect(str(feb?.churn_rate ?? null)).toBe('0');
    expect(feb?.expected_tenure_years).toBeNull();
    expect(feb?.cohort_clv).toBeNull();
    // profit 45 over 690 days (1.8891 years) = 23.82 a year; / 10% = 238.21
    expect(feb?.cohort_clv_discounted?.toFixed(2)).toBe('238.21');
  });

  it("annualises a young cohort's profit over at least minimumObservationDays a customer, as a customer's CLV does", () => {
    // Acquired the day before as_of with one order: its 1 day of age made 100 of profit 36,525 a year.
    const young = snapshot({
      customers: [customer('B', '2024-12-30')],
      transactions: [tx('B', '2024-12-30', 100)],
    });
    const result = computeProfitability(young, '2024-12-31');
    const row = result.cohortMetrics.find((r) => r.cohort === '2024-12');
    expect(row?.profit.toFixed(2)).toBe('100.00');
    // Observed for 365 days (the default floor, as the customer's clv_simple is): 100 a year of 365.25 days.
    expect(row?.annual_profit_per_customer?.toFixed(2)).toBe('100.07');
    expect(Number(row?.cohort_clv_discounted)).toBeLessThan(2000);
  });

  it('annualises churn by compounding', () => {
    expect(annualChurnRate(new Money('0.19'), new Money(2))?.toFixed(6)).toBe('0.100000');
    expect(annualChurnRate(new Money(1), new Money(3))?.toString()).toBe('1');
    expect(annualChurnRate(new Money('0.1'), new Money(0))).toBeNull();
  });

  it('builds a whole retention triangle from acquisition to as_of', () => {
    const result = computeProfitability(
      snapshot({
        customers: [customer('a', '2025-01-03'), customer('b', '2025-01-20'), customer('c', '2025-02-01')],
        transactions: [
          tx('a', '2025-01-03', 50, { cost: 20 }),
          tx('b', '2025-01-20', 30),
          tx('a', '2025-03-01', 10),
          tx('a', '2025-03-02', 10),
          tx('c', '2025-03-05', 5),
        ],
      }),
      '2025-03-31',
    );
    const rows = result.cohortRetention.map((r) => [
      r.cohort,
      r.period_index,
      r.period,
      r.active_customers,
      r.retention_pct.toFixed(2),
      r.revenue.toFixed(2),
      r.profit.toFixed(2),
    ]);
    expect(rows).toEqual([
      ['2025-01', 0, '2025-01', 2, '100.00', '80.00', '60.00'],
      ['2025-01', 1, '2025-02', 0, '0.00', '0.00', '0.00'],
      ['2025-01', 2, '2025-03', 1, '50.00', '20.00', '20.00'],
      ['2025-02', 0, '2025-02', 0, '0.00', '0.00', '0.00'],
      ['2025-02', 1, '2025-03', 1, '100.00', '5.00', '5.00'],
    ]);
  });
});
