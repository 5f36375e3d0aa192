import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { computeProfitability, DEFAULT_PROFITABILITY_CONFIG } from '../../../core/profitability/index.ts';
import { resultTable } from '../../../core/tables.ts';
import {
  customer,
  interaction,
  retentionSpend,
  serviceCost,
  snapshot,
  survey,
  touchpointCost,
  tx,
} from './fixtures.ts';

const data = snapshot({
  customers: [
    customer('A', '2024-01-15', { segment: 'vip', acquisition_channel: 'search', region: 'east' }),
    customer('B', '2024-02-01', { segment: 'mass' }),
    customer('future', '2026-01-01'),
    customer('early', '2024-05-01'),
  ],
  transactions: [
    tx('A', '2024-01-15', '10.125', { product_category: 'books', order_id: 'X1' }),
    tx('A', '2024-01-15', 20, { product_category: 'toys', order_id: 'X1', cost: 5 }),
    tx('A', '2024-03-01', 30, { product_category: 'books', returned: 10 }),
    tx('B', '2024-02-03', 40, { product_category: 'books' }),
    tx('walk-in', '2024-04-02', 50),
    tx('early', '2024-04-20', 5),
    tx('A', '2025-02-01', 999),
  ],
  interactions: [interaction('A', '2024-03-02', 'chat')],
  touchpoint_costs: [touchpointCost('2024-03', 'chat', 3)],
  retention_spend: [retentionSpend('2024-Q3', 10)],
  satisfaction: [survey('A', '2024-06-01', 90)],
  service_costs: [serviceCost('2024-06', 100)],
});
const asOf = '2024-12-31';

describe('computeProfitability', () => {
  const result = computeProfitability(data, asOf);

  it('returns rows whose keys are exactly the columns of the result tables', () => {
    const tables: [string, object[]][] = [
      ['customer_metrics', result.customerMetrics],
      ['cohort_metrics', result.cohortMetrics],
      ['cohort_retention', result.cohortRetention],
      ['segment_product_profit', result.segmentProductProfit],
      ['whale_curve', result.whaleCurve],
      ['service_roi', result.serviceRoi],
    ];
    for (const [table, rows] of tables) {
      expect(rows.length, table).toBeGreaterThan(0);
      const columns = resultTable(table).columns;
      for (const row of rows) {
        expect(Object.keys(row), table).toEqual(columns.map((c) => c.name));
        for (const column of columns) {
          const value = (row as Record<string, unknown>)[column.name];
          if (value === null) continue;
          if (column.type === 'money' || column.type === 'rate')
            expect(Decimal.isDecimal(value), column.name).toBe(true);
          if (column.type === 'bigint' || column.type === 'double')
            expect(typeof value, column.name).toBe('number');
          if (column.type === 'date') expect(value, column.name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          if (column.type === 'boolean') expect(typeof value, column.name).toBe('boolean');
        }
      }
    }
  });

  it('counts only what happened by as_of, and customers only seen in transactions', () => {
    const ids = result.customerMetrics.map((r) => r.customer_id);
    expect(ids).toEqual(['A', 'B', 'early', 'walk-in']);
    const a = result.customerMetrics.find((r) => r.customer_id === 'A');
    expect(a).toMatchObject({
      orders: 2,
      first_order: '2024-01-15',
      last_order: '2024-03-01',
      cohort: '2024-01',
    });
    expect(a?.revenue.toFixed(2)).toBe('60.12');
    expect(a?.returns.toFixed(2)).toBe('10.00');
    expect(a?.service_cost.toFixed(2)).toBe('3.00');
    const walkIn = result.customerMetrics.find((r) => r.customer_id === 'walk-in');
    expect(walkIn).toMatchObject({
      acquired_on: '2024-04-02',
      segment: null,
      cohort: '2024-04',
      tenure_days: 273,
    });
    // Ordered before the recorded acquisition date: acquired at the first order, with a warning.
    expect(result.customerMetrics.find((r) => r.customer_id === 'early')?.acquired_on).toBe('2024-04-20');
    expect(result.warnings.some((w) => w.includes('before the recorded acquired_on'))).toBe(true);
  });

  it('rounds money half-even to the cent and rates to six places, only at output', () => {
    const a = result.customerMetrics.find((r) => r.customer_id === 'A');
    // 10.125 + 20 + 30 = 60.125 -> 60.12 (half-even); profit is computed from the exact value.
    expect(a?.revenue.toString()).toBe('60.12');
    expect(a?.orders_per_year.decimalPlaces()).toBeLessThanOrEqual(6);
    const halfUp = computeProfitability(data, asOf, { ...DEFAULT_PROFITABILITY_CONFIG, rounding: 'half_up' });
    expect(halfUp.customerMetrics[0]?.revenue.toString()).toBe('60.13');
  });

  it('sums profit by segment and product category', () => {
    const rows = result.segmentProductProfit.map((r) => [
      r.segment,
      r.product_category,
      r.revenue.toString(),
      r.cost.toString(),
      r.profit.toString(),
      r.customers,
    ]);
    expect(rows).toEqual([
      ['mass', 'books', '40', '0', '40', 1],
      // 40.125 and 30.125 round half-even to the cent.
      ['vip', 'books', '40.12', '10', '30.12', 1],
      ['vip', 'toys', '20', '5', '15', 1],
      [null, null, '55', '0', '55', 2],
    ]);
  });

  it('reports ARPU per month from the customers who ordered', () => {
    const january = result.periodKpis.find((k) => k.period === '2024-01');
    expect(january).toMatchObject({ active_customers: 1, new_customers: 1 });
    expect(january?.arpu?.toFixed(2)).toBe('30.12');
  });

  it('rejects an as_of that is not a date', () => {
    expect(() => computeProfitability(data, '2024/12/31')).toThrow(RangeError);
  });
});
