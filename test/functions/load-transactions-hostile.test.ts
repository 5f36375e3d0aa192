import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { money } from '../../core/money.ts';
import { addDays } from '../../core/profitability/calendar.ts';
import { toTransactionColumns } from '../../core/profitability/transaction-columns.ts';
import type { TransactionColumns } from '../../core/records.ts';
import { computeResults } from '../../core/results.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import type { LakeReader } from '../../functions/compute/lake-reader.ts';
import { loadSnapshot } from '../../functions/compute/load-snapshot.ts';

/** Just what loadSnapshot reads: list and getBytes over a map. */
function memoryLake(files: Map<string, Uint8Array>): LakeReader {
  return {
    list: async (prefix: string) => [...files.keys()].filter((key) => key.startsWith(prefix)).sort(),
    getBytes: async (key: string) => (files.get(key) as Uint8Array).slice(),
  } satisfies LakeReader;
}

// Ids and categories where UTF-8 byte order (the Parquet bytes the loader keys) and JavaScript's
// (UTF-16 units, canonical order) differ:
// U+FF23 (full-width C) sorts before U+1F600 in UTF-8, after it in UTF-16. 'Ｃ0' and '😀704' share
// a customer partition, so their order there is decided by id.
// A leading U+FEFF is part of an id: every reader keeps it (TextDecoder's default would drop it).
const CUSTOMERS = ['C1', 'C2', 'C10', '客户7', 'Ｃ0', '😀704', 'Ｃ😀', '😀Ｃ', 'c1', 'C1 ', 'Ç', '\uFEFFC1'];
const CATEGORIES = ['software', 'services', '硬件', 'Ｚ', '𝔸', null];
// Past 2^53 cents (exact amounts beside the cents), and just below it, and large ones below it.
const HUGE = [
  '9999999999999999.99',
  '-90071992547409.93',
  '90071992547409.92',
  '90071992547409.91',
  '-90071992547409.91',
  '-12345678901234.57',
  '1234567890123.45',
];

const line = fc.record({
  customer: fc.integer({ min: 0, max: CUSTOMERS.length - 1 }),
  order: fc.integer({ min: 0, max: 12 }),
  // Few days and amounts, so lines of one customer tie on them and the later keys decide.
  day: fc.integer({ min: 0, max: 6 }),
  revenue: fc.oneof(fc.integer({ min: -300, max: 300 }), fc.constantFrom(...HUGE)),
  cost: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.constantFrom(...HUGE)),
  returned: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 })),
  category: fc.integer({ min: 0, max: CATEGORIES.length - 1 }),
});

type Line = typeof line extends fc.Arbitrary<infer T> ? T : never;

const amount = (value: number | string) =>
  typeof value === 'string' ? money(value) : money(value).dividedBy(100);

function row(g: Line, i: number): Record<string, unknown> {
  return {
    // Order ids reach past ASCII too, and repeat across customers.
    order_id: g.order % 3 === 0 ? `单${g.order}` : g.order % 5 === 0 ? `😀${g.order}` : `SO${g.order}`,
    customer_id: CUSTOMERS[g.customer],
    order_date: addDays('2022-01-01', g.day),
    revenue: amount(g.revenue),
    cost: amount(g.cost),
    returned_amount: amount(g.returned),
    quantity: 1,
    product_id: null,
    product_category: CATEGORIES[g.category],
    channel: null,
    rep_id: null,
    team: null,
    source_line: i + 2,
  };
}

function lakeOf(parts: Line[][]): LakeReader {
  const files = new Map<string, Uint8Array>();
  let n = 0;
  parts.forEach((part, p) => {
    files.set(
      `curated/transactions/export_id=e${p}/part-00000.parquet`,
      encodeParquet(
        curatedColumns('transactions'),
        part.map((g) => row(g, n++)),
      ),
    );
  });
  return memoryLake(files);
}

/** Each line's values, category as text, exact amounts as text: what no category numbering changes. */
function linesOf(columns: TransactionColumns): string[] {
  const cents = (column: TransactionColumns['revenue'], i: number) =>
    Number.isNaN(column.cents[i]) ? `=${column.exact.get(i)?.toFixed(2)}` : String(column.cents[i]);
  return Array.from({ length: columns.length }, (_, i) =>
    [
      columns.customerIds[columns.customer[i] as number],
      columns.day[i],
      cents(columns.revenue, i),
      cents(columns.cost, i),
      cents(columns.returned, i),
      columns.categories[columns.category[i] as number],
    ].join('|'),
  );
}

/**
 * The columns, compared exactly: the same lines in the same order, customers numbered alike, and
 * the same order starts (on lines alike in every value, which of them carries a flag cannot
 * matter: compared as a multiset there).
 */
function expectSameColumns(actual: TransactionColumns, expected: TransactionColumns): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.customerIds).toEqual(expected.customerIds);
  expect(actual.customer).toEqual(expected.customer);
  const [a, b] = [linesOf(actual), linesOf(expected)];
  expect(a).toEqual(b);
  const flagged = (lines: string[], columns: TransactionColumns) =>
    lines.map((text, i) => `${text}#${columns.orderStart[i]}`).sort();
  expect(flagged(a, actual)).toEqual(flagged(b, expected));
  for (const name of ['revenue', 'cost', 'returned'] as const)
    expect(actual[name].exact.size).toBe(expected[name].exact.size);
}

const tables = (result: ReturnType<typeof computeResults>) =>
  JSON.stringify([[...result.tables].map(([t, rows]) => [t.name, rows]), result.warnings]);

