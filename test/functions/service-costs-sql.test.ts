import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { money } from '../../core/money.ts';
import { addDays } from '../../core/profitability/calendar.ts';
import { computeResults } from '../../core/results.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import type { LakeReader } from '../../functions/compute/lake-reader.ts';
import { loadSnapshot } from '../../functions/compute/load-snapshot.ts';
import { loadRun, serviceCostsBySql } from '../../functions/compute/run-compute.ts';

/** Just what loadSnapshot reads: list and getBytes over a map. */
function memoryLake(files: Map<string, Uint8Array>): LakeReader {
  return {
    list: async (prefix: string) => [...files.keys()].filter((key) => key.startsWith(prefix)).sort(),
    getBytes: async (key: string) => (files.get(key) as Uint8Array).slice(),
  } satisfies LakeReader;
}

const AS_OF = '2024-03-31';
// Spellings SQL's lower() and JavaScript's toLowerCase() treat differently: a word-final Σ (ς in
// JavaScript, σ in SQL) and İ (i + U+0307 in JavaScript, i in SQL).
const TOUCHPOINTS = ['chat', 'Chat', 'Chat ', 'email', 'visit', 'ΚΛΗΣΕΙΣ', 'Κλησεις', 'İADE', 'i̇ade'];
const PERIODS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-Q1'];

const interaction = fc.record({
  customer: fc.integer({ min: 0, max: 9 }),
  day: fc.integer({ min: 0, max: 120 }),
  touchpoint: fc.constantFrom(...TOUCHPOINTS),
  quantity: fc.oneof(fc.constant(1), fc.integer({ min: -1, max: 4 })),
  cost: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5000 })),
});
const pool = fc.record({
  period: fc.constantFrom(...PERIODS),
  touchpoint: fc.constantFrom(...TOUCHPOINTS),
  cents: fc.integer({ min: -10_000, max: 1_000_000 }),
});

const config = parseConfig({});

/**
 * Customer n's id. C0 and C1 begin with characters whose order differs between UTF-16 code units
 * and code points (U+20000 before U+FF21 in UTF-16, after it by code point, as SQL sorts text),
 * so a tie between them is broken the same way on both paths or the tables differ.
 */
const idOf = (n: number): string => (n === 0 ? '\u{20000}0' : n === 1 ? '\uFF211' : `C${n}`);

describe('service costs by the set queries (sql/service-cost-*.ts)', () => {
  it('give the very tables and warnings of the TypeScript allocation: ties, ids outside the base, odd periods', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(interaction, { maxLength: 40 }),
        fc.array(pool, { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 8 }),
        // Customers listed again in a second customers export, acquired after as_of or long before;
        // its lines numbered above or below the first export's (the last row is by export first).
        fc.array(fc.record({ customer: fc.integer({ min: 0, max: 7 }), late: fc.boolean() }), {
          maxLength: 4,
        }),
        fc.boolean(),
        async (interactions, pools, ordering, relisted, relistedLinesHigher) => {
          const rows: Record<ExportKind, Record<string, unknown>[]> = {
            customers: [0, 1, 2, 3, 4, 5].map((c, i) => ({
              customer_id: idOf(c),
              // C5 is acquired after as_of: outside the customer base.
              acquired_on: c === 5 ? '2024-05-01' : '2023-06-01',
              acquisition_cost: null,
              acquisition_channel: null,
              segment: null,
              region: null,
              product_bundle: null,
              referred_by: null,
              churned_on: null,
              source_line: i + 2,
            })),
            // C6 and C7 are known from their orders only; C8, C9 not at all.
            transactions: [...ordering, 6, 7].map((c, i) => ({
              order_id: `O${i}`,
              customer_id: idOf(c),
              order_date: addDays('2023-07-01', i * 11),
              revenue: money(100 + i),
              cost: money(0),
              returned_amount: money(0),
              quantity: 1,
              product_id: null,
              product_category: null,
              channel: null,
              rep_id: null,
              team: null,
              source_line: i + 2,
            })),
            interactions: interactions.map((x, i) => ({
              customer_id: idOf(x.customer),
              occurred_on: addDays('2024-01-01', x.day),
              touchpoint: x.touchpoint,
              quantity: x.quantity,
              cost: x.cost === null ? null : money(x.cost).dividedBy(100),
              source_line: i + 2,
            })),
            touchpoint_costs: pools.map((p, i) => ({
              period: p.period,
              touchpoint: p.touchpoint,
              total_cost: money(p.cents).dividedBy(100),
              source_line: i + 2,
            })),
          } as unknown as Record<ExportKind, Record<string, unknown>[]>;
          const files = new Map<string, Uint8Array>();
          for (const [kind, list] of Object.entries(rows)) {
            files.set(
              `curated/${kind}/export_id=${kind}/part-00000.parquet`,
              encodeParquet(curatedColumns(kind as ExportKind), list),
            );
          }
          // Listed before export_id=customers/ ('-' sorts before '/'): its rows lose to that export's.
          const second = relisted.map(({ customer, late }, i) => ({
            ...(rows.customers[0] as Record<string, unknown>),
            customer_id: idOf(customer),
            acquired_on: late ? '2024-05-01' : '2022-01-01',
            source_line: relistedLinesHigher ? 100 + i : 0 - i,
          }));
          if (second.length > 0)
            files.set(
              'curated/customers/export_id=customers-2/part-00000.parquet',
              encodeParquet(curatedColumns('customers'), second),
            );
          const lake = memoryLake(files);
          const tables = (result: ReturnType<typeof computeResults>) =>
            JSON.stringify([[...result.tables].map(([t, rows]) => [t.name, rows]), result.warnings]);
          const plain = tables(computeResults((await loadSnapshot(lake)).snapshot, AS_OF, config));
          const sql = tables(
            computeResults((await loadSnapshot(lake, { asOf: AS_OF })).snapshot, AS_OF, config),
          );
          if (sql !== plain) {
            // Shown around the first difference (from the start when it is near it: a negative
            // start would slice from the end and hide a difference in the first 300 characters).
            let at = 0;
            while (sql[at] === plain[at]) at++;
            const from = Math.max(0, at - 300);
            expect(sql.slice(from, at + 300)).toBe(plain.slice(from, at + 300));
          }
        },
      ),
      {
        numRuns: 30,
        examples: [
          // C4, with no order, listed again in the export listed first, acquired after as_of there,
          // on a higher line: the last row (by export, then line) keeps C4 in the customer base.
          [
            [{ customer: 4, day: 10, touchpoint: 'chat', quantity: 1, cost: null }],
            [{ period: '2024-01', touchpoint: 'chat', cents: 10_000 }],
            [],
            [{ customer: 4, late: true }],
            true,
          ],
          // One cent left over a three-way tie (C0, C1 and the part of C8, outside the base, each
          // 33 cents with the same remainder): it goes to the smallest id, the outside part last.
          [
            [0, 8, 1].map((customer) => ({ customer, day: 10, touchpoint: 'chat', quantity: 1, cost: null })),
            [{ period: '2024-01', touchpoint: 'chat', cents: 100 }],
            [],
            [],
            false,
          ],
        ],
      },
    );
  });
});

