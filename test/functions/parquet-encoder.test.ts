import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { parquetMetadata, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { CuratedBatch } from '../../core/exports/curated-batch.ts';
import { KIND_COLUMNS } from '../../core/exports/kinds.ts';
import { fromUnscaled, type Money, toUnscaled } from '../../core/money.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { encodeCuratedBatch, PARQUET_DECOMPRESSORS } from '../../functions/adapters/parquet-encoder.ts';

/** Values as validate-row produces them for customers (strings, dates, money) and satisfaction (rates). */
const text = fc.oneof(
  fc.constant(null),
  fc.constantFrom('C1', 'C2', '华东', 'x'.repeat(40)),
  fc.string({ maxLength: 5 }),
);
const date = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -25567, max: 376199 }).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)),
);
const cents = fc.oneof(
  fc.constant(null),
  fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }),
  fc.bigInt({ min: -1000n, max: 1000n }),
);

/** Customers rows (the other columns null, but `region`, when given, in every row). */
function batchOf(
  rows: [string | null, string | null, bigint | null, string | null][],
  region: string | null = null,
): CuratedBatch {
  const batch = new CuratedBatch('customers');
  const names = KIND_COLUMNS.customers.map((spec) => spec.name);
  for (const [id, acquired, cost, segment] of rows) {
    batch.reserve();
    const index = batch.length;
    names.forEach((name, c) => {
      const value =
        { customer_id: id, acquired_on: acquired, acquisition_cost: cost, segment, region }[name] ?? null;
      batch.setValue(c, index, value);
    });
    batch.setValue(names.length, index, index + 2);
    batch.length += 1;
  }
  return batch;
}

/** The bytes as an ArrayBuffer of their own, as hyparquet reads a file. */
function fileOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * The file's columns as hyparquet's public reader gives them, DECIMAL columns as their unscaled
 * integers (the annotation set aside, as decodeParquet does, so no double stands in between).
 */
async function readUnscaled(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = fileOf(bytes);
  const metadata = parquetMetadata(file);
  return parquetReadObjects({
    file,
    metadata: {
      ...metadata,
      schema: metadata.schema.map((element) =>
        element.converted_type === 'DECIMAL'
          ? { ...element, converted_type: undefined, logical_type: undefined }
          : element,
      ),
    },
    compressors: PARQUET_DECOMPRESSORS,
  });
}

