/**
 * Hostile files through the whole ingest row path (curateExport): whatever the bytes, the answer is
 * loaded with every row accounted for, or rejected whole with one reason; never an exception. Fixed
 * seeds and run counts keep it deterministic and within a few seconds.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { curateExport } from '../../functions/ingest/curate-export.ts';

/**
 * Largest chunk the quarantine sink may be handed for rows of ordinary size: bounded, whatever the
 * file's size (a single row of megabytes makes a chunk that large, so the bound is checked where
 * rows are ordinary).
 */
const MAX_SINK_CHUNK = 512 * 1024;

async function ingest(bytes: Uint8Array, chunkSize: number, rowsPerPart = 5) {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const parts: Uint8Array[] = [];
  const written: Uint8Array[] = [];
  let ended = false;
  const result = await curateExport(
    Readable.from(chunks),
    'transactions',
    parseConfig({ rows_per_part: rowsPerPart }),
    async (index, part) => {
      parts[index] = part;
    },
    {
      quarantine: () => ({
        write: async (chunk) => {
          written.push(chunk);
        },
        end: async () => {
          ended = true;
        },
        abort: async () => {
          written.length = 0;
        },
      }),
    },
  );
  return { result, parts, written, ended };
}

/** The outcome is one of the two the README promises, and every row is accounted for. */
async function expectClearOutcome(bytes: Uint8Array, chunkSize: number): Promise<void> {
  const { result, parts, written, ended } = await ingest(bytes, chunkSize);
  if (!result.ok) {
    expect(result.reason).toMatch(/\S/);
    expect(result.reason).not.toMatch(/\n/);
    expect(written).toEqual([]);
    return;
  }
  const { totals } = result;
  expect(totals.balanced).toBe(true);
  expect(totals.rows_in).toBe(totals.rows_curated + totals.rows_quarantined);
  let curated = 0;
  for (const part of parts) curated += (await decodeParquet(part, curatedColumns('transactions'))).length;
  expect(curated).toBe(totals.rows_curated);
  if (totals.rows_quarantined === 0) {
    expect(written).toEqual([]);
    return;
  }
  expect(ended).toBe(true);
  const lines = parse(
    Buffer.concat(written)
      .toString('utf8')
      .replace(/^\uFEFF/, ''),
    {
      relax_column_count: true,
    },
  ) as string[][];
  expect(lines.length - 1).toBe(totals.rows_quarantined);
  for (const line of lines.slice(1)) {
    expect(Number(line[0])).toBeGreaterThan(0);
    expect(line[2]).toMatch(/\S/);
  }
}