const config = parseConfig({ clv: { minRepeatCustomers: 2 } });

/** The loaded columns beside the records path's: the same lines read as records, sorted, made columns. */
async function loadBoth(lake: LakeReader) {
  const records = await loadSnapshot(lake, { transactionRecords: true });
  const loaded = await loadSnapshot(lake);
  return { records, loaded, expected: toTransactionColumns(records.snapshot.transactions) };
}

describe('transactions loaded as columns, against hostile ids, categories and amounts', () => {
  it('give the columns of the records path and every table of the records, byte for byte, whatever the parts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(line, { maxLength: 50 }), { minLength: 1, maxLength: 3 }),
        async (parts) => {
          const lake = lakeOf(parts);
          const { records, loaded, expected } = await loadBoth(lake);
          expectSameColumns(loaded.snapshot.transactionColumns, expected);
          expect(loaded.exportIds).toEqual(records.exportIds);
          expect(tables(computeResults(loaded.snapshot, '2022-06-30', config))).toBe(
            tables(computeResults(records.snapshot, '2022-06-30', config)),
          );
        },
      ),
      { numRuns: 30 },
    );
  }, 240_000);

  it('orders a customer of many lines and many orders, and flags each order once, on its first line', async () => {
    const lines: Line[] = Array.from({ length: 300 }, (_, i) => ({
      customer: i % 2,
      order: i % 13,
      day: (i * 7) % 5,
      revenue: (i * 37) % 11,
      cost: i % 3,
      returned: 0,
      category: i % CATEGORIES.length,
    }));
    const { loaded, expected } = await loadBoth(lakeOf([lines.slice(0, 170), lines.slice(170)]));
    const columns = loaded.snapshot.transactionColumns;
    expectSameColumns(columns, expected);
    // Two customers, each with all thirteen orders (ids repeat across customers).
    let flags = 0;
    for (let i = 0; i < columns.length; i++) flags += columns.orderStart[i] as number;
    expect(flags).toBe(26);
  });

  it('orders lines alike but for their category by category text, as JavaScript orders it', async () => {
    const lines: Line[] = CATEGORIES.flatMap((_, category) =>
      CUSTOMERS.map((__, customer) => ({
        customer,
        order: category,
        day: 1,
        revenue: 5,
        cost: 1,
        returned: 0,
        category,
      })),
    );
    const { records, loaded, expected } = await loadBoth(lakeOf([lines.reverse()]));
    const columns = loaded.snapshot.transactionColumns;
    expectSameColumns(columns, expected);
    expect(linesOf(columns)).toEqual(
      records.snapshot.transactions.map((t) =>
        [t.customer_id, columns.day[0], 5, 1, 0, t.product_category].join('|'),
      ),
    );
  });

  it('tells orders apart by their ids, not only by a hash of them', async () => {
    // 'SO59623' and 'SO703300' have the same 32-bit hash (FNV-1a of their UTF-16 units).
    const lakeOfOrders = (orderIds: string[]) =>
      memoryLake(
        new Map([
          [
            'curated/transactions/export_id=e0/part-00000.parquet',
            encodeParquet(
              curatedColumns('transactions'),
              orderIds.map((order_id, i) => ({
                ...row({ customer: 0, order: 0, day: i, revenue: 1, cost: 0, returned: 0, category: 0 }, i),
                order_id,
              })),
            ),
          ],
        ]),
      );
    const few = (await loadSnapshot(lakeOfOrders(['SO59623', 'SO703300', 'SO59623']))).snapshot
      .transactionColumns;
    expect([...few.orderStart]).toEqual([1, 1, 0]);
    // And for a customer of many lines.
    const many = ['SO59623', 'SO703300', 'SO59623', ...Array.from({ length: 80 }, (_, i) => `X${i % 40}`)];
    const columns = (await loadSnapshot(lakeOfOrders(many))).snapshot.transactionColumns;
    expect(columns.orderStart.reduce((sum, flag) => sum + flag, 0)).toBe(42);
  });

  it('counts a missing cost or returned amount as 0, and names a line without revenue', async () => {
    const g: Line = { customer: 0, order: 1, day: 2, revenue: 150, cost: 0, returned: 0, category: 0 };
    const older = curatedColumns('transactions').filter(
      (column) => column.name !== 'cost' && column.name !== 'returned_amount',
    );
    const lake = memoryLake(
      new Map([['curated/transactions/export_id=e0/part-00000.parquet', encodeParquet(older, [row(g, 0)])]]),
    );
    const columns = (await loadSnapshot(lake)).snapshot.transactionColumns;
    expect([columns.revenue.cents[0], columns.cost.cents[0], columns.returned.cents[0]]).toEqual([150, 0, 0]);
    const withoutRevenue = memoryLake(
      new Map([
        [
          'curated/transactions/export_id=e0/part-00000.parquet',
          encodeParquet(
            curatedColumns('transactions').filter((column) => column.name !== 'revenue'),
            [row(g, 0)],
          ),
        ],
      ]),
    );
    await expect(loadSnapshot(withoutRevenue)).rejects.toThrow(
      'curated/transactions/export_id=e0/part-00000.parquet: curated transactions without revenue',
    );
  });

  it('loads no transactions as empty columns', async () => {
    const columns = (await loadSnapshot(memoryLake(new Map()))).snapshot.transactionColumns;
    expect(columns.length).toBe(0);
    expect(columns.customerIds).toEqual([]);
  });
});
