import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { ExportLoad } from '../../core/exports/export-load.ts';
import { fromUnscaled, Money } from '../../core/money.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { curateExport } from '../../functions/ingest/curate-export.ts';
import { openExport } from '../../functions/ingest/read-export.ts';

async function curate(bytes: Uint8Array, rowsPerPart = 7, chunkSize = 11) {
  const parts: Uint8Array[] = [];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const result = await curateExport(
    Readable.from(chunks),
    'transactions',
    parseConfig({ rows_per_part: rowsPerPart }),
    async (index, part) => {
      parts[index] = part;
    },
  );
  if (!result.ok) return { result, rows: [] };
  const rows = [];
  for (const part of parts) rows.push(...(await decodeParquet(part, curatedColumns('transactions'))));
  return { result, rows };
}

/** Cells as finance types them, the broken ones included. */
const cell = fc.oneof(
  fc.constantFrom(
    '10',
    '1,234.56',
    '¥99.99',
    '(5.00)',
    'abc',
    '',
    ' 7 ',
    '2025-13-01',
    '2025-01-31',
    '2025/3/1',
    '0.001',
    '客户1',
    '"quoted"',
  ),
  fc.integer({ min: -100000, max: 100000 }).map((n) => (n / 100).toFixed(2)),
  fc.integer({ min: -1000, max: 1000 }).map((n) => (n / 10).toFixed(1)),
);
const row = fc.tuple(
  fc.constantFrom('O1', 'O2', 'O3', '订单4', ''),
  fc.constantFrom('C1', 'C2', ' C3', ''),
  cell,
  cell,
  cell,
  fc.constantFrom('P1', 'P2', ''),
);

function csv(rows: string[][]): string {
  const quote = (value: string) => (/[,"\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return `order_id,customer_id,order_date,revenue,cost,product_id\n${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\n`;
}

/** The text path as a reference: openExport's rows through ExportLoad.accept, one at a time. */
async function reference(bytes: Uint8Array) {
  const reader = await openExport(Readable.from([bytes]));
  let load: ExportLoad | undefined;
  const quarantined: string[][] = [];
  for await (const row of reader.rows) {
    if (!load) {
      const started = ExportLoad.start('transactions', row.fields);
      if (!started.ok) throw new Error(started.reason);
      load = started.load;
      continue;
    }
    const q = load.accept(row.fields, row.line);
    if (q) quarantined.push([String(q.line), q.column, q.reason, ...q.fields]);
  }
  if (!load) throw new Error('no header');
  const done = load;
  const rows = Array.from({ length: done.batch.length }, (_, i) => done.batch.row(i));
  return { totals: done.totals.toJSON(), quarantined, rows };
}

/** A curated row as text, whether it came from Parquet (Money, numbers) or from a batch (cents as bigint). */
function normalised(row: Record<string, unknown>): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(row).map(([name, value]) => [
      name,
      value === null || value === undefined
        ? null
        : typeof value === 'bigint'
          ? fromUnscaled(value).toFixed(2)
          : value instanceof Money
            ? value.toFixed(2)
            : String(value),
    ]),
  );
}

describe('curating an export', () => {
  it('curates, quarantines and totals exactly as the row-by-row text reader does (property)', async () => {
    await fc.assert(
      // Chunk sizes and part sizes vary: duplicates are checked per chunk read and before each part.
      fc.asyncProperty(
        fc.array(row, { maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 400 }),
        async (rows, rowsPerPart, chunkSize) => {
          const bytes = Buffer.from(csv(rows), 'utf8');
          const curated = await curate(bytes, rowsPerPart, chunkSize);
          const expected = await reference(bytes);
          if (!curated.result.ok) throw new Error('expected the export to load');
          expect(curated.result.totals).toEqual(expected.totals);
          const quarantine = curated.result.quarantineCsv
            ? (
                parse(curated.result.quarantineCsv.replace(/^\uFEFF/, ''), {
                  relax_column_count: true,
                }) as string[][]
              ).slice(1)
            : [];
          expect(quarantine.map((line) => line.map((cell) => cell.replace(/^'/, '')))).toEqual(
            expected.quarantined.map((line) => line.map((cell) => cell.replace(/^'/, ''))),
          );
          expect(curated.rows.map(normalised)).toEqual(expected.rows.map(normalised));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads the same text the same way in every encoding (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), async (rows) => {
        const text = csv(rows);
        const fromBytes = await curate(Buffer.from(text, 'utf8'));
        const fromText = await curate(iconv.encode(text, 'utf16le', { addBOM: true }));
        expect(fromBytes.result.ok && fromBytes.result.reading.encoding).toBe('utf8');
        expect(fromText.result.ok && fromText.result.reading.encoding).toBe('utf16le');
        if (!fromBytes.result.ok || !fromText.result.ok) throw new Error('expected both to load');
        expect(fromBytes.result.totals).toEqual(fromText.result.totals);
        expect(fromBytes.result.quarantineCsv).toEqual(fromText.result.quarantineCsv);
        expect(fromBytes.rows).toEqual(fromText.rows);
        const { totals } = fromBytes.result;
        expect(totals.rows_in).toBe(rows.length);
        expect(totals.rows_curated + totals.rows_quarantined).toBe(rows.length);
        expect(fromBytes.rows).toHaveLength(totals.rows_curated);
        expect(totals.balanced).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('fuzz: whatever the bytes, curating answers with rows or one reason', () => {
  const valid = Buffer.from(
    'order_id,customer_id,order_date,revenue\nO1,C1,2025-01-01,"1,0"\nO2,C2,2025-01-02,3\n',
    'utf8',
  );

  it('never throws or hangs on random, truncated or binary input (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.integer({ min: 0, max: valid.length }).map((n) => valid.subarray(0, n)),
          fc
            .string({ maxLength: 300, unit: fc.constantFrom('a', ',', '"', '\n', '\r', '客', '\u0000') })
            .map((s) => Buffer.concat([valid, Buffer.from(s, 'utf8')])),
        ),
        async (bytes) => {
          const { result } = await curate(new Uint8Array(bytes), 100);
          if (!result.ok) expect(result.reason).toMatch(/\S/);
          else expect(result.totals.balanced).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a row too long to be data with its line, in bounded time and memory, however it arrives', async () => {
    const huge = Buffer.concat([valid, Buffer.from(`O3,C3,2025-01-03,"${'9'.repeat(5 * 1024 * 1024)}`)]);
    for (const chunkSize of [64 * 1024, 101]) {
      const { result } = await curate(new Uint8Array(huge), 100, chunkSize);
      expect(result).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^line 4: a row is longer than/),
      });
    }
  });
});
