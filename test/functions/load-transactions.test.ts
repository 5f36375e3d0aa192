import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { money } from '../../core/money.ts';
import { addDays } from '../../core/profitability/calendar.ts';
import { computeResults } from '../../core/results.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import { readRawColumns } from '../../functions/adapters/parquet-columns.ts';
import type { LakeReader } from '../../functions/compute/lake-reader.ts';
import { loadSnapshot } from '../../functions/compute/load-snapshot.ts';
import { loadTransactionColumns } from '../../functions/compute/load-transactions.ts';
import { FUNCTION_LIKE_BUNDLE } from '../../infra/job-function.ts';

/** Just what loadSnapshot reads: list and getBytes over a map. */
function memoryLake(files: Map<string, Uint8Array>): LakeReader {
  return {
    list: async (prefix: string) => [...files.keys()].filter((key) => key.startsWith(prefix)).sort(),
    // A new array each time, as from S3: the worker path moves it to its thread.
    getBytes: async (key: string) => (files.get(key) as Uint8Array).slice(),
  } satisfies LakeReader;
}

const line = fc.record({
  customer: fc.integer({ min: 0, max: 12 }),
  order: fc.integer({ min: 0, max: 30 }),
  day: fc.integer({ min: 0, max: 900 }),
  revenue: fc.integer({ min: -20_000, max: 90_000_000 }),
  cost: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000_000 })),
  returned: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
  category: fc.constantFrom('software', 'services', '硬件', null),
  team: fc.constantFrom('T1', 'T2', null),
});

function row(g: typeof line extends fc.Arbitrary<infer T> ? T : never, i: number): Record<string, unknown> {
  return {
    order_id: `SO${String(g.order).padStart(4, '0')}`,
    customer_id: `C${g.customer}`,
    order_date: addDays('2022-01-01', g.day),
    revenue: money(g.revenue).dividedBy(100),
    cost: money(g.cost).dividedBy(100),
    returned_amount: money(g.returned).dividedBy(100),
    quantity: 1,
    product_id: null,
    product_category: g.category,
    channel: null,
    rep_id: null,
    team: g.team,
    source_line: i + 2,
  };
}

const config = parseConfig({ clv: { minRepeatCustomers: 2 } });

/**
 * loadTransactionColumns from a bundle built as the compute function's is: its decoder workers
 * start from that one plain file, as on Lambda (about 0.15 s of CPU each here), rather than from
 * source, where each registers tsx and loads its modules through it (about 0.6 s). The property
 * below starts two workers per example; the tests before it cover the workers run from source.
 */