const HEADER = ['order_id', 'customer_id', 'order_date', 'revenue', 'cost', 'product_id', 'product_category'];
const cell = fc.oneof(
  fc.constantFrom('O1', 'C1', '2025-01-01', '2025-13-01', '12.50', '-0.01', '1,234.56', '(5.00)', '', ' '),
  fc.constantFrom('软件', '服务', '"', '""', ',', '\n', '\r\n', '=1+1', '9999999999999999.99'),
  fc.constantFrom('10000000000000000', '1e5', 'NaN', '0.001', '¥12', '\u0000', '\uFFFD'),
  fc.string({ maxLength: 12 }),
);
const csvRow = fc
  .array(cell, { maxLength: 9 })
  .map((cells) =>
    cells
      .map((c) => (/[",\r\n]/.test(c) && c.length % 2 === 0 ? `"${c.replaceAll('"', '""')}"` : c))
      .join(','),
  );
const validFile = fc
  .array(csvRow, { maxLength: 30 })
  .map((rows) => Buffer.from(`${HEADER.join(',')}\n${rows.join('\n')}\n`, 'utf8'));
const chunkSize = fc.integer({ min: 1, max: 5000 });

describe('ingest fuzz: a clear outcome whatever the file', () => {
  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), chunkSize, async (bytes, size) => {
        await expectClearOutcome(bytes, size);
      }),
      { numRuns: 150, seed: 1901 },
    );
  });

  it('random bytes after a valid header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), chunkSize, async (tail, size) => {
        await expectClearOutcome(Buffer.concat([Buffer.from(`${HEADER.join(',')}\n`), tail]), size);
      }),
      { numRuns: 150, seed: 1902 },
    );
  });

  it('rows of hostile cells, whole or cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(validFile, fc.nat(), chunkSize, async (bytes, cut, size) => {
        await expectClearOutcome(bytes, size);
        await expectClearOutcome(bytes.subarray(0, cut % (bytes.length + 1)), size);
      }),
      { numRuns: 120, seed: 1903 },
    );
  });

  it('truncated or damaged gzip', async () => {
    await fc.assert(
      fc.asyncProperty(validFile, fc.nat(), fc.nat(), chunkSize, async (bytes, cut, flip, size) => {
        const gzip = gzipSync(bytes);
        await expectClearOutcome(gzip.subarray(0, cut % (gzip.length + 1)), size);
        const damaged = Buffer.from(gzip);
        const at = flip % damaged.length;
        damaged[at] = (damaged[at] as number) ^ 0x5a;
        await expectClearOutcome(damaged, size);
      }),
      { numRuns: 80, seed: 1904 },
    );
  });

  it('rows in mixed encodings and stray bytes', async () => {
    const encoded = fc.tuple(csvRow, fc.constantFrom('utf8', 'gbk', 'utf16le', 'bad')).map(([row, how]) => {
      if (how === 'utf8') return Buffer.from(`${row}\n`, 'utf8');
      if (how === 'bad')
        return Buffer.concat([Buffer.from(row), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('\n')]);
      return iconv.encode(`${row}\n`, how);
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('utf8', 'gbk', 'utf16'),
        fc.array(encoded, { maxLength: 25 }),
        chunkSize,
        async (headerEncoding, rows, size) => {
          const header = `${HEADER.join(',')}\n`;
          const head =
            headerEncoding === 'utf16'
              ? iconv.encode(header, 'utf16le', { addBOM: true })
              : iconv.encode(header, headerEncoding);
          await expectClearOutcome(Buffer.concat([head, ...rows]), size);
        },
      ),
      { numRuns: 120, seed: 1905 },
    );
  });

  it('giant fields, many columns and duplicate headers', async () => {
    const header = fc.oneof(
      fc.constant(HEADER),
      fc.array(fc.constantFrom(...HEADER, 'revenue', 'order_id', '订单号', '金额', 'x', ''), {
        minLength: 1,
        maxLength: 12,
      }),
      fc
        .integer({ min: 1, max: 3000 })
        .map((n) => [...HEADER, ...Array.from({ length: n }, (_, i) => `extra${i}`)]),
    );
    const giant = fc
      .tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('9', '软', '"', ',', 'a\n'))
      .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.array(
          fc.oneof(
            csvRow,
            giant.map((g) => `O9,C9,2025-01-01,"${g.replaceAll('"', '""')}",1`),
          ),
          {
            maxLength: 6,
          },
        ),
        fc.array(fc.nat(2000), { maxLength: 4 }),
        fc.integer({ min: 1000, max: 70_000 }),
        async (names, rows, widths, size) => {
          const wide = widths.map((w) => Array.from({ length: w }, (_, i) => String(i)).join(','));
          const text = `${names.join(',')}\n${[...rows, ...wide].join('\n')}\n`;
          await expectClearOutcome(Buffer.from(text, 'utf8'), size);
        },
      ),
      { numRuns: 30, seed: 1906 },
    );
  });

  it('an all-duplicates file keeps its quarantine chunks bounded', async () => {
    const bytes = Buffer.from(
      `${HEADER.join(',')}\n${'SO1,C1,2025-03-01,1.00,0,P1,软件\n'.repeat(30_000)}`,
      'utf8',
    );
    const { result, written } = await ingest(bytes, 64 * 1024, 1000);
    expect(result).toMatchObject({ ok: true, totals: { rows_quarantined: 29_999, balanced: true } });
    expect(written.length).toBeGreaterThan(10);
    for (const chunk of written) expect(chunk.length).toBeLessThan(MAX_SINK_CHUNK);
  });
});