describe('serviceCostsBySql: which way the compute run takes the service costs', () => {
  const listing = (objects: { key: string; size: number }[]) => ({
    listObjects: async (prefix: string) => objects.filter((object) => object.key.startsWith(prefix)),
  });
  const lake = listing([
    { key: 'curated/interactions/export_id=a/part-00000.parquet', size: 1_500_000 },
    { key: 'curated/interactions/export_id=a/part-00001.parquet', size: 600_000 },
    { key: 'curated/interactions/export_id=b/part-00000.parquet', size: 5_000_000 },
    { key: 'curated/interactions/export_id=a/_manifest.json', size: 9_000_000 },
    { key: 'curated/transactions/export_id=a/part-00000.parquet', size: 90_000_000 },
  ]);

  it('counts the interactions Parquet of the counted exports only, against the threshold', async () => {
    const threshold = parseConfig({}).compute.serviceCostsBySqlFromBytes;
    expect(threshold).toBe(2 * 1024 ** 2);
    // a: 2,100,000 bytes of parts (the manifest and the transactions do not count); b is not counted.
    expect(await serviceCostsBySql(lake, new Set(['a']), threshold)).toBe(true);
    expect(await serviceCostsBySql(lake, new Set(['a']), 2_100_001)).toBe(false);
    expect(await serviceCostsBySql(lake, new Set(['a']), 2_100_000)).toBe(true);
    expect(await serviceCostsBySql(lake, new Set(['c']), 1)).toBe(false);
    expect(await serviceCostsBySql(lake, new Set(['a', 'b']), 7_000_000)).toBe(true);
  });

  it('0 means always, even with no interactions', async () => {
    expect(await serviceCostsBySql(listing([]), new Set(), 0)).toBe(true);
    expect(await serviceCostsBySql(listing([]), new Set(), 1)).toBe(false);
  });
});

describe('loadRun: the service costs as the function that runs it can', () => {
  const files = new Map<string, Uint8Array>([
    [
      'curated/interactions/export_id=i1/part-00000.parquet',
      encodeParquet(curatedColumns('interactions'), [
        {
          customer_id: 'C1',
          occurred_on: '2024-02-03',
          touchpoint: 'chat',
          quantity: 1,
          cost: money('1.25'),
          source_line: 2,
        },
      ]),
    ],
  ]);
  const lake = {
    ...memoryLake(files),
    listObjects: async (prefix: string) =>
      [...files]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, bytes]) => ({ key, size: bytes.length })),
  };
  const ports = { lake, config: parseConfig({ compute: { serviceCostsBySqlFromBytes: 0 } }) };

  it('by size: the set queries (here always), the interactions never records', async () => {
    const { snapshot } = await loadRun(ports, AS_OF, new Set(['i1']), [], 'by-size');
    expect(snapshot.serviceCosts?.asOf).toBe(AS_OF);
    expect(snapshot.interactions).toEqual([]);
  });

  it('typescript (the scale-out function, which ships no DuckDB): the records, whatever the size', async () => {
    const { snapshot } = await loadRun(ports, AS_OF, new Set(['i1']), [], 'typescript');
    expect(snapshot.serviceCosts).toBeUndefined();
    expect(snapshot.interactions).toHaveLength(1);
  });
});
