import { describe, expect, it } from 'vitest';
import { computeProfitability } from '../../../core/profitability/index.ts';
import { customer, retentionSpend, snapshot, tx } from './fixtures.ts';

describe('retention cost', () => {
  it('goes to customers acquired before the period and not lost by its end, within the segment', () => {
    const result = computeProfitability(
      snapshot({
        customers: [
          customer('kept', '2024-01-01', { segment: 'vip' }),
          customer('kept2', '2024-02-01', { segment: 'mass' }),
          customer('lost', '2024-01-01', { segment: 'vip', churned_on: '2025-01-15' }),
          customer('new', '2025-01-10', { segment: 'vip' }),
          customer('idle', '2023-01-01', { segment: 'vip' }),
        ],
        transactions: [
          tx('kept', '2024-12-01', 10),
          tx('kept2', '2024-12-01', 10),
          tx('lost', '2024-12-01', 10),
          tx('new', '2025-01-10', 10),
          tx('idle', '2023-06-01', 10),
        ],
        retention_spend: [retentionSpend('2025-01', 90), retentionSpend('2025-01', 10, 'VIP')],
      }),
      '2025-03-31',
    );
    const cost = Object.fromEntries(
      result.customerMetrics.map((r) => [r.customer_id, r.retention_cost.toFixed(2)]),
    );
    expect(cost).toEqual({ kept: '55.00', kept2: '45.00', lost: '0.00', new: '0.00', idle: '0.00' });
  });

  it('reports spend with nobody retained as unallocated', () => {
    const result = computeProfitability(
      snapshot({
        customers: [customer('new', '2025-01-10')],
        retention_spend: [retentionSpend('2025-Q1', 500)],
      }),
      '2025-03-31',
    );
    expect(result.unallocated).toHaveLength(1);
    expect(result.unallocated[0]?.amount.toFixed(2)).toBe('500.00');
    expect(result.unallocated[0]?.pool).toBe('retention_spend');
  });
});
