import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { Money } from '../../core/money.ts';
import { decodeCaches, decodeParquet } from '../../functions/adapters/parquet.ts';
import { readPageHeader } from '../../functions/adapters/parquet-page-header.ts';

/**
 * decodeParquet reads columns stored as their curated types through readRawColumns and the rest
 * through hyparquet's general reader. A file with a nested column is read by the general reader
 * alone, so the same rows written with and without one hold the two paths to each other, on
 * values that make readers slip: nulls in every column, text that is empty, multi-byte or long,
 * amounts past 2^53 cents and negative, dates before 1970, dictionary pages and plain ones.
 */
const columns = curatedColumns('customers');

let dir: string;
const parts: Record<'flat' | 'nested' | 'v2' | 'doubles' | 'wide' | 'repeats', Uint8Array> = {} as never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cval-decode-paths-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await db.connect();
  await connection.run(`CREATE TABLE customers AS
    SELECT
      CASE WHEN i % 97 = 0 THEN NULL WHEN i % 89 = 0 THEN '' WHEN i % 101 = 0 THEN chr(65279) || 'B' || i
           WHEN i % 7 = 0 THEN '客户-' || i ELSE 'C' || i END
        AS customer_id,
      CASE WHEN i % 11 = 0 THEN NULL ELSE DATE '1969-12-25' + CAST(i % 20000 AS INTEGER) END AS acquired_on,
      CAST(CASE WHEN i % 13 = 0 THEN NULL
           WHEN i % 5 = 0 THEN CAST(-(i * 1000003) AS DECIMAL(18,2)) * CAST('0.01' AS DECIMAL(3,2))
           WHEN i % 3 = 0 THEN CAST('9999999999999999.99' AS DECIMAL(18,2)) - i
           ELSE CAST(i AS DECIMAL(18,2)) * CAST('0.01' AS DECIMAL(3,2)) END AS DECIMAL(18,2)) AS acquisition_cost,
      CASE WHEN i % 4 = 0 THEN NULL ELSE ['web', '门店', 'partner'][1 + i % 3] END AS acquisition_channel,
      ['smb', 'enterprise', 'consumer', ''][1 + i % 4] AS segment,
      CASE WHEN i % 2 = 0 THEN repeat('長い地域名', 1 + i % 20) ELSE NULL END AS region,
      NULL::VARCHAR AS product_bundle,
      CASE WHEN i % 9 = 0 THEN 'C' || (i // 9) ELSE NULL END AS referred_by,
      CASE WHEN i % 17 = 0 THEN DATE '2024-01-01' + CAST(i % 300 AS INTEGER) ELSE NULL END AS churned_on,
      i + 1 AS source_line
    FROM range(30000) AS r(i)`);
  const write = async (name: string, select: string, options = '') => {
    const path = join(dir, `${name}.parquet`);
    await connection.run(
      `COPY (${select}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 4096, COMPRESSION gzip${options})`,
    );
    return new Uint8Array(await readFile(path));
  };
  parts.flat = await write('flat', 'SELECT * FROM customers');
  parts.nested = await write(
    'nested',
    "SELECT *, {'kind': 'nested', 'at': source_line} AS extra FROM customers",
  );
  // Version 2 pages: DuckDB writes text as DELTA_LENGTH_BYTE_ARRAY, which the raw reader hands to
  // hyparquet's page decoder.
  parts.v2 = await write('v2', 'SELECT * FROM customers', ', PARQUET_VERSION V2');
  // Amounts as doubles: not DECIMAL, so hyparquet's reader takes that column in a flat file.
  parts.doubles = await write(
    'doubles',
    'SELECT * REPLACE (CAST(acquisition_cost AS DOUBLE) AS acquisition_cost) FROM customers WHERE acquisition_cost IS NULL OR abs(acquisition_cost) < 1000000',
  );
  // DECIMAL(38,2): DuckDB (as Hive and Spark past 18 digits) stores it as FIXED_LEN_BYTE_ARRAY.
  parts.wide = await write(
    'wide',
    'SELECT * REPLACE (CAST(acquisition_cost AS DECIMAL(38,2)) * 1000 AS acquisition_cost) FROM customers',
  );
  // Unique ids but the 4,096th, which repeats one: the interning sample ends on a hit.
  parts.repeats = await write(
    'repeats',
    "SELECT 'R' || CASE WHEN i = 4095 THEN 7 ELSE i END AS customer_id FROM range(20000) AS r(i)",
  );
  connection.closeSync();
  db.closeSync();
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Rows with amounts as their exact text, so two reads compare by value. */
const plain = (rows: Record<string, unknown>[]) =>
  rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([name, value]) => [
        name,
        value !== null && typeof value === 'object' ? String(value) : value,
      ]),
    ),
  );

