import { describe, expect, it } from 'vitest';
import { computeProfitability } from '../../../core/profitability/index.ts';
import { acquisitionSpend, customer, snapshot, tx } from './fixtures.ts';

const costs = (result: ReturnType<typeof computeProfitability>) =>
  Object.fromEntries(result.customerMetrics.map((r) => [r.customer_id, r.acquisition_cost.toFixed(2)]));

describe('acquisition cost', () => {
  it("uses the customer's own cost, else the channel's spend over its new customers of the period", () => {
    const result = computeProfitability(
      snapshot({
        customers: [
          customer('own', '2025-01-05', { acquisition_cost: 80, acquisition_channel: 'search' }),
          customer('s1', '2025-01-06', { acquisition_channel: 'search' }),
          customer('s2', '2025-02-06', { acquisition_channel: 'Search' }),
          customer('social', '2025-01-07', { acquisition_channel: 'social' }),
          customer('late', '2025-04-01', { acquisition_channel: 'search' }),
        ],
        acquisition_spend: [
          acquisitionSpend('2025-Q1', 300, 'search'),
          acquisitionSpend('2025-01', 40, 'social'),
        ],
      }),
      '2025-06-30',
    );
    expect(costs(result)).toEqual({
      own: '80.00',
      s1: '150.00',
      s2: '150.00',
      social: '40.00',
      late: '0.00',
    });
    const q1 = result.periodKpis.filter((k) => k.period <= '2025-03');
    expect(q1.map((k) => [k.period, k.new_customers, k.cac?.toFixed(2)])).toEqual([
      ['2025-01', 3, '90.00'],
      ['2025-02', 1, '150.00'],
    ]);
  });

  it('shares spend without a channel among all new customers, including transaction-only ones', () => {
    const result = computeProfitability(
      snapshot({
        customers: [customer('a', '2025-03-01', { acquisition_channel: 'store' })],
        transactions: [tx('b', '2025-03-09', 10), tx('b', '2025-04-01', 10)],
        acquisition_spend: [acquisitionSpend('2025-03', 100)],
      }),
      '2025-04-30',
    );
    expect(costs(result)).toEqual({ a: '50.00', b: '50.00' });
    expect(result.customerMetrics.find((r) => r.customer_id === 'b')?.acquired_on).toBe('2025-03-09');
  });

  it('reports spend with no new customer to take it as unallocated', () => {
    const result = computeProfitability(
      snapshot({
        customers: [customer('a', '2025-03-01', { acquisition_channel: 'store' })],
        acquisition_spend: [acquisitionSpend('2025-03', 70, 'tv'), acquisitionSpend('2025-02', 30)],
      }),
      '2025-04-30',
    );
    expect(result.unallocated.map((u) => [u.period, u.key, u.amount.toFixed(2)])).toEqual([
      ['2025-03', 'tv', '70.00'],
      ['2025-02', null, '30.00'],
    ]);
  });
});
