import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money, ZERO } from '../../../core/money.ts';
import { allocateAcquisitionCosts, monthsOf } from '../../../core/profitability/acquisition-cost.ts';
import { parsePeriod } from '../../../core/profitability/calendar.ts';
import { EvenSplit } from '../../../core/profitability/even-split.ts';
import { computeProfitability } from '../../../core/profitability/index.ts';
import type { CustomerFacts } from '../../../core/profitability/types.ts';
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

  it("property: each pool is split evenly over its months' sharing customers in their order, channels matched trimmed and in any case", () => {
    const CHANNELS = ['search', ' Search', 'SEARCH ', 'social', 'tv', '', '  ', null];
    const PERIODS = ['2025-01', '2025-02', '2025-03', '2025-Q1', '2025-Q2', '2025', '2025-13', 'soon'];
    const normalise = (value: string | null) => value?.trim().toLowerCase() || null;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            month: fc.integer({ min: 1, max: 6 }),
            channel: fc.constantFrom(...CHANNELS),
            own: fc.option(fc.integer({ min: 0, max: 9_999 })),
          }),
          { maxLength: 30 },
        ),
        fc.array(
          fc.record({
            period: fc.constantFrom(...PERIODS),
            channel: fc.constantFrom(...CHANNELS),
            cents: fc.integer({ min: -5_000, max: 100_000 }),
          }),
          { maxLength: 8 },
        ),
        (listed, spendRows) => {
          const customers = listed.map(
            (c, i) =>
              ({
                customerId: `C${i}`,
                acquiredOn: `2025-0${c.month}-1${i % 10}`,
                acquisitionChannel: c.channel,
                ownAcquisitionCost: c.own === null ? null : money(c.own).dividedBy(100),
                acquisitionCost: ZERO,
              }) as unknown as CustomerFacts,
          );
          const spend = spendRows.map((r) => ({
            period: r.period,
            channel: r.channel,
            amount: money(r.cents).dividedBy(100),
            source_line: 2,
          }));
          allocateAcquisitionCosts(customers, spend, '2025-06-30');
          // The rule, plainly: pools by (period, normalised channel); each split evenly over the
          // customers without their own cost acquired in its months and of its channel (any
          // channel for a pool without one), in the customers' order.
          const expected = customers.map((c) => (c.ownAcquisitionCost ?? ZERO).times(100).toNumber());
          const pools = new Map<string, { months: string[]; channel: string | null; cents: number }>();
          for (const row of spend) {
            const period = parsePeriod(row.period);
            if (period === null || period.start > '2025-06-30') continue;
            const channel = normalise(row.channel);
            const key = `${period.label}|${channel}`;
            const pool = pools.get(key) ?? { months: monthsOf(period.start, period.end), channel, cents: 0 };
            pool.cents += row.amount.times(100).toNumber();
            pools.set(key, pool);
          }
          for (const pool of pools.values()) {
            const sharing = pool.months.flatMap((month) =>
              customers
                .map((c, i) => ({ c, i }))
                .filter(
                  ({ c }) =>
                    c.ownAcquisitionCost === null &&
                    c.acquiredOn.startsWith(month) &&
                    (pool.channel === null || normalise(c.acquisitionChannel) === pool.channel),
                ),
            );
            if (sharing.length === 0) continue;
            const split = new EvenSplit(money(pool.cents).dividedBy(100), sharing.length);
            sharing.forEach(({ i }, position) => {
              expected[i] = (expected[i] as number) + split.centsAt(position);
            });
          }
          expect(customers.map((c) => c.acquisitionCost.times(100).toNumber())).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
