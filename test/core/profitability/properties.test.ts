import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Money, money, sumMoney, ZERO } from '../../../core/money.ts';
import { addDays, parsePeriod } from '../../../core/profitability/calendar.ts';
import { NO_VALUE } from '../../../core/profitability/cohorts.ts';
import {
  type CostPool,
  type CustomerMetricsRow,
  computeProfitability,
  DEFAULT_PROFITABILITY_CONFIG,
  type ProfitabilityResult,
} from '../../../core/profitability/index.ts';
import type { Snapshot } from '../../../core/records.ts';
import {
  acquisitionSpend,
  customer,
  interaction,
  retentionSpend,
  snapshot,
  touchpointCost,
  tx,
} from './fixtures.ts';

const AS_OF = '2025-09-15';
const day = fc.integer({ min: 0, max: 700 }).map((offset) => addDays('2024-01-01', offset));
const cents = (max: number) => fc.integer({ min: 0, max }).map((c) => money(c).dividedBy(100));
const id = fc.integer({ min: 0, max: 14 }).map((n) => `c${n}`);
const month = fc
  .integer({ min: 0, max: 23 })
  .map((m) => `${2024 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`);
const spendPeriod = fc.oneof(
  month,
  fc.integer({ min: 0, max: 7 }).map((q) => `${2024 + Math.floor(q / 4)}-Q${(q % 4) + 1}`),
);
const segment = fc.option(fc.constantFrom('vip', 'mass'), { nil: null });
const channel = fc.option(fc.constantFrom('search', 'social'), { nil: null });
const touchpoint = fc.constantFrom('chat', 'support_call', 'email');

const snapshots: fc.Arbitrary<Snapshot> = fc
  .record({
    customers: fc.uniqueArray(
      fc.record({
        id,
        day,
        segment,
        channel,
        own: fc.option(cents(50_000), { nil: null }),
        churn: fc.option(day, { nil: null }),
      }),
      { selector: (c) => c.id, maxLength: 12 },
    ),
    transactions: fc.array(
      fc.record({
        id: fc.oneof(id, fc.constant('walk-in')),
        day,
        revenue: cents(100_000),
        cost: cents(30_000),
        returned: cents(5_000),
      }),
      { maxLength: 40 },
    ),
    interactions: fc.array(
      fc.record({
        id: fc.oneof(id, fc.constant('stranger')),
        day,
        touchpoint,
        quantity: fc.integer({ min: 1, max: 4 }),
        cost: fc.option(cents(2_000), { nil: null, freq: 4 }),
      }),
      { maxLength: 30 },
    ),
    touchpointCosts: fc.array(fc.record({ month, touchpoint, total: cents(100_000) }), { maxLength: 10 }),
    acquisition: fc.array(fc.record({ period: spendPeriod, channel, amount: cents(500_000) }), {
      maxLength: 6,
    }),
    retention: fc.array(fc.record({ period: spendPeriod, segment, amount: cents(200_000) }), {
      maxLength: 6,
    }),
  })
  .map((g) =>
    snapshot({
      customers: g.customers.map((c) =>
        customer(c.id, c.day, {
          segment: c.segment,
          acquisition_channel: c.channel,
          acquisition_cost: c.own?.toString() ?? null,
          churned_on: c.churn,
        }),
      ),
      transactions: g.transactions.map((t) =>
        tx(t.id, t.day, t.revenue.toString(), { cost: t.cost.toString(), returned: t.returned.toString() }),
      ),
      interactions: g.interactions.map((i) =>
        interaction(i.id, i.day, i.touchpoint, i.quantity, i.cost === null ? null : i.cost.toString()),
      ),
      touchpoint_costs: g.touchpointCosts.map((t) =>
        touchpointCost(t.month, t.touchpoint, t.total.toString()),
      ),
      acquisition_spend: g.acquisition.map((a) => acquisitionSpend(a.period, a.amount.toString(), a.channel)),
      retention_spend: g.retention.map((r) => retentionSpend(r.period, r.amount.toString(), r.segment)),
    }),
  );

const startsByAsOf = (period: string): boolean => (parsePeriod(period)?.start ?? '9999') <= AS_OF;
const unallocatedOf = (result: ProfitabilityResult, ...pools: CostPool[]): Money =>
  sumMoney(result.unallocated.filter((u) => pools.includes(u.pool)).map((u) => u.amount));
