import type { FileMetaData, SchemaElement } from 'hyparquet';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { STORED_SCALE } from '../../core/exports/curated-batch.ts';
import { fromUnscaled, Money, toUnscaled } from '../../core/money.ts';
import type { ColumnDefinition, ColumnType } from '../../core/tables.ts';
import { epochDay, fromEpochDay } from '../../core/values.ts';
import { type RawColumn, readRawColumns, refuseBitPackedLevels } from './parquet-columns.ts';
import { decimalScaleOf, isDateElement, storedIntegersOf } from './parquet-conversions.ts';
import {
  schemaElement as curatedSchemaElement,
  PARQUET_DECOMPRESSORS,
  PARQUET_PARSERS,
} from './parquet-encoder.ts';

/**
 * Parquet encoding of our table definitions. Money is DECIMAL(18,2) and rates DECIMAL(18,6), both
 * on INT64 written from exact bigints; dates are DATE; instants TIMESTAMP(millis); snappy.
 */
function schemaElement(column: ColumnDefinition): SchemaElement {
  const base = { name: column.name, repetition_type: 'OPTIONAL' as const };
  switch (column.type) {
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'timestamp':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
    default:
      // Stored as the curated parts store them.
      return curatedSchemaElement(column) as SchemaElement;
  }
}

/** DECIMAL(18, s) holds at most 18 digits: the unscaled value must stay below 10^18. */
const DECIMAL_18_LIMIT = 10n ** 18n;

/** A value that cannot be written as its column's type; the run stops before publishing. */
export class UnwritableValueError extends Error {}

function encodeValue(type: ColumnType, value: unknown, column = ''): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'money':
    case 'rate': {
      // A bigint is already unscaled (curated amounts are integer cents).
      const unscaled = typeof value === 'bigint' ? value : toUnscaled(value as Money, STORED_SCALE[type]);
      if (unscaled >= DECIMAL_18_LIMIT || unscaled <= -DECIMAL_18_LIMIT) {
        const text =
          typeof value === 'bigint' ? fromUnscaled(value, STORED_SCALE[type] ?? 2).toFixed() : String(value);
        throw new UnwritableValueError(
          `${column}: ${text} does not fit DECIMAL(18,${STORED_SCALE[type]}) (at most ${18 - (STORED_SCALE[type] ?? 2)} digits before the point)`,
        );
      }
      return unscaled;
    }
    case 'bigint':
      return BigInt(value as number | bigint);
    case 'date':
      return epochDay(value as string);
    case 'timestamp': {
      const instant = value instanceof Date ? value : new Date(value as string);
      if (Number.isNaN(instant.getTime()))
        throw new UnwritableValueError(`${column}: "${String(value)}" is not an instant`);
      return instant;
    }
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
      (this.data[i] as unknown[]).push(encodeValue(column.type, row[column.name], column.name));
    });
  }

  /** Encodes the rows collected so far and starts a new batch. */
  take(): Uint8Array {
    const bytes = parquetWriteBuffer({
      columnData: this.columns.map((column, i) => ({ name: column.name, data: this.data[i] as unknown[] })),
      schema: [{ name: 'root', num_children: this.columns.length }, ...this.columns.map(schemaElement)],
      codec: 'SNAPPY',
      rowGroupSize: 100_000,
      createdBy: 'customer-value',
    } as Parameters<typeof parquetWriteBuffer>[0]);
    this.data = this.columns.map(() => []);
    return new Uint8Array(bytes);
  }
}

export function encodeParquet(
  columns: readonly ColumnDefinition[],
  rows: Iterable<Readonly<Record<string, unknown>>>,
): Uint8Array {
  const batch = new ParquetBatch(columns);
  for (const row of rows) batch.push(row);
  return batch.take();
}

/**
 * Caches that let many decoded rows share one object per distinct value: amounts (a Decimal per
 * distinct amount, immutable so safe to share), dates and short strings. Pass the same caches to
 * every part of a load; 20 million transactions otherwise cost a Decimal and a string per cell.
 */
export interface DecodeCaches {
  money: Map<number, Money>;
  rates: Map<number, Money>;
  dates: Map<number, string>;
  strings: Map<string, string>;
}

export function decodeCaches(): DecodeCaches {
  return { money: new Map(), rates: new Map(), dates: new Map(), strings: new Map() };
}

/** Beyond this many entries a cache stops growing (values still decode, just unshared). */
const CACHE_LIMIT = 1 << 20;

/**
 * An unscaled DECIMAL integer (INT32 as number, INT64 as bigint) as an exact amount, shared per
 * value through `cache` (which holds one scale's values) while a number holds the integer exactly.
 */
function cachedMoney(cache: Map<number, Money> | null, raw: number | bigint, scale: number): Money {
  const key = typeof raw === 'bigint' ? Number(raw) : raw;
  const shared = cache !== null && (typeof raw !== 'bigint' || BigInt(key) === raw);
  let value = shared ? cache.get(key) : undefined;
  if (value === undefined) {
    value = fromUnscaled(typeof raw === 'bigint' ? raw : BigInt(raw), scale);
    if (shared && cache.size < CACHE_LIMIT) cache.set(key, value);
  }
  return value;
}

