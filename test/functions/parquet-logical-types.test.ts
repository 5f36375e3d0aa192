import { parquetMetadata, type SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import type { money } from '../../core/money.ts';
import type { ColumnType } from '../../core/tables.ts';
import { epochDay } from '../../core/values.ts';
import { decodeParquet, encodeParquet } from '../../functions/adapters/parquet.ts';
import { readRawColumns } from '../../functions/adapters/parquet-columns.ts';
import { loadTransactionColumns } from '../../functions/compute/load-transactions.ts';
import { transactionRowsOf } from '../support/transaction-rows.ts';

/**
 * Parquet marks a DECIMAL or a DATE by its converted type, its logical type or both. Our writer and
 * DuckDB write both; a writer that writes the logical type alone must read the same: without its
 * scale a DECIMAL(18,2) reads a hundred times too large, and a DATE as a number of days.
 */
const transactions = curatedColumns('transactions');

// A null cost on the third line; a quantity of its own on each.
const rows = transactionRowsOf([
  '12.34',
  '-0.05',
  '0.00',
  '90071992547409.93',
  '-90071992547409.91',
  '255.99',
]).map((row, i) => ({ ...row, cost: i === 2 ? null : row.cost, quantity: i + 1 }));

const cents = (value: ReturnType<typeof money> | null) =>
  value === null ? null : BigInt(value.times(100).toFixed(0));

/** The rows written with DECIMAL and DATE marked by their logical type only. */
function logicalOnly(options: { revenueEncoding?: 'DELTA_BINARY_PACKED' } = {}): Uint8Array {
  const element = (name: string, type: ColumnType): SchemaElement => {
    const base = { name, repetition_type: 'OPTIONAL' as const };
    if (type === 'money')
      return {
        ...base,
        type: 'INT64',
        precision: 18,
        scale: 2,
        logical_type: { type: 'DECIMAL', precision: 18, scale: 2 },
      };
    if (type === 'date') return { ...base, type: 'INT32', logical_type: { type: 'DATE' } };
    if (type === 'bigint') return { ...base, type: 'INT64' };
    return { ...base, type: 'BYTE_ARRAY', logical_type: { type: 'STRING' } };
  };
  const schema: SchemaElement[] = [
    { name: 'root', num_children: transactions.length },
    ...transactions.map((column) => {
      const written = element(column.name, column.type);
      // The logical type alone: no converted_type anywhere.
      expect(written.converted_type).toBeUndefined();
      return written;
    }),
  ];
  const columnData = transactions.map((column) => {
    const values = rows.map((row) => row[column.name as keyof typeof row]);
    const data =
      column.type === 'money'
        ? values.map((v) => cents(v as ReturnType<typeof money> | null))
        : column.type === 'date'
          ? values.map((v) => (v === null ? null : epochDay(v as string)))
          : column.type === 'bigint'
            ? values.map((v) => (v === null ? null : BigInt(v as number)))
            : values;
    return {
      name: column.name,
      data,
      ...(column.name === 'revenue' && options.revenueEncoding ? { encoding: options.revenueEncoding } : {}),
    };
  });
  // hyparquet-writer carries its own copy of hyparquet's types; the elements are the same shape.
  type WriterSchema = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>;
  return new Uint8Array(parquetWriteBuffer({ columnData, schema: schema as unknown as WriterSchema }));
}

describe('DECIMAL and DATE marked by their logical type only', () => {
  it('read with their scale on the fast path and on the general one', async () => {
    for (const revenueEncoding of [undefined, 'DELTA_BINARY_PACKED'] as const) {
      const file = logicalOnly({ revenueEncoding });
      // DELTA_BINARY_PACKED is not among the fast path's encodings: hyparquet's reader reads it.
      const chunk = parquetMetadata(file.slice().buffer).row_groups[0]?.columns.find(
        (c) => c.meta_data?.path_in_schema[0] === 'revenue',
      );
      expect(chunk?.meta_data?.encodings.includes('DELTA_BINARY_PACKED')).toBe(revenueEncoding !== undefined);
      const read = await readRawColumns(file, ['revenue', 'cost', 'order_date']);
      const revenue = read.columns.get('revenue');
      const cost = read.columns.get('cost');
      if (revenue?.kind !== 'numbers' || cost?.kind !== 'numbers')
        throw new Error('amounts not read as numbers');
      expect([revenue.scale, cost.scale]).toEqual([2, 2]);
      expect([...revenue.values.slice(0, 3)]).toEqual([1234, -5, 0]);
      // Past 2^53 the unscaled value is kept exact beside the numbers; -(2^53 - 1) is still a number.
      expect([...revenue.large]).toEqual([[3, 9007199254740993n]]);
      expect(revenue.values[4]).toBe(-9007199254740991);
      expect([...(cost.nulls ?? [])][2]).toBe(1);
      const dates = read.columns.get('order_date');
      if (dates?.kind !== 'numbers') throw new Error('dates not read as numbers');
      expect([...dates.values]).toEqual(rows.map((row) => epochDay(row.order_date)));
    }
  });

  it("load the same transaction columns as our own writer's part", async () => {
    const lake = (file: Uint8Array) => ({ getBytes: async () => file.slice() });
    const ours = await loadTransactionColumns(lake(encodeParquet(transactions, rows)), ['part']);
    const theirs = await loadTransactionColumns(lake(logicalOnly()), ['part']);
    expect(theirs.length).toBe(rows.length);
    expect(JSON.stringify(theirs)).toBe(JSON.stringify(ours));
  });

  it('decode into the same records, amounts exact and dates as dates', async () => {
    const ours = await decodeParquet(encodeParquet(transactions, rows), transactions);
    const theirs = await decodeParquet(logicalOnly(), transactions);
    expect(theirs.map((row) => (row.revenue as ReturnType<typeof money>).toFixed(2))).toEqual(
      rows.map((row) => row.revenue.toFixed(2)),
    );
    expect(theirs.map((row) => row.order_date)).toEqual(rows.map((row) => row.order_date));
    expect(JSON.stringify(theirs)).toBe(JSON.stringify(ours));
  });
});
