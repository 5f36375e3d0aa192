import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig, profitabilitySettings } from '../../../core/config.ts';
import { computeProfitability } from '../../../core/profitability/index.ts';
import {
  sortTransactionRecords,
  toTransactionColumns,
} from '../../../core/profitability/transaction-columns.ts';
import {
  mergeTransactionPasses,
  passTransactions,
  type TransactionPass,
} from '../../../core/profitability/transaction-pass.ts';
import type { CustomerRecord, TransactionRecord } from '../../../core/records.ts';
import { customer, snapshot } from './fixtures.ts';
import { type Lines, linesToRecords, mostlyCents, transactionLines } from './transaction-lines.ts';

const lines = transactionLines({ customers: 9, orders: 15, days: 700, maxLength: 80, amount: mostlyCents });
const records = (generated: Lines) => linesToRecords(generated, '2023-06-01');

// Listed, listed late (ordered before their acquired_on), listed twice, or not listed at all.
const customers: CustomerRecord[] = [
  customer('c1', '2023-08-01', { segment: 'vip' }),
  customer('c3', '2023-05-01', { segment: 'smb' }),
  customer('c4', '2025-09-01', { segment: 'vip' }),
  customer('c5', '2023-01-01', { segment: null }),
  customer('c5', '2023-03-01', { segment: 'smb' }),
  customer('never-ordered', '2024-02-01', { segment: 'smb' }),
];
const asOf = '2025-03-31';

const exportedOf = (rows: readonly CustomerRecord[]) => {
  const byId = new Map(rows.map((row) => [row.customer_id, row]));
  return (id: string) => {
    const row = byId.get(id);
    return row && { acquiredOn: row.acquired_on, segment: row.segment };
  };
};

/** The lines of each group of customers, as a loaded bucket would hold them (canonical order). */
function groupPasses(
  transactions: readonly TransactionRecord[],
  groupOf: (customerId: string) => number,
  groups: number,
  settings: ReturnType<typeof profitabilitySettings>,
): TransactionPass[] {
  const parts: TransactionRecord[][] = Array.from({ length: groups }, () => []);
  for (const line of transactions) (parts[groupOf(line.customer_id)] as TransactionRecord[]).push(line);
  return parts.map((part) => {
    sortTransactionRecords(part);
    return passTransactions(toTransactionColumns(part), exportedOf(customers), asOf, settings);
  });
}

describe('transaction passes over groups of customers', () => {
  it('merged give every profitability table and warning of one pass over all the lines', () => {
    fc.assert(
      fc.property(
        lines,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom('month', 'quarter', 'year'),
        (generated, groups, seed, grain) => {
          const settings = {
            ...profitabilitySettings(parseConfig({})),
            cohortGrain: grain,
            kpiGrain: grain === 'year' ? ('month' as const) : grain,
          };
          const transactions = records(generated);
          sortTransactionRecords(transactions);
          const whole = computeProfitability(snapshot({ transactions, customers }), asOf, settings);
          const groupOf = (id: string) =>
            [...id].reduce((h, c) => h * 31 + c.charCodeAt(0) + seed, 7) % groups;
          const merged = mergeTransactionPasses(groupPasses(transactions, groupOf, groups, settings));
          const split = computeProfitability(snapshot({ customers }), asOf, settings, merged);
          expect(JSON.stringify(split)).toBe(JSON.stringify(whole));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('refuse to merge passes of another date or grain, and a computation of another date', () => {
    const settings = profitabilitySettings(parseConfig({}));
    const transactions = records([]);
    const pass = passTransactions(toTransactionColumns(transactions), exportedOf(customers), asOf, settings);
    const other = passTransactions(
      toTransactionColumns(transactions),
      exportedOf(customers),
      '2025-04-01',
      settings,
    );
    expect(() => mergeTransactionPasses([pass, other])).toThrow(/different runs: as of 2025-04-01/);
    expect(() => computeProfitability(snapshot({ customers }), '2025-04-01', settings, pass)).toThrow(
      /pass is as of 2025-03-31/,
    );
  });
});