/** An amount a writer stored as a floating-point number (not our curated DECIMAL): its shortest text. */
const moneyFromDouble = (value: number): Money => new Money(String(value));

function cachedDate(cache: Map<number, string>, days: number): string {
  let value = cache.get(days);
  if (value === undefined) {
    value = fromEpochDay(days);
    if (cache.size < CACHE_LIMIT) cache.set(days, value);
  }
  return value;
}

/** Strings this long or shorter are interned (ids of customers, categories, teams, ...). */
const INTERNED_LENGTH = 64;
const STRING_CACHE_LIMIT = 1 << 22;
/** Interning stops for a part's column when fewer than 1 in 16 of its first 4,096 lookups hit. */
const INTERN_SAMPLE = 4096;
const INTERN_MIN_HIT_RATIO = 16;
/** Mostly unique per row: only a value equal to the row before's is shared (lines of one order). */
const UNIQUE_COLUMNS = new Set(['order_id']);

/**
 * Decodes curated Parquet into plain rows keyed by `columns` (in that order; columns missing from
 * the file are null). Reads column by column and builds each row once, sharing repeated values
 * through `caches`. Columns stored as the curated types are (UTF-8 text, DECIMAL and plain
 * integers, DATE) are read by readRawColumns, as the transactions are: hyparquet's general reader
 * assembles each optional value through its nested-list machinery, half the time of a customers
 * export (measured at 1M customers: 5.0 s for the part, 2.5 s of it in that assembly). The rest
 * (doubles, timestamps, booleans, other annotations) are read by hyparquet's reader. Text keeps a
 * leading U+FEFF on both paths (PARQUET_PARSERS), as the transactions' reader does, so a customer
 * id reads the same in every kind whichever pages its file has.
 */
export async function decodeParquet(
  bytes: Uint8Array,
  columns: readonly ColumnDefinition[],
  caches: DecodeCaches = decodeCaches(),
): Promise<Record<string, unknown>[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(buffer);
  const rowCount = Number(metadata.num_rows);
  const elements = new Map(metadata.schema.slice(1).map((element) => [element.name, element]));
  const flat = metadata.schema[0]?.num_children === metadata.schema.length - 1;
  const present = columns.filter((column) => elements.has(column.name));
  const raw = flat ? present.filter((column) => readsRaw(column, elements.get(column.name))) : [];
  const general = present.filter((column) => !raw.includes(column));
  const values = new Map<string, (row: number) => unknown>();
  if (raw.length > 0) {
    const read = await readRawColumns(
      new Uint8Array(buffer),
      raw.map((column) => column.name),
    );
    for (const column of raw) {
      const columnRead = read.columns.get(column.name);
      if (columnRead) values.set(column.name, rawValue(columnRead, column, caches));
    }
  }
  for (const [name, value] of await readGeneral(buffer, metadata, general, caches, rowCount))
    values.set(name, value);
  const readers = columns.map((column) => values.get(column.name));
  const rows = new Array<Record<string, unknown>>(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const decoded: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) {
      const read = readers[c];
      decoded[(columns[c] as ColumnDefinition).name] = read ? read(row) : null;
    }
    rows[row] = decoded;
  }
  return rows;
}

/** Whether a column is stored as its curated type, for readRawColumns (see decodeParquet). */
function readsRaw(column: ColumnDefinition, element: SchemaElement | undefined): boolean {
  if (!element || element.repetition_type === 'REPEATED') return false;
  const integer = element.type === 'INT32' || element.type === 'INT64';
  const logical = element.logical_type;
  switch (column.type) {
    case 'string':
      return (
        element.type === 'BYTE_ARRAY' && (element.converted_type === 'UTF8' || logical?.type === 'STRING')
      );
    case 'money':
    case 'rate':
      // Of bytes: Hive's, Spark's and DuckDB's writers past 18 digits (FIXED_LEN_BYTE_ARRAY).
      return (
        decimalScaleOf(element) !== undefined &&
        (integer || element.type === 'BYTE_ARRAY' || element.type === 'FIXED_LEN_BYTE_ARRAY')
      );
    case 'bigint':
      return (
        integer &&
        (element.converted_type === undefined ||
          element.converted_type === 'INT_32' ||
          element.converted_type === 'INT_64') &&
        (logical === undefined || (logical.type === 'INTEGER' && logical.isSigned))
      );
    case 'date':
      return element.type === 'INT32' && isDateElement(element);
    default:
      return false;
  }
}