describe('decodeParquet', () => {
  it('reads a flat file (readRawColumns) exactly as a nested one (hyparquet alone)', async () => {
    const nestedSchema = parquetMetadata(parts.nested.slice().buffer as ArrayBuffer).schema;
    expect(nestedSchema.some((element) => element.name === 'extra' && element.num_children === 2)).toBe(true);
    const flatSchema = parquetMetadata(parts.flat.slice().buffer as ArrayBuffer).schema;
    expect(flatSchema.find((element) => element.name === 'acquisition_cost')).toMatchObject({
      type: 'INT64',
      scale: 2,
    });
    const flat = plain(await decodeParquet(parts.flat, columns, decodeCaches()));
    const nested = plain(await decodeParquet(parts.nested, columns, decodeCaches()));
    expect(flat).toHaveLength(30000);
    expect(flat).toEqual(nested);
    // And the values are the table's, not only the same wrong ones twice.
    expect(flat[3]).toEqual({
      customer_id: 'C3',
      acquired_on: '1969-12-28',
      acquisition_cost: '9999999999999996.99',
      acquisition_channel: 'web',
      segment: '',
      region: null,
      product_bundle: null,
      referred_by: null,
      churned_on: null,
      source_line: 4,
    });
    expect(flat[7]?.customer_id).toBe('客户-7');
    expect(flat[10]?.acquisition_cost).toBe('-100000.3');
    expect(flat[0]?.customer_id).toBeNull();
    expect(flat[89]?.customer_id).toBe('');
    expect(flat[38]?.region).toBe('長い地域名'.repeat(19));
    // A leading U+FEFF is part of the id on both paths (hyparquet's own decoder would drop it).
    expect(flat[101]?.customer_id).toBe('\uFEFFB101');
  });

  it('reads text from pages the raw reader hands to hyparquet as from its own', async () => {
    const v2 = parquetMetadata(parts.v2.slice().buffer as ArrayBuffer);
    const ids = v2.row_groups[0]?.columns.find((c) => c.meta_data?.path_in_schema[0] === 'customer_id');
    expect(ids?.meta_data?.encodings).toContain('DELTA_LENGTH_BYTE_ARRAY');
    const flat = plain(await decodeParquet(parts.flat, columns, decodeCaches()));
    expect(plain(await decodeParquet(parts.v2, columns, decodeCaches()))).toEqual(flat);
  });

  it('reads amounts stored as doubles by their shortest text beside the raw columns', async () => {
    const rows = plain(await decodeParquet(parts.doubles, columns, decodeCaches()));
    const byId = new Map(rows.map((row) => [row.customer_id, row]));
    expect(byId.get('C1')?.acquisition_cost).toBe('0.01');
    expect(byId.get('C10')?.acquisition_cost).toBe('-100000.3');
    expect(byId.get('C1')?.acquired_on).toBe('1969-12-26');
    expect(byId.get('C13')?.acquisition_cost).toBeNull();
  });

  it('reads DECIMALs of fixed-length bytes exactly', async () => {
    const schema = parquetMetadata(parts.wide.slice().buffer as ArrayBuffer).schema;
    expect(schema.find((element) => element.name === 'acquisition_cost')?.type).toBe('FIXED_LEN_BYTE_ARRAY');
    const wide = plain(await decodeParquet(parts.wide, columns, decodeCaches()));
    const flat = plain(await decodeParquet(parts.flat, columns, decodeCaches()));
    expect(wide[3]?.acquisition_cost).toBe('9999999999999996990');
    expect(wide.map((row) => row.acquisition_cost)).toEqual(
      flat.map((row) =>
        row.acquisition_cost === null
          ? null
          : new Money(row.acquisition_cost as string).times(1000).toFixed(),
      ),
    );
  });

  it('stops interning ids that are all new even when the sample ends on a repeat', async () => {
    const caches = decodeCaches();
    const rows = await decodeParquet(parts.repeats, columns, caches);
    expect(rows[4095]?.customer_id).toBe('R7');
    expect(rows[19999]?.customer_id).toBe('R19999');
    expect(caches.strings.size).toBeLessThanOrEqual(4096);
  });

  it('shares repeated text across parts and still reads ids that are all new', async () => {
    const caches = decodeCaches();
    const first = await decodeParquet(parts.flat, columns, caches);
    // Unique ids stop being interned after a sample of them.
    expect(caches.strings.has('C1')).toBe(true);
    expect(caches.strings.has('C29999')).toBe(false);
    const second = await decodeParquet(parts.nested, columns, caches);
    expect(first.map((row) => row.customer_id)).toEqual(second.map((row) => row.customer_id));
    // Low-cardinality text is one string for both parts.
    const segments = new Set([...first, ...second].map((row) => row.segment));
    expect(segments).toEqual(new Set(['smb', 'enterprise', 'consumer', '']));
    expect(caches.strings.get('enterprise')).toBe('enterprise');
  });

  it.each([
    ['flat', 'the raw reader'],
    ['nested', "hyparquet's"],
  ] as const)(
    'refuses definition levels in the deprecated BIT_PACKED encoding in a %s file (%s path), by name, instead of misreading them',
    async (part, _path) => {
      // The part's customer_id pages with their definition level encoding changed from RLE to
      // BIT_PACKED in each data page header (data_page_header's field 3: 0x15 then zigzag 3 -> 4).
      const bytes = parts[part].slice();
      const view = new DataView(bytes.buffer);
      const metadata = parquetMetadata(bytes.buffer);
      const chunk = metadata.row_groups[0]?.columns[0]?.meta_data;
      expect(chunk?.path_in_schema).toEqual(['customer_id']);
      const reader = { view, offset: Number(chunk?.dictionary_page_offset ?? chunk?.data_page_offset) };
      const end = reader.offset + Number(chunk?.total_compressed_size);
      let patched = 0;
      while (reader.offset < end) {
        const start = reader.offset;
        const header = readPageHeader(reader);
        if (header.type === 'DATA_PAGE') {
          const at = bytes
            .subarray(start, reader.offset)
            .findIndex(
              (byte, i, all) =>
                byte === 0x15 && all[i + 1] === 0x06 && all[i + 2] === 0x15 && all[i + 3] === 0x06,
            );
          expect(at).toBeGreaterThan(0);
          bytes[start + at + 1] = 0x08;
          expect(readPageHeader({ view, offset: start }).data_page_header?.definition_level_encoding).toBe(
            'BIT_PACKED',
          );
          patched++;
        }
        reader.offset += header.compressed_page_size;
      }
      expect(patched).toBeGreaterThan(0);
      await expect(decodeParquet(bytes, columns, decodeCaches())).rejects.toThrow(
        'parquet column customer_id: definition levels encoded BIT_PACKED are not supported',
      );
    },
  );
});