let bundleDir: string;
let bundledLoadTransactionColumns: typeof loadTransactionColumns;
beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'cval-load-transactions-'));
  const entry = join(bundleDir, 'entry.ts');
  const source = join(import.meta.dirname, '..', '..', 'functions', 'compute', 'load-transactions.ts');
  await writeFile(entry, `export { loadTransactionColumns } from ${JSON.stringify(source)};\n`);
  const outfile = join(bundleDir, 'index.mjs');
  await build({ ...FUNCTION_LIKE_BUNDLE, entryPoints: [entry], outfile, logLevel: 'silent' });
  ({ loadTransactionColumns: bundledLoadTransactionColumns } = await import(pathToFileURL(outfile).href));
});
afterAll(async () => {
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

describe('loading transactions as columns', () => {
  it('gives exactly the results of loading them as sorted records, whatever the part order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(line, { maxLength: 60 }), { minLength: 1, maxLength: 3 }),
        async (parts) => {
          const files = new Map<string, Uint8Array>();
          parts.forEach((part, p) => {
            files.set(
              `curated/transactions/export_id=e${p}/part-00000.parquet`,
              encodeParquet(curatedColumns('transactions'), part.map(row)),
            );
          });
          const lake = memoryLake(files);
          const records = await loadSnapshot(lake, { transactionRecords: true });
          const columns = await loadSnapshot(lake);
          expect(columns.snapshot.transactionColumns.length).toBe(records.snapshot.transactions.length);
          expect(columns.exportIds).toEqual(records.exportIds);
          const tables = (result: ReturnType<typeof computeResults>) =>
            JSON.stringify([[...result.tables].map(([t, rows]) => [t.name, rows]), result.warnings]);
          expect(tables(computeResults(columns.snapshot, '2024-06-30', config))).toBe(
            tables(computeResults(records.snapshot, '2024-06-30', config)),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps amounts beyond whole-cent numbers exact through partitioning and ordering', async () => {
    // Cents beyond 2^53 cannot be held as numbers: they travel as exact amounts beside the cents.
    // The largest DECIMAL(18,2) holds, far past 2^53 cents, and two just past 2^53 cents.
    const huge = ['9999999999999999.99', '-90071992547409.93', '90071992547409.95'];
    const files = new Map<string, Uint8Array>();
    for (let p = 0; p < 2; p++) {
      const rows = Array.from({ length: 40 }, (_, i) => {
        const base = row(
          {
            customer: (i * 7 + p) % 9,
            order: i % 13,
            day: (i * 31) % 200,
            revenue: 1000 + i,
            cost: i % 3 === 0 ? 0 : 250,
            returned: 0,
            category: i % 2 ? 'software' : null,
            team: null,
          },
          i,
        );
        return i % 5 === 0
          ? { ...base, revenue: money(huge[i % 3] as string), cost: money(huge[(i + 1) % 3] as string) }
          : base;
      });
      files.set(
        `curated/transactions/export_id=e${p}/part-00000.parquet`,
        encodeParquet(curatedColumns('transactions'), rows),
      );
    }
    const lake = memoryLake(files);
    const records = await loadSnapshot(lake, { transactionRecords: true });
    const columns = await loadSnapshot(lake);
    const loaded = columns.snapshot.transactionColumns;
    expect(loaded.revenue.exact.size).toBeGreaterThan(0);
    expect(loaded.cost.exact.size).toBeGreaterThan(0);
    const tables = (result: ReturnType<typeof computeResults>) =>
      JSON.stringify([[...result.tables].map(([t, rows]) => [t.name, rows]), result.warnings]);
    expect(tables(computeResults(columns.snapshot, '2024-06-30', config))).toBe(
      tables(computeResults(records.snapshot, '2024-06-30', config)),
    );
    // The worker path (decoding there, and keying, sorting and writing half the partitions there)
    // carries the exact amounts across threads unchanged.
    const keys = [...files.keys()];
    const here = await loadTransactionColumns(lake, keys, {
      decodeOnWorkerFromBytes: Number.POSITIVE_INFINITY,
    });
    const onWorker = await loadTransactionColumns(lake, keys, { decodeOnWorkerFromBytes: 0 });
    expect(onWorker.revenue.exact.size).toBeGreaterThan(0);
    expect(onWorker).toEqual(here);
    // And laid out there too.
    const laidOutOnWorker = await loadTransactionColumns(lake, keys, {
      decodeOnWorkerFromBytes: 0,
      workerLaysOut: 'every-batch',
    });
    expect(laidOutOnWorker).toEqual(here);
    // Both read the amounts exactly (records decode DECIMAL from its unscaled integers too).
    expect(records.snapshot.transactions.some((t) => t.revenue.toFixed(2) === huge[0])).toBe(true);
  });

  it('names the part and the problem when a part cannot be read, and when it cannot be fetched', async () => {
    const good = encodeParquet(curatedColumns('transactions'), [row(fc.sample(line, 1)[0] as never, 0)]);
    const withoutDates = encodeParquet(
      curatedColumns('transactions').filter((c) => c.name !== 'order_date'),
      [row(fc.sample(line, 1)[0] as never, 0)],
    );
    const lake = memoryLake(
      new Map([
        ['a.parquet', good],
        ['b.parquet', withoutDates],
      ]),
    );
    const failing = {
      getBytes: async (key: string) => {
        if (key === 'b.parquet') throw new Error('NoSuchKey: b.parquet');
        return good.slice();
      },
    } satisfies Pick<LakeReader, 'getBytes'>;
    // On this thread and on the worker alike.
    for (const decodeOnWorkerFromBytes of [0, Number.POSITIVE_INFINITY]) {
      const options = { decodeOnWorkerFromBytes };
      await expect(loadTransactionColumns(lake, ['a.parquet', 'b.parquet'], options)).rejects.toThrow(
        'b.parquet: curated transactions without order_date',
      );
      await expect(loadTransactionColumns(failing, ['a.parquet', 'b.parquet'], options)).rejects.toThrow(
        'NoSuchKey: b.parquet',
      );
      const loaded = await loadTransactionColumns(lake, ['a.parquet', 'a.parquet', 'a.parquet'], options);
      expect(loaded.length).toBe(3);
    }
  });

  it('loads the same columns whether the parts are decoded (and laid out) on a worker or on this thread (property)', async () => {
    // From the bundle (see above): the same code, its workers started as on Lambda.
    const loadTransactionColumns = bundledLoadTransactionColumns;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(line, { maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        async (parts) => {
          let n = 0;
          const files = new Map(
            parts.map((lines, p) => [
              `p${p}.parquet`,
              encodeParquet(
                curatedColumns('transactions'),
                lines.map((g) => row(g, n++)),
              ),
            ]),
          );
          const lake = memoryLake(files);
          const keys = [...files.keys()];
          const here = await loadTransactionColumns(lake, keys, {
            decodeOnWorkerFromBytes: Number.POSITIVE_INFINITY,
          });
          const onWorker = await loadTransactionColumns(lake, keys, { decodeOnWorkerFromBytes: 0 });
          expect(onWorker).toEqual(here);
          const laidOutOnWorker = await loadTransactionColumns(lake, keys, {
            decodeOnWorkerFromBytes: 0,
            workerLaysOut: 'every-batch',
          });
          expect(laidOutOnWorker).toEqual(here);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads DECIMAL amounts as exact unscaled integers, large ones included', async () => {
    const amounts = ['0.01', '-123456.78', '9999999999999999.99', '-90071992547409.93'];
    const bytes = encodeParquet(
      [
        { name: 'revenue', type: 'money' },
        { name: 'note', type: 'string' },
      ] as unknown as Parameters<typeof encodeParquet>[0],
      amounts.map((a, i) => ({ revenue: money(a), note: i % 2 ? null : `n${i}` })),
    );
    const { rows, columns } = await readRawColumns(bytes, ['revenue', 'note']);
    expect(rows).toBe(4);
    const revenue = columns.get('revenue');
    if (revenue?.kind !== 'numbers') throw new Error('expected numbers');
    expect(revenue.scale).toBe(2);
    const unscaled = amounts.map((_, i) => String(revenue.large.get(i) ?? revenue.values[i]));
    expect(unscaled).toEqual(['1', '-12345678', '999999999999999999', '-9007199254740993']);
    expect(columns.get('note')).toEqual({ kind: 'strings', values: ['n0', null, 'n2', null] });
  });
});
