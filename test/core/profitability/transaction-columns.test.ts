import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarizeTransactions } from '../../../core/clv/rfm-summary.ts';
import { parseConfig } from '../../../core/config.ts';
import { addDays } from '../../../core/profitability/calendar.ts';
import {
  canonicalOrder,
  centsColumn,
  sortTransactionRecords,
  toTransactionColumns,
} from '../../../core/profitability/transaction-columns.ts';
import type { CentsColumn, TransactionColumns } from '../../../core/records.ts';
import { computeResults } from '../../../core/results.ts';
import { customer, snapshot } from './fixtures.ts';
import {
  byDateThenOrder,
  type Lines,
  linesToRecords,
  mostlyCents,
  transactionLines,
} from './transaction-lines.ts';

const lines = transactionLines({ customers: 8, orders: 15, days: 700, maxLength: 80, amount: mostlyCents });
const records = (generated: Lines) => linesToRecords(generated, '2023-06-01');

const config = parseConfig({ clv: { minRepeatCustomers: 2 } });
const customers = [
  customer('c1', '2023-08-01', { segment: 'vip' }),
  customer('c3', '2023-05-01', { segment: 'smb' }),
];
const asOf = '2025-03-31';

function everyTable(result: ReturnType<typeof computeResults>): string {
  return JSON.stringify([[...result.tables].map(([table, rows]) => [table.name, rows]), result.warnings]);
}

describe('transaction columns', () => {
  it('give results identical to the records they were built from', () => {
    fc.assert(
      fc.property(lines, (generated) => {
        const transactions = records(generated);
        const fromRecords = computeResults(snapshot({ transactions, customers }), asOf, config);
        const { transactions: _unused, ...rest } = snapshot({ customers });
        const fromColumns = computeResults(
          { ...rest, transactionColumns: toTransactionColumns(transactions) },
          asOf,
          config,
        );
        expect(everyTable(fromColumns)).toBe(everyTable(fromRecords));
      }),
      { numRuns: 150 },
    );
  });

  it('in canonical order, whatever the load order, give the results of the canonically sorted records', () => {
    fc.assert(
      fc.property(lines, fc.integer({ min: 0, max: 1000 }), (generated, seed) => {
        const transactions = records(generated);
        // Any load order: a deterministic shuffle.
        const shuffled = transactions
          .map((t, i) => ({ t, key: (i * 7919 + seed * 104_729) % 1_000_003 }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.t);
        const sorted = [...transactions];
        sortTransactionRecords(sorted);
        const expected = computeResults(snapshot({ transactions: sorted, customers }), asOf, config);
        const loaded = toTransactionColumns(shuffled);
        const order = canonicalOrder(loaded);
        const columns = order ? reorderColumns(loaded, order) : loaded;
        const { transactions: _unused, ...rest } = snapshot({ customers });
        const actual = computeResults({ ...rest, transactionColumns: columns }, asOf, config);
        expect(everyTable(actual)).toBe(everyTable(expected));
      }),
      { numRuns: 150 },
    );
  });

  it('orders lines exactly as the records sort: customer, date, values, ties in load order', () => {
    const dense = transactionLines({ customers: 3, orders: 6, days: 2, maxLength: 60, amount: mostlyCents });
    fc.assert(
      fc.property(dense, (generated) => {
        const transactions = records(generated);
        const columns = toTransactionColumns(transactions);
        const order = canonicalOrder(columns) ?? Int32Array.from(transactions, (_, i) => i);
        const sorted = [...transactions];
        sortTransactionRecords(sorted);
        const lineOf = new Map(transactions.map((t, i) => [t, i]));
        expect([...order]).toEqual(sorted.map((t) => lineOf.get(t)));
      }),
      { numRuns: 300 },
    );
  });

  it('count distinct orders per customer from the flagged lines, up to any date', () => {
    fc.assert(
      fc.property(lines, fc.integer({ min: 0, max: 700 }), (generated, cut) => {
        const transactions = records(generated);
        const columns = toTransactionColumns(transactions);
        const until = addDays('2023-06-01', cut);
        for (let c = 0; c < columns.customerIds.length; c++) {
          const id = columns.customerIds[c];
          let flagged = 0;
          for (let i = 0; i < columns.length; i++)
            if (
              columns.customer[i] === c &&
              columns.orderStart[i] === 1 &&
              transactions[i]!.order_date <= until
            )
              flagged++;
          const distinct = new Set(
            transactions.filter((t) => t.customer_id === id && t.order_date <= until).map((t) => t.order_id),
          );
          expect(flagged).toBe(distinct.size);
        }
      }),
    );
  });

  it('summarise for the models the same way in date order (typed arrays) as in any order', () => {
    fc.assert(
      fc.property(lines, (generated) => {
        const transactions = records(generated).sort(byDateThenOrder);
        const options = { end: '2024-12-31', timeUnit: 'days' as const, holdoutEnd: '2025-03-31' };
        const dated = summarizeTransactions(transactions, options);
        // Another customer whose lines go back in time forces the general path over the same lines.
        const [late, early] = records(
          [
            { ...generated[0]!, customer: 99, day: 300 },
            { ...generated[0]!, customer: 99, day: 10 },
          ].filter(() => generated.length > 0),
        );
        if (!late || !early) return;
        const general = summarizeTransactions([...transactions, late, early], options);
        expect(byIdOf(dated)).toEqual(withoutC99(byIdOf(general)));
      }),
    );
  });
});

type Summary = ReturnType<typeof summarizeTransactions>;

function withoutC99(rows: Record<string, unknown>): Record<string, unknown> {
  const { c99: _unused, ...rest } = rows;
  return rest;
}

function byIdOf(s: Summary): Record<string, unknown> {
  return Object.fromEntries(
    s.customerIds.map((id, i) => [
      id,
      [s.frequency[i], s.recency[i], s.age[i], s.monetary[i], s.grossMargin[i], s.holdoutPurchases[i]],
    ]),
  );
}

/** The columns in the order `order` (line k of the result = line order[k] of the input). */
function reorderColumns(columns: TransactionColumns, order: Int32Array): TransactionColumns {
  const n = order.length;
  const gatherInt = (from: Int32Array): Int32Array => {
    const to = new Int32Array(n);
    for (let k = 0; k < n; k++) to[k] = from[order[k] as number] as number;
    return to;
  };
  const gatherCents = (from: CentsColumn): CentsColumn => {
    const to = centsColumn(n);
    for (let k = 0; k < n; k++) to.cents[k] = from.cents[order[k] as number] as number;
    for (let k = 0; k < n && from.exact.size > 0; k++) {
      const exact = from.exact.get(order[k] as number);
      if (exact !== undefined) to.exact.set(k, exact);
    }
    return to;
  };
  return {
    ...columns,
    length: n,
    customer: gatherInt(columns.customer),
    day: gatherInt(columns.day),
    orderStart: Uint8Array.from(order, (line) => columns.orderStart[line] as number),
    revenue: gatherCents(columns.revenue),
    cost: gatherCents(columns.cost),
    returned: gatherCents(columns.returned),
    category: gatherInt(columns.category),
  };
}