/** A raw column's decoded value by row (null for a null), as the column's type reads it. */
function rawValue(read: RawColumn, column: ColumnDefinition, caches: DecodeCaches): (row: number) => unknown {
  if (read.kind === 'strings') return decodedAt(read.values, columnDecoder(column, caches, undefined));
  if (read.kind !== 'numbers')
    throw new Error(`parquet column ${column.name}: unexpected ${read.kind} column`);
  const { values, nulls, large } = read;
  const number = (row: number): number | bigint => {
    const value = values[row] as number;
    return Number.isNaN(value) ? (large.get(row) as bigint) : value;
  };
  switch (column.type) {
    case 'money':
    case 'rate': {
      const cache = column.type === 'money' ? caches.money : caches.rates;
      const shared = read.scale === STORED_SCALE[column.type] ? cache : null;
      return (row) => (nulls?.[row] ? null : cachedMoney(shared, number(row), read.scale));
    }
    case 'date':
      return (row) => (nulls?.[row] ? null : cachedDate(caches.dates, values[row] as number));
    default:
      return (row) => (nulls?.[row] ? null : Number(number(row)));
  }
}

/** Columns by hyparquet's general reader, DECIMAL read as its unscaled integers. */
async function readGeneral(
  buffer: ArrayBuffer,
  metadata: FileMetaData,
  columns: readonly ColumnDefinition[],
  caches: DecodeCaches,
  rowCount: number,
): Promise<Map<string, (row: number) => unknown>> {
  const result = new Map<string, (row: number) => unknown>();
  if (columns.length === 0) return result;
  // hyparquet would hand back a DECIMAL as doubles, which are not exact beyond about 1e13 (and
  // money must be exact whatever its size).
  const scales = new Map<string, number>();
  const raw: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((element) => {
      const scale = decimalScaleOf(element);
      if (scale !== undefined) {
        scales.set(element.name, scale);
        return storedIntegersOf(element);
      }
      // hyparquet converts a DATE by its converted type only: one marked by its logical type alone
      // would come back as a number of days.
      if (isDateElement(element)) return { ...element, converted_type: 'DATE' };
      return element;
    }),
  };
  const names = columns.map((column) => column.name);
  for (const name of names) refuseBitPackedLevels(buffer, metadata, name);
  const data = new Map<string, unknown[]>(names.map((name) => [name, new Array<unknown>(rowCount)]));
  const dates = caches.dates;
  await parquetRead({
    file: buffer,
    metadata: raw,
    columns: names,
    compressors: PARQUET_DECOMPRESSORS,
    parsers: { ...PARQUET_PARSERS, dateFromDays: (days: number) => cachedDate(dates, days) },
    onChunk: (chunk) => {
      const target = data.get(chunk.columnName);
      if (!target) return;
      const values = chunk.columnData;
      const end = Math.min(chunk.rowEnd, rowCount);
      for (let row = chunk.rowStart, i = 0; row < end; row++, i++) target[row] = values[i];
    },
  });
  for (const column of columns) {
    const decode = columnDecoder(column, caches, scales.get(column.name));
    result.set(column.name, decodedAt(data.get(column.name) as unknown[], decode));
  }
  return result;
}

/** Row r's value decoded, null for a null. */
function decodedAt(values: ArrayLike<unknown>, decode: (raw: unknown) => unknown): (row: number) => unknown {
  return (row) => {
    const value = values[row];
    return value === null || value === undefined ? null : decode(value);
  };
}

/** `scale`: the column's DECIMAL scale in the file, undefined when the file does not store a DECIMAL. */
function columnDecoder(
  column: ColumnDefinition,
  caches: DecodeCaches,
  scale: number | undefined,
): (raw: unknown) => unknown {
  switch (column.type) {
    case 'money':
    case 'rate': {
      if (scale === undefined) return (raw) => moneyFromDouble(Number(raw));
      // The caches hold the curated scale's values (DECIMAL(18,2) money, DECIMAL(18,6) rates).
      const cache = column.type === 'money' ? caches.money : caches.rates;
      const shared = scale === STORED_SCALE[column.type] ? cache : null;
      return (raw) => cachedMoney(shared, raw as number | bigint, scale);
    }
    case 'bigint':
      return (raw) => Number(raw);
    case 'string': {
      if (UNIQUE_COLUMNS.has(column.name)) {
        let previous: unknown = null;
        return (raw) => {
          if (raw !== previous) previous = raw;
          return previous;
        };
      }
      const strings = caches.strings;
      // A column whose values are mostly new (customers' own ids) is not interned past a sample:
      // sharing saves nothing there, and hashing a million new strings into the cache cost a
      // second of a 1M-customer load.
      let interning = true;
      let lookups = 0;
      let hits = 0;
      return (raw) => {
        if (!interning || typeof raw !== 'string' || raw.length > INTERNED_LENGTH) return raw;
        lookups++;
        const value = strings.get(raw);
        if (value !== undefined) hits++;
        else if (strings.size < STRING_CACHE_LIMIT) strings.set(raw, raw);
        if (lookups === INTERN_SAMPLE) interning = hits * INTERN_MIN_HIT_RATIO >= lookups;
        return value ?? raw;
      };
    }
    default:
      return (raw) => raw;
  }
}