/** The schema fields that say how a column is stored and read. */
function pick(element: SchemaElement): Partial<SchemaElement> {
  const { name, type, converted_type, precision, scale, repetition_type } = element;
  return Object.fromEntries(
    Object.entries({ name, type, converted_type, precision, scale, repetition_type }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

/** Rows enough for several row groups: unique ids, repeated segments (a third null), amounts (some past 2^53). */
const MANY_ROWS = Array.from(
  { length: 20_000 },
  (_, i) =>
    [
      `C${i}`,
      '2025-03-01',
      BigInt(i * 101 - 7) * (i % 5 === 0 ? 10n ** 10n : 1n),
      i % 3 === 0 ? null : `S${i % 4}`,
    ] as [string, string, bigint, string | null],
);

describe('curated Parquet encoder', () => {
  it('writes what hyparquet and decodeParquet read back exactly (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, date, cents, fc.oneof(fc.constant(null), fc.constantFrom('A', 'B'))), {
          minLength: 1,
          maxLength: 300,
        }),
        async (rows) => {
          const batch = batchOf(rows);
          const expected = rows.map((_, i) => batch.row(i));
          const bytes = encodeCuratedBatch(batch.take());
          const decoded = await decodeParquet(bytes, batch.definitions);
          for (const name of ['customer_id', 'acquired_on', 'segment', 'source_line'])
            expect(decoded.map((row) => row[name])).toEqual(expected.map((row) => row[name]));
          // Amounts to the cent, as exact decimals and as the file's unscaled integers.
          expect(
            decoded.map((row) =>
              row.acquisition_cost === null ? null : toUnscaled(row.acquisition_cost as Money),
            ),
          ).toEqual(rows.map((row) => row[2]));
          const raw = await readUnscaled(bytes);
          expect(raw.map((row) => row.acquisition_cost)).toEqual(rows.map((row) => row[2]));
          expect(raw.map((row) => row.customer_id)).toEqual(rows.map((row) => row[0]));
          expect(raw.map((row) => row.segment)).toEqual(rows.map((row) => row[3]));
          expect(raw.map((row) => row.source_line)).toEqual(rows.map((_, i) => BigInt(i + 2)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps the curated schema: the column types, DECIMAL scales and dictionaries of repeated text', async () => {
    const batch = batchOf(MANY_ROWS);
    const bytes = encodeCuratedBatch(batch.take());
    const metadata = parquetMetadata(fileOf(bytes));
    expect(metadata.num_rows).toBe(20_000n);
    // As the Glue tables declare them (infra/catalog.ts): DECIMAL(18,2) money, DATE, UTF8 text.
    const stored: Record<string, Partial<SchemaElement>> = {
      string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      date: { type: 'INT32', converted_type: 'DATE' },
      money: { type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: 2 },
      rate: { type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: 6 },
      bigint: { type: 'INT64' },
    };
    expect(metadata.schema.slice(1).map((element) => pick(element))).toEqual(
      batch.definitions.map((definition) => ({
        name: definition.name,
        ...stored[definition.type],
        repetition_type: 'OPTIONAL',
      })),
    );
    // Repeated text dictionary-encoded, mostly unique text (ids) and numbers PLAIN, every page GZIP,
    // in each row group.
    expect(metadata.row_groups.length).toBeGreaterThan(1);
    for (const group of metadata.row_groups) {
      const chunks = new Map(
        group.columns.map((chunk) => [chunk.meta_data?.path_in_schema[0], chunk.meta_data]),
      );
      expect(chunks.get('segment')?.encodings).toContain('RLE_DICTIONARY');
      expect(chunks.get('segment')?.dictionary_page_offset).toBeDefined();
      for (const name of ['customer_id', 'acquired_on', 'acquisition_cost', 'source_line']) {
        expect(chunks.get(name)?.encodings).not.toContain('RLE_DICTIONARY');
        expect(chunks.get(name)?.dictionary_page_offset).toBeUndefined();
      }
      expect(new Set([...chunks.values()].map((chunk) => chunk?.codec))).toEqual(new Set(['GZIP']));
    }
  });

  it('is read by DuckDB with the Athena types, dictionary and plain pages alike', async () => {
    // Every row's region the same: a dictionary of one entry, its indexes 0 bits wide.
    const rows = MANY_ROWS;
    const bytes = encodeCuratedBatch(batchOf(rows, 'east').take());
    const dir = await mkdtemp(join(tmpdir(), 'cval-encoder-'));
    try {
      const file = join(dir, 'part.parquet');
      await writeFile(file, bytes);
      const duck = await DuckDBInstance.create(':memory:');
      const connection = await duck.connect();
      const result = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT customer_id)::INTEGER AS ids, sum(acquisition_cost)::VARCHAR AS cost,
                count(segment)::INTEGER AS segments, count(DISTINCT segment)::INTEGER AS distinct_segments,
                count(region)::INTEGER AS regions, min(region) AS region, count(referred_by)::INTEGER AS referrers,
                min(acquired_on)::VARCHAR AS first, typeof(any_value(acquisition_cost)) AS type
           FROM read_parquet('${file}')`,
      );
      const expectedCost = fromUnscaled(rows.reduce((sum, row) => sum + row[2], 0n)).toFixed(2);
      expect(result.getRowObjects()[0]).toEqual({
        n: 20_000,
        ids: 20_000,
        cost: expectedCost,
        segments: rows.filter((row) => row[3] !== null).length,
        distinct_segments: 4,
        regions: 20_000,
        region: 'east',
        referrers: 0,
        first: '2025-03-01',
        type: 'DECIMAL(18,2)',
      });
      connection.closeSync();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
