import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import {
  annuityFactor,
  computeProfitability,
  customerProfit,
  DEFAULT_PROFITABILITY_CONFIG,
  discountedClv,
  retentionCostPerCustomer,
  serviceCentreMonth,
  serviceRoiPct,
  simpleClv,
  yearlyProfitFromMonthly,
} from '../../../core/profitability/index.ts';
import { customer, retentionSpend, snapshot, str, tx } from './fixtures.ts';

/** The worked examples of ../shared/seeds, as design.md "Formulas" lists them. */
describe('seed worked examples', () => {
  it('retention cost per retained customer: 20,000 / 400 = 50 (seed 003)', () => {
    expect(str(retentionCostPerCustomer(20_000, 400))).toBe('50');
  });

  it('retention spend of a quarter is allocated 50.00 to each of 400 retained customers', () => {
    const customers = Array.from({ length: 400 }, (_, i) => customer(`C${i}`, '2024-06-01'));
    const result = computeProfitability(
      snapshot({
        customers,
        transactions: customers.map((c) => tx(c.customer_id, '2025-02-01', 10)),
        retention_spend: [retentionSpend('2025-Q1', 20_000)],
      }),
      '2025-03-31',
    );
    expect(result.customerMetrics).toHaveLength(400);
    for (const row of result.customerMetrics) expect(row.retention_cost.toFixed(2)).toBe('50.00');
    expect(result.unallocated).toEqual([]);
  });

  it('simple CLV: 100 x 4 x 5 = 2,000 (seed 003) and 3,000 x 4 x 10 = 120,000 (seed 002)', () => {
    expect(str(simpleClv(100, 4, 5))).toBe('2000');
    expect(str(simpleClv(3000, 4, 10))).toBe('120000');
  });

  it('simple CLV from customer facts: 4 orders of 100 a year, lifespan 5 years = 2,000', () => {
    const orders = ['2024-01-10', '2024-04-10', '2024-07-10', '2024-10-10'].map((d) => tx('A', d, 100));
    const result = computeProfitability(snapshot({ transactions: orders }), '2025-01-09', {
      ...DEFAULT_PROFITABILITY_CONFIG,
      minimumObservationDays: 0,
    });
    const row = result.customerMetrics[0];
    // 365 days of tenure on a 365.25-day year: 4 orders -> 4.0027 a year, so the CLV is 2,001.37.
    expect(row?.tenure_days).toBe(365);
    expect(row?.average_order_value?.toFixed(2)).toBe('100.00');
    expect(row?.clv_simple.toFixed(2)).toBe(simpleClv(100, money(4 * 365.25).dividedBy(365), 5).toFixed(2));
  });

  it('customer profitability: 3,000 - 500 - 200 = 2,300 (seed 003)', () => {
    const parts = {
      revenue: 3000,
      cogs: 0,
      returns: 0,
      serviceCost: 0,
      acquisitionCost: 500,
      retentionCost: 200,
    };
    expect(str(customerProfit(parts))).toBe('2300');
  });

  it('customer profitability through the engine: revenue 3,000, own CAC 500, retention 200 = 2,300', () => {
    const result = computeProfitability(
      snapshot({
        customers: [customer('P', '2023-01-01', { acquisition_cost: 500 })],
        transactions: [tx('P', '2023-01-05', 1000), tx('P', '2024-03-01', 2000)],
        retention_spend: [retentionSpend('2024-Q1', 200)],
      }),
      '2024-06-30',
    );
    const row = result.customerMetrics[0];
    expect(row?.revenue.toFixed(2)).toBe('3000.00');
    expect(row?.acquisition_cost.toFixed(2)).toBe('500.00');
    expect(row?.retention_cost.toFixed(2)).toBe('200.00');
    expect(row?.profit.toFixed(2)).toBe('2300.00');
  });

  it('discounted CLV annuity R x (1 - (1+i)^-n) / i: R = 100 a month x 12, i = 10%, n = 5 -> 4,548.94', () => {
    // By hand: 1.1^5 = 1.61051; 1 - 1/1.61051 = 0.379078677; / 0.1 = 3.79078677; x 1,200 = 4,548.944.
    const r = yearlyProfitFromMonthly(100);
    expect(str(r)).toBe('1200');
    expect(annuityFactor('0.1', 5).toFixed(9)).toBe('3.790786769');
    expect(discountedClv(r, '0.1', 5).toFixed(2)).toBe('4548.94');
    // n = 1: one year's profit discounted once.
    expect(discountedClv(1100, '0.1', 1).toFixed(2)).toBe('1000.00');
  });

  it("service-centre ROI (seed 002, John Anton's model), valued with the seed's CLV of 120,000", () => {
    // The seed gives the method without figures; this month uses its CLV example (3,000 x 4 x 10):
    // 12 loyal (> 85) and 3 disloyal (< 50) customers, net cost 900,000.
    // benefit = 120,000 x 12 = 1,440,000; loss = 120,000 x 3 = 360,000; net benefit = 1,080,000;
    // ROI = (1,080,000 - 900,000) x 100% / 900,000 = 20%.
    const row = serviceCentreMonth(
      '2025-03',
      [{ clv: simpleClv(3000, 4, 10), loyal: 12, disloyal: 3 }],
      900_000,
    );
    expect(str(row.benefit)).toBe('1440000');
    expect(str(row.loss)).toBe('360000');
    expect(str(row.net_benefit)).toBe('1080000');
    expect(str(row.roi_pct)).toBe('20');
    expect(str(serviceRoiPct(1_080_000, 900_000))).toBe('20');
    // A month the centre cost nothing or earned money has no return on its cost: with -1,000 the
    // formula read -175.87 % for a better month than +1,000's -24.13 %.
    expect(serviceRoiPct(758.68, 0)).toBeNull();
    expect(serviceRoiPct(758.68, -1000)).toBeNull();
    expect(str(serviceRoiPct(758.68, 1000))).toBe('-24.132');
  });

  it('service-centre ROI sums benefit and loss over customer groups, each with its own annuity CLV', () => {
    // Group A: R = 100/month, 10%, 5 years -> CLV 4,548.944...; 30 loyal, 10 disloyal.
    // Group B: CLV 2,000; 5 loyal, 20 disloyal. Net cost 50,000.
    const clvA = discountedClv(yearlyProfitFromMonthly(100), '0.1', 5);
    const row = serviceCentreMonth(
      '2025-03',
      [
        { clv: clvA, loyal: 30, disloyal: 10 },
        { clv: 2000, loyal: 5, disloyal: 20 },
      ],
      50_000,
    );
    // benefit = 136,468.32 + 10,000; loss = 45,489.44 + 40,000; net = 60,978.88
    expect(row.benefit.toFixed(2)).toBe('146468.32');
    expect(row.loss.toFixed(2)).toBe('85489.44');
    expect(row.net_benefit.toFixed(2)).toBe('60978.88');
    // ROI = (60,978.88 - 50,000) x 100 / 50,000 = 21.96%
    expect(row.roi_pct?.toFixed(2)).toBe('21.96');
  });
});