const total = (rows: readonly CustomerMetricsRow[], pick: (r: CustomerMetricsRow) => Money): Money =>
  sumMoney(rows.map(pick));

const MONEY_COLUMNS = [
  'revenue',
  'cogs',
  'returns',
  'service_cost',
  'acquisition_cost',
  'retention_cost',
  'profit',
] as const;

describe('profitability properties', () => {
  it('allocates every cost pool exactly: customers plus unallocated equal the pools', () => {
    fc.assert(
      fc.property(snapshots, (data) => {
        const result = computeProfitability(data, AS_OF);
        const rows = result.customerMetrics;

        const servicePools = sumMoney(
          data.touchpoint_costs.filter((t) => t.period <= AS_OF.slice(0, 7)).map((t) => t.total_cost),
        ).plus(sumMoney(data.interactions.filter((i) => i.occurred_on <= AS_OF).map((i) => i.cost ?? ZERO)));
        expect(
          total(rows, (r) => r.service_cost)
            .plus(unallocatedOf(result, 'touchpoint_cost', 'interaction_cost'))
            .toString(),
        ).toBe(servicePools.toString());

        const ownCosts = new Map(data.customers.map((c) => [c.customer_id, c.acquisition_cost ?? ZERO]));
        const allocatedAcquisition = total(rows, (r) =>
          r.acquisition_cost.minus(ownCosts.get(r.customer_id) ?? ZERO),
        );
        const acquisitionPools = sumMoney(
          data.acquisition_spend.filter((a) => startsByAsOf(a.period)).map((a) => a.amount),
        );
        expect(allocatedAcquisition.plus(unallocatedOf(result, 'acquisition_spend')).toString()).toBe(
          acquisitionPools.toString(),
        );

        const retentionPools = sumMoney(
          data.retention_spend.filter((r) => startsByAsOf(r.period)).map((r) => r.amount),
        );
        expect(
          total(rows, (r) => r.retention_cost)
            .plus(unallocatedOf(result, 'retention_spend'))
            .toString(),
        ).toBe(retentionPools.toString());
      }),
      { numRuns: 150 },
    );
  });

  it('ends the whale curve at total profit', () => {
    fc.assert(
      fc.property(snapshots, (data) => {
        const result = computeProfitability(data, AS_OF);
        const totalProfit = total(result.customerMetrics, (r) => r.profit);
        const last = result.whaleCurve.at(-1);
        if (result.customerMetrics.length === 0) {
          expect(last).toBeUndefined();
          return;
        }
        expect(last?.customers).toBe(result.customerMetrics.length);
        expect(last?.cumulative_profit.toString()).toBe(totalProfit.toString());
        // A share of total profit only when there is a profit to share: none when it is not positive.
        if (totalProfit.gt(0)) expect(last?.cumulative_profit_pct?.toString()).toBe('100');
        else expect(result.whaleCurve.every((r) => r.cumulative_profit_pct === null)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('makes every cohort total the sum of its customers', () => {
    fc.assert(
      fc.property(snapshots, (data) => {
        const result = computeProfitability(data, AS_OF, {
          ...DEFAULT_PROFITABILITY_CONFIG,
          cohortDimensions: ['segment', 'acquisition_channel'],
        });
        const labelOf: Record<string, (r: CustomerMetricsRow) => string> = {
          acquisition_month: (r) => r.cohort,
          'acquisition_month x segment': (r) => `${r.cohort}|${r.segment ?? NO_VALUE}`,
          'acquisition_month x acquisition_channel': (r) =>
            `${r.cohort}|${r.acquisition_channel ?? NO_VALUE}`,
        };
        for (const [dimension, label] of Object.entries(labelOf)) {
          const cohorts = result.cohortMetrics.filter((c) => c.cohort_dimension === dimension);
          expect(cohorts.reduce((n, c) => n + c.customers, 0)).toBe(result.customerMetrics.length);
          for (const cohort of cohorts) {
            const members = result.customerMetrics.filter((r) => label(r) === cohort.cohort);
            expect(members.length).toBe(cohort.customers);
            expect(members.filter((m) => !m.churned).length).toBe(cohort.active_customers);
            for (const column of MONEY_COLUMNS) {
              expect(cohort[column].toString(), `${dimension} ${cohort.cohort} ${column}`).toBe(
                total(members, (m) => m[column]).toString(),
              );
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
