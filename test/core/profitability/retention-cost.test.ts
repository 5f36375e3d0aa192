import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../core/calendar.ts';
import { Money } from '../../../core/money.ts';
import { type PeriodRange, parsePeriod } from '../../../core/profitability/calendar.ts';
import { DEFAULT_PROFITABILITY_CONFIG } from '../../../core/profitability/config.ts';
import { EvenSplit } from '../../../core/profitability/even-split.ts';
import { computeProfitability } from '../../../core/profitability/index.ts';
import { allocateRetentionCosts, isRetainedIn } from '../../../core/profitability/retention-cost.ts';
import type { CustomerFacts } from '../../../core/profitability/types.ts';
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

describe('retention cost, by property', () => {
  const day = fc.integer({ min: 0, max: 800 }).map((offset) => addDays('2023-06-01', offset));
  const period = fc.oneof(
    fc
      .integer({ min: 0, max: 23 })
      .map((m) => `${2023 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`),
    fc.integer({ min: 0, max: 7 }).map((q) => `${2023 + Math.floor(q / 4)}-Q${(q % 4) + 1}`),
    fc.constantFrom('2023', '2024', '2025'),
  );
  const segment = fc.constantFrom(null, 'vip', 'VIP ', 'mass');

  it('gives each pool to exactly the customers isRetainedIn names, in customer order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ acquiredOn: day, churnDate: day, segment }), { maxLength: 40 }),
        fc.array(fc.record({ period, segment, cents: fc.integer({ min: 1, max: 100_000 }) }), {
          maxLength: 6,
        }),
        day,
        (people, pools, asOf) => {
          const customers = people.map(
            (p) => ({ ...p, retentionCost: new Money(0) }) as unknown as CustomerFacts,
          );
          const spend = pools.map((p) => retentionSpend(p.period, p.cents / 100, p.segment));
          const unallocated = allocateRetentionCosts(customers, spend, asOf);

          // The reference: pools summed as the module sums them, receivers by isRetainedIn.
          const expected = new Array<number>(customers.length).fill(0);
          const pooled = new Map<string, { range: PeriodRange; segment: string | null; cents: number }>();
          for (const p of pools) {
            const range = parsePeriod(p.period) as PeriodRange;
            if (range.start > asOf) continue;
            const key = p.segment?.trim().toLowerCase() || null;
            const pool = pooled.get(`${range.label}/${key}`);
            if (pool) pool.cents += p.cents;
            else pooled.set(`${range.label}/${key}`, { range, segment: key, cents: p.cents });
          }
          let unallocatedPools = 0;
          for (const pool of pooled.values()) {
            const receivers = customers
              .map((customer, position) => ({ customer, position }))
              .filter(
                ({ customer }) =>
                  isRetainedIn(customer, pool.range, asOf) &&
                  (pool.segment === null || customer.segment?.trim().toLowerCase() === pool.segment),
              );
            if (receivers.length === 0) {
              unallocatedPools += 1;
              continue;
            }
            const split = new EvenSplit(pool.cents / 100, receivers.length);
            receivers.forEach(({ position }, rank) => {
              expected[position] = (expected[position] as number) + split.centsAt(rank);
            });
          }
          expect(customers.map((c) => c.retentionCost.times(100).toNumber())).toEqual(expected);
          expect(unallocated).toHaveLength(unallocatedPools);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('retention cost, churn by inactivity switched off', () => {
  it('counts a customer whose inactivity window ends past year 9999 as retained, not churned', () => {
    const config = { ...DEFAULT_PROFITABILITY_CONFIG, inactivityDays: 3_000_000 };
    const parts = {
      customers: [
        customer('kept', '2024-01-01'),
        customer('lost', '2024-01-01', { churned_on: '2025-01-15' }),
      ],
      transactions: [tx('kept', '2024-02-01', 10), tx('lost', '2024-02-01', 10)],
    };
    const result = computeProfitability(
      snapshot({ ...parts, retention_spend: [retentionSpend('2025-02', 30)] }),
      '2025-03-31',
      config,
    );
    const cost = Object.fromEntries(
      result.customerMetrics.map((r) => [r.customer_id, r.retention_cost.toFixed(2)]),
    );
    expect(cost).toEqual({ kept: '30.00', lost: '0.00' });
    const kept = result.customerMetrics.find((r) => r.customer_id === 'kept');
    expect(kept?.churned).toBe(false);
    expect(() => computeProfitability(snapshot(parts), '2025-03-31', config)).not.toThrow();
  });
});
