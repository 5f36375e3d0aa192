import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateTransactions } from '../../../core/clv/simulate.ts';
import { addMonths } from '../../../core/clv/subscriptions.ts';
import { parseConfig } from '../../../core/config.ts';
import { money } from '../../../core/money.ts';
import { type CustomerLedger, CustomerMetricsRows } from '../../../core/profitability/index.ts';
import type { SubscriptionRecord, TransactionRecord } from '../../../core/records.ts';
import { computeResults } from '../../../core/results.ts';
import { resultTable } from '../../../core/tables.ts';
import { decodePass, encodePass } from '../../../functions/scale-out/pass-codec.ts';
import { customer, snapshot, survey, tx } from './fixtures.ts';
import { linesToRecords, mostlyCents, transactionLines } from './transaction-lines.ts';

const asOf = '2025-03-31';
const lines = transactionLines({ customers: 25, orders: 60, days: 700, maxLength: 90, amount: mostlyCents });

// Referrals (one to a customer with no lines, one to themselves), surveys, subscriptions, an amount
// past 2^53 cents: every per-customer input of a row besides the lines' own.
const customers = [
  customer('c1', '2023-02-01', { segment: 'vip', referred_by: 'c2', acquisition_cost: '12.5' }),
  customer('c2', '2023-05-01', { segment: 'smb', region: 'north', acquisition_channel: 'web' }),
  customer('c3', '2024-01-01', { referred_by: 'c1', acquisition_cost: '0.001' }),
  customer('c4', '2024-06-01', { referred_by: 'c4', churned_on: '2024-12-01' }),
  customer('c9', '2023-01-01', { referred_by: 'no-one' }),
  customer('quiet', '2024-02-01', { referred_by: 'c1' }),
  customer('C000007', '2023-06-01', { referred_by: 'C000002', segment: 'vip' }),
];
const surveys = [survey('c1', '2024-05-01', '4.5'), survey('c3', '2024-07-01', 3)];
const subscriptions: SubscriptionRecord[] = Array.from({ length: 30 }, (_, i) => ({
  subscription_id: `S${i}`,
  customer_id: `c${i % 6}`,
  started_on: addMonths('2024-01-01', i % 12),
  ended_on: i % 3 === 0 ? null : addMonths('2024-01-01', (i % 12) + 1 + (i % 5)),
  plan: i % 2 === 0 ? 'basic' : 'pro',
  billing_period: 'month',
  recurring_revenue: money(i % 2 === 0 ? '29.00' : '99.00'),
  recurring_cost: money('9.50'),
}));
const huge: TransactionRecord = tx('c2', '2024-03-01', '123456789012345678.25', { cost: '0.125' });

/** A base the models fit (BG/NBD purchases, Gamma-Gamma spend), so rows carry predictions and intervals. */
const fitted = simulateTransactions(
  { r: 0.5, alpha: 6, a: 0.8, b: 2.5 },
  { p: 6.25, q: 3.74, gamma: 15.44 },
  { customers: 300, seed: 3, start: '2023-06-01', acquisitionDays: 120, observedDays: 660, costShare: 0.6 },
);

const configs = [
  {},
  {
    profitability: {
      lifespan: { source: 'cohort_expected_tenure', fallbackYears: 3 },
      clvFormula: 'continuous',
      rounding: 'half_up',
    },
    clv: { intervalDraws: 0 },
  },
  {
    profitability: { clvFormula: 'discounted', cohortGrain: 'quarter' },
    clv: { intervalDraws: 20, minRepeatCustomers: 2 },
  },
];

describe('customer ledgers', () => {
  it("make, through the scale-out's JSON, exactly the rows of their customers", () => {
    fc.assert(
      fc.property(
        lines,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom(...configs),
        (generated, groups, seed, input) => {
          const transactions = [...linesToRecords(generated, '2023-01-01'), ...fitted, huge];
          const results = computeResults(
            snapshot({ transactions, customers, satisfaction: surveys, subscriptions }),
            asOf,
            parseConfig(input),
          );
          const rows = results.tables.get(resultTable('customer_metrics'));
          if (!(rows instanceof CustomerMetricsRows)) throw new Error('customer_metrics is not per customer');
          const groupOf = (id: string) =>
            [...id].reduce((h, c) => h * 31 + c.charCodeAt(0) + seed, 7) % groups;
          const expected = rows.partition(groupOf, groups).map((part) => JSON.stringify(part));
          const made = [...rows.ledgers(groupOf, groups)].map((ledger) =>
            JSON.stringify(CustomerMetricsRows.fromLedger(decodePass<CustomerLedger>(encodePass(ledger)))),
          );
          expect(made).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('carry what the rows are made of besides the lines: referrals, lifespans, predictions, contracts', () => {
    const results = computeResults(
      snapshot({ transactions: [huge, ...fitted], customers, subscriptions }),
      asOf,
      parseConfig(configs[1] as object),
    );
    const rows = results.tables.get(resultTable('customer_metrics')) as CustomerMetricsRows;
    const [ledger] = [...rows.ledgers(() => 0, 1)] as [CustomerLedger];
    const at = (id: string) => ledger.customerIds.indexOf(id);
    // C000002 referred C000007: the net revenue of C000007's orders.
    const referredRevenue = fitted
      .filter((line) => line.customer_id === 'C000007')
      .reduce((sum, line) => sum.plus(line.revenue).minus(line.returned_amount), money(0));
    expect(referredRevenue.isZero()).toBe(false);
    expect(ledger.referred.get(at('C000002'))?.toString()).toBe(referredRevenue.toString());
    expect(ledger.exact.size).toBeGreaterThan(0);
    expect(ledger.contractual.size).toBeGreaterThan(0);
    expect(ledger.prediction?.predicted.some((flag) => flag === 1)).toBe(true);
    // The amount past 2^53 cents goes on the exact side and comes back in the ledger's row.
    const row = CustomerMetricsRows.fromLedger(decodePass<CustomerLedger>(encodePass(ledger)))
      .toArray()
      .find((r) => r.customer_id === 'c2');
    expect(row?.revenue.toFixed(2)).toBe('123456789012345678.25');
    // A bucket no customer hashes to: an empty ledger, no rows.
    const [empty, all] = [...rows.ledgers(() => 1, 2)] as [CustomerLedger, CustomerLedger];
    expect(empty.formula).toBeNull();
    expect(CustomerMetricsRows.fromLedger(decodePass<CustomerLedger>(encodePass(empty))).toArray()).toEqual(
      [],
    );
    expect(all.customerIds).toHaveLength(rows.length);
  });
});
