import type { SchemaElement } from 'hyparquet';
import { parquetReadObjects } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { Money, toUnscaled } from '../../core/money.ts';
import type { ColumnDefinition, ColumnType } from '../../core/tables.ts';
import { epochDay, fromEpochDay } from '../../core/values.ts';

/**
 * Parquet encoding of our table definitions. Money is DECIMAL(18,2) and rates DECIMAL(18,6), both
 * on INT64 written from exact bigints; dates are DATE; instants TIMESTAMP(millis); snappy.
 */
const SCALE: Partial<Record<ColumnType, number>> = { money: 2, rate: 6 };

function schemaElement(column: ColumnDefinition): SchemaElement {
  const base = { name: column.name, repetition_type: 'OPTIONAL' as const };
  switch (column.type) {
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    case 'money':
    case 'rate':
      return { ...base, type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: SCALE[column.type] };
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'bigint':
      return { ...base, type: 'INT64' };
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE' };
    case 'timestamp':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
  }
}

function encodeValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'money':
    case 'rate':
      // A bigint is already unscaled (curated amounts are integer cents).
      return typeof value === 'bigint' ? value : toUnscaled(value as Money, SCALE[type]);
    case 'bigint':
      return BigInt(value as number | bigint);
    case 'date':
      return epochDay(value as string);
    case 'timestamp':
      return value instanceof Date ? value : new Date(value as string);
    case 'double': {
      const number = Number(value);
      return Number.isFinite(number) ? number : null;
    }
    default:
      return value;
  }
}

/**
 * Rows collected column by column, already converted to their Parquet representation, so a batch
 * of 100,000 rows costs a few arrays rather than 100,000 objects.
 */
export class ParquetBatch {
  private data: unknown[][];

  constructor(private readonly columns: readonly ColumnDefinition[]) {
    this.data = columns.map(() => []);
  }

  get length(): number {
    return this.data[0]?.length ?? 0;
  }

  push(row: Readonly<Record<string, unknown>>): void {
    this.columns.forEach((column, i) => {
      (this.data[i] as unknown[]).push(encodeValue(column.type, row[column.name]));
    });
  }

  /** Encodes the rows collected so far and starts a new batch. */
  take(): Uint8Array {
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      columnData: this.columns.map((column, i) => ({ name: column.name, data: this.data[i] as unknown[] })),
      schema: [{ name: 'root', num_children: this.columns.length }, ...this.columns.map(schemaElement)],
      codec: 'SNAPPY',
      rowGroupSize: 100_000,
      createdBy: 'customer-value',
    } as Parameters<typeof parquetWrite>[0]);
    this.data = this.columns.map(() => []);
    return new Uint8Array(writer.getBuffer());
  }
}

export function encodeParquet(
  columns: readonly ColumnDefinition[],
  rows: readonly Record<string, unknown>[],
): Uint8Array {
  const batch = new ParquetBatch(columns);
  for (const row of rows) batch.push(row);
  return batch.take();
}

function decodeValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'money':
    case 'rate':
      // hyparquet hands DECIMAL back as a double; for |amount| < 1e13 its shortest text is exact.
      return new Money(String(value));
    case 'bigint':
      return Number(value);
    default:
      return value;
  }
}

export async function decodeParquet(
  bytes: Uint8Array,
  columns: readonly ColumnDefinition[],
): Promise<Record<string, unknown>[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = await parquetReadObjects({
    file: buffer,
    parsers: { dateFromDays: (days: number) => fromEpochDay(days) },
  });
  return rows.map((row) => {
    const decoded: Record<string, unknown> = {};
    for (const column of columns) decoded[column.name] = decodeValue(column.type, row[column.name]);
    return decoded;
  });
}
