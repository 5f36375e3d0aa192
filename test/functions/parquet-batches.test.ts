import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { ByteKeys } from '../../core/text/byte-keys.ts';
import {
  type RawColumn,
  readRawColumnBatches,
  readRawColumns,
} from '../../functions/adapters/parquet-columns.ts';

/** A file of many small row groups: ids (strings, some null), amounts (INT64) and a category. */
function fileOfRowGroups(rows: number, rowGroupSize: number): Uint8Array {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: [
      {
        name: 'customer_id',
        data: Array.from({ length: rows }, (_, i) => (i % 97 === 5 ? null : `C${i % 41}`)),
      },
      { name: 'revenue', data: Array.from({ length: rows }, (_, i) => BigInt(i * 7 - 300)) },
      { name: 'category', data: Array.from({ length: rows }, (_, i) => ['a', 'b', null][i % 3]) },
    ],
    schema: [
      { name: 'root', num_children: 3 },
      { name: 'customer_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'revenue', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'category', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
    rowGroupSize,
  } as Parameters<typeof parquetWrite>[0]);
  return new Uint8Array(writer.getBuffer());
}

/** Row values of a column, whatever its kind (bytes decoded, codes as their keys' text). */
function values(column: RawColumn | undefined, keys: ByteKeys): unknown[] {
  if (!column) throw new Error('missing column');
  const decoder = new TextDecoder();
  switch (column.kind) {
    case 'numbers':
      return [...column.values];
    case 'strings':
      return column.values;
    case 'codes':
      return [...column.codes].map((c) => (c < 0 ? null : keys.text(c)));
    case 'bytes':
      return [...column.ends].map((end, r) =>
        column.nulls?.[r] === 1
          ? null
          : decoder.decode(
              column.bytes.subarray((r === 0 ? 0 : (column.ends[r - 1] as number)) + column.gap, end),
            ),
      );
  }
}

const NAMES = ['customer_id', 'revenue', 'category'];

/** The file read whole and read by batches (ids as bytes, categories keyed), row values by column. */
async function readBothWays(bytes: Uint8Array, batchRows: number) {
  const read = async (batches: boolean) => {
    const keys = new ByteKeys();
    const keyed = new Map([['category', keys]]);
    const asBytes = new Set(['customer_id']);
    const rows: Record<string, unknown[]> = { customer_id: [], revenue: [], category: [] };
    const sizes: number[] = [];
    const parts = batches
      ? readRawColumnBatches(bytes, NAMES, keyed, asBytes, batchRows)
      : [await readRawColumns(bytes, NAMES, keyed, asBytes)];
    for await (const part of parts) {
      sizes.push(part.rows);
      for (const name of NAMES) rows[name]?.push(...values(part.columns.get(name), keys));
    }
    return { rows, sizes };
  };
  return { whole: (await read(false)).rows, ...(await read(true)) };
}

describe('reading Parquet a batch of row groups at a time', () => {
  it('gives, batch after batch, exactly the rows of reading the whole file', async () => {
    const { whole, rows, sizes } = await readBothWays(fileOfRowGroups(2500, 300), 1000);
    // Whole row groups of 300, at least 1000 rows a batch: 4 + 4 + 1 groups.
    expect(sizes).toEqual([1200, 1200, 100]);
    expect(rows).toEqual(whole);
    expect(rows.customer_id?.[5]).toBeNull();
    expect(rows.revenue?.[2499]).toBe(2499 * 7 - 300);
  });

  it('reads GZIP files the same, with the next batch decompressed ahead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cval-batches-'));
    try {
      const path = join(dir, 'lines.parquet');
      const duck = await DuckDBInstance.create(':memory:', { threads: '1' });
      const connection = await duck.connect();
      await connection.run(
        `COPY (SELECT CASE WHEN i % 97 = 5 THEN NULL ELSE 'C' || (i % 41) END AS customer_id,
                      (i * 7 - 300)::BIGINT AS revenue,
                      ['a', 'b', NULL][1 + i % 3] AS category
               FROM range(30000) t(i) ORDER BY i)
         TO '${path}' (FORMAT parquet, COMPRESSION gzip, ROW_GROUP_SIZE 4096)`,
      );
      const { whole, rows, sizes } = await readBothWays(new Uint8Array(await readFile(path)), 5000);
      expect(sizes.length).toBeGreaterThan(1);
      expect(rows.revenue).toHaveLength(30000);
      expect(rows).toEqual(whole);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
