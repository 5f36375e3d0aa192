import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import { readRawColumns } from '../../functions/adapters/parquet-columns.ts';
import { loadTransactionColumns } from '../../functions/compute/load-transactions.ts';
import { transactionRowsOf } from '../support/transaction-rows.ts';

/**
 * Parquet DECIMALs stored as bytes (FIXED_LEN_BYTE_ARRAY: Hive's and Spark's writers, which
 * Athena's UNLOAD may use, and any writer past precision 18) read as the INT64 ones our own writer
 * and DuckDB's make: the scale-out buckets read Athena's files with the same loader.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cval-decimal-bytes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const amounts = [
  '12.34',
  '-0.05',
  '0.00',
  '-1.00',
  '90071992547409.91',
  '90071992547409.93',
  '-128.00',
  '255.99',
];

/** The curated transactions as our writer makes them, and as DuckDB writes them with DECIMAL(38,2). */
async function bothWays(): Promise<{ int64: Uint8Array; bytes: Uint8Array }> {
  const rows = transactionRowsOf(amounts);
  const int64 = encodeParquet(curatedColumns('transactions'), rows);
  const source = join(dir, 'int64.parquet');
  const target = join(dir, 'bytes.parquet');
  await writeFile(source, int64);
  await duckdb(
    `COPY (SELECT * REPLACE (CAST(revenue AS DECIMAL(38, 2)) AS revenue, CAST(cost AS DECIMAL(38, 2)) AS cost,
       CAST(returned_amount AS DECIMAL(38, 2)) AS returned_amount) FROM read_parquet('${source}'))
     TO '${target}' (FORMAT PARQUET)`,
  );
  return { int64, bytes: new Uint8Array(await readFile(target)) };
}

/** DuckDB writes DECIMAL(38, 2) as 16-byte FIXED_LEN_BYTE_ARRAY. */
async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Reads column v of the file: 12.34, -0.05, NULL, 123456789012345678901234.56, -90071992547409.93. */
async function readsTheDecimals(file: Uint8Array): Promise<void> {
  const read = await readRawColumns(file, ['v']);
  const column = read.columns.get('v');
  if (column?.kind !== 'numbers') throw new Error(`v read as ${column?.kind}`);
  expect(column.scale).toBe(2);
  expect([...column.values].slice(0, 2)).toEqual([1234, -5]);
  expect([...(column.nulls ?? [])]).toEqual([0, 0, 1, 0, 0]);
  expect([...column.large]).toEqual([
    [3, 12345678901234567890123456n],
    [4, -9007199254740993n],
  ]);
}

describe('DECIMAL columns stored as bytes', () => {
  it('read as their exact unscaled values, nulls and values past 2^53 included', async () => {
    const target = join(dir, 'values.parquet');
    await duckdb(
      `COPY (SELECT CAST(v AS DECIMAL(38, 2)) AS v FROM (VALUES ('12.34'), ('-0.05'), (NULL),
         ('123456789012345678901234.56'), ('-90071992547409.93')) t(v)) TO '${target}' (FORMAT PARQUET)`,
    );
    await readsTheDecimals(new Uint8Array(await readFile(target)));
  });

  it('load the same transaction columns as the INT64 ones', async () => {
    const { int64, bytes } = await bothWays();
    const lake = (file: Uint8Array) => ({ getBytes: async () => file.slice() });
    const fromInt64 = await loadTransactionColumns(lake(int64), ['part']);
    const fromBytes = await loadTransactionColumns(lake(bytes), ['part']);
    expect(fromBytes.length).toBe(amounts.length);
    expect(JSON.stringify(fromBytes)).toBe(JSON.stringify(fromInt64));
  });
});

describe('a DECIMAL stored as BYTE_ARRAY (as Hive writes it)', () => {
  const unscaled = [1234n, -5n, null, 12345678901234567890123456n, -9007199254740993n];
  /** Big-endian two's complement in as few bytes as hold the value. */
  const bytesOf = (value: bigint): Uint8Array => {
    let length = 1;
    while (value >= 1n << BigInt(length * 8 - 1) || value < -(1n << BigInt(length * 8 - 1))) length++;
    const out = new Uint8Array(length);
    let rest = BigInt.asUintN(length * 8, value);
    for (let i = length - 1; i >= 0; i--) {
      out[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    return out;
  };
  type WriterSchema = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>;
  const written = (marked: 'logical' | 'converted') =>
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          {
            name: 'v',
            // Our bytes for the logical type alone; the writer makes them from bigints otherwise.
            data: unscaled.map((v) => (v === null ? null : marked === 'logical' ? bytesOf(v) : v)),
          },
        ],
        schema: [
          { name: 'root', num_children: 1 },
          {
            name: 'v',
            type: 'BYTE_ARRAY',
            repetition_type: 'OPTIONAL',
            ...(marked === 'converted' ? { converted_type: 'DECIMAL', scale: 2, precision: 30 } : {}),
            logical_type: { type: 'DECIMAL', precision: 30, scale: 2 },
          },
        ] as unknown as WriterSchema,
      }),
    );

  for (const marked of ['logical', 'converted'] as const) {
    it(`reads its exact unscaled values, marked by the ${marked} type`, async () => {
      await readsTheDecimals(written(marked));
    });
  }
});
