import { fromUnscaled, type Money, toUnscaled } from '../money.ts';
import type { ColumnDefinition, ColumnType } from '../tables.ts';
import { UTF8_VALUES } from '../text/utf8.ts';
import { epochDay, fromEpochDay } from '../values.ts';
import { curatedColumns } from './curated-schema.ts';
import type { ExportKind } from './kinds.ts';
import type { CuratedRow, CuratedValue } from './validate-row.ts';

/**
 * Curated rows held column by column in typed arrays, in the form Parquet stores them: text as
 * UTF-8 bytes, dates as epoch days, money as integer cents, rates (scores, shares) as millionths,
 * integers. A batch of 100,000 rows is a few dozen arrays instead of 100,000 row objects and
 * 400,000 strings.
 */
export type BatchColumn = TextColumn | NumberColumn;

export interface TextColumn {
  definition: ColumnDefinition;
  /** UTF-8 bytes of the rows' values, one after another. */
  bytes: Uint8Array;
  /** Where row i's value ends in `bytes`; it starts where row i - 1's ends (row 0's at 0). */
  ends: Int32Array;
  /** 1 where the row is null. */
  nulls: Uint8Array;
}

export interface NumberColumn {
  definition: ColumnDefinition;
  /** Exact integers (or doubles for `double` columns); 0 where `nulls` or `large` has the row. */
  values: Float64Array;
  /** 1 where the row is null. */
  nulls: Uint8Array;
  /** Integers beyond 2^53 by row, which a double cannot hold exactly. */
  large: Map<number, bigint>;
}

export interface TakenBatch {
  rows: number;
  columns: BatchColumn[];
}

/** Digits after the point of each stored decimal type. */
export const STORED_SCALE: Partial<Record<ColumnType, number>> = { money: 2, rate: 6 };

export function isTextColumn(column: BatchColumn): column is TextColumn {
  return column.definition.type === 'string';
}

/** Where row `index`'s text starts. */
export function textStart(column: TextColumn, index: number): number {
  return index === 0 ? 0 : (column.ends[index - 1] as number);
}

const utf8 = new TextEncoder();

/** Row `index`'s text as a string (for messages and tests; the hot path stays on bytes). */
export function textAt(column: TextColumn, index: number): string | null {
  if (column.nulls[index] === 1) return null;
  return UTF8_VALUES.decode(column.bytes.subarray(textStart(column, index), column.ends[index]));
}

const INITIAL_CAPACITY = 1024;
const BYTES_PER_TEXT = 16;

export class CuratedBatch {
  readonly definitions: ColumnDefinition[];
  columns: BatchColumn[] = [];
  length = 0;
  private capacity = 0;
  /** The arrays of the batch taken last, and the arrays handed back by `recycle` for the next rows. */
  private taken: { columns: BatchColumn[]; capacity: number } | null = null;
  private spare: { columns: BatchColumn[]; capacity: number } | null = null;

  constructor(kind: ExportKind) {
    this.definitions = curatedColumns(kind);
    this.reset();
  }

  private reset(): void {
    this.length = 0;
    // The arrays are made on first use, so a batch taken for the last time leaves nothing behind.
    this.capacity = 0;
    this.columns = [];
  }

  private allocate(): void {
    if (this.spare) {
      this.columns = this.spare.columns;
      this.capacity = this.spare.capacity;
      this.spare = null;
      for (const column of this.columns) if (!isTextColumn(column)) column.large.clear();
      return;
    }
    const capacity = INITIAL_CAPACITY;
    this.capacity = capacity;
    this.columns = this.definitions.map((definition) =>
      definition.type === 'string'
        ? {
            definition,
            bytes: new Uint8Array(capacity * BYTES_PER_TEXT),
            ends: new Int32Array(capacity),
            nulls: new Uint8Array(capacity),
          }
        : {
            definition,
            values: new Float64Array(capacity),
            nulls: new Uint8Array(capacity),
            large: new Map(),
          },
    );
  }

  /** The bytes of text the committed rows hold (each text column's end): a part's size. */
  textBytes(): number {
    if (this.length === 0) return 0;
    let bytes = 0;
    for (const column of this.columns)
      if (isTextColumn(column)) bytes += column.ends[this.length - 1] as number;
    return bytes;
  }

  /** Makes room for the row at index `length`, which the caller fills and then commits. */
  reserve(): void {
    if (this.length < this.capacity) return;
    if (this.capacity === 0) {
      this.allocate();
      return;
    }
    this.capacity *= 2;
    for (const column of this.columns) {
      if (isTextColumn(column)) {
        column.ends = grown(column.ends, new Int32Array(this.capacity));
        column.nulls = grown(column.nulls, new Uint8Array(this.capacity));
      } else {
        column.values = grown(column.values, new Float64Array(this.capacity));
        column.nulls = grown(column.nulls, new Uint8Array(this.capacity));
      }
    }
  }

  /** Copies `bytes[start, end)` as row `index`'s text (rows are written in order). */
  setTextBytes(columnIndex: number, index: number, bytes: Uint8Array, start: number, end: number): void {
    const column = this.columns[columnIndex] as TextColumn;
    const at = textStart(column, index);
    const length = end - start;
    if (at + length > column.bytes.length) column.bytes = grownBytes(column.bytes, at + length);
    const target = column.bytes;
    if (length < 32) for (let i = 0; i < length; i++) target[at + i] = bytes[start + i] as number;
    else target.set(bytes.subarray(start, end), at);
    column.ends[index] = at + length;
    column.nulls[index] = 0;
  }

  /** Row `index`'s text from a string, or null. */
  setText(columnIndex: number, index: number, text: string | null): void {
    const column = this.columns[columnIndex] as TextColumn;
    const at = textStart(column, index);
    if (text === null) {
      column.ends[index] = at;
      column.nulls[index] = 1;
      return;
    }
    if (at + text.length * 3 > column.bytes.length)
      column.bytes = grownBytes(column.bytes, at + text.length * 3);
    const target = column.bytes;
    let end = at;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        end = at + utf8.encodeInto(text, target.subarray(at)).written;
        break;
      }
      target[end++] = code;
    }
    column.ends[index] = end;
    column.nulls[index] = 0;
  }

  /** Writes a value as validate-row returns it into the row at `index` (after `reserve`). */
  setValue(columnIndex: number, index: number, value: CuratedValue): void {
    const column = this.columns[columnIndex] as BatchColumn;
    if (isTextColumn(column)) {
      this.setText(columnIndex, index, value === null ? null : String(value));
      return;
    }
    column.large.delete(index);
    column.nulls[index] = value === null ? 1 : 0;
    column.values[index] = value === null ? 0 : numberOf(column, index, value);
  }

  /** The exact integer at a row of a number column (cents for money), or null. */
  integerAt(columnIndex: number, index: number): bigint | number | null {
    const column = this.columns[columnIndex] as NumberColumn;
    if (column.nulls[index] === 1) return null;
    return (column.large.size > 0 ? column.large.get(index) : undefined) ?? (column.values[index] as number);
  }

  /**
   * Takes rows out of the batch (`removed`: ascending indexes), moving the later rows up. Rare (a
   * duplicate found after its row was written), so it favours plainness over speed.
   */
  removeRows(removed: readonly number[]): void {
    if (removed.length === 0) return;
    const first = removed[0] as number;
    const gone = new Set(removed);
    for (const column of this.columns) {
      let to = first;
      if (isTextColumn(column)) {
        let end = textStart(column, first);
        for (let from = first; from < this.length; from++) {
          if (gone.has(from)) continue;
          const start = textStart(column, from);
          const stop = column.ends[from] as number;
          column.bytes.copyWithin(end, start, stop);
          end += stop - start;
          column.ends[to] = end;
          column.nulls[to] = column.nulls[from] as number;
          to += 1;
        }
        continue;
      }
      const large = new Map<number, bigint>();
      for (const [index, value] of column.large) if (index < first) large.set(index, value);
      for (let from = first; from < this.length; from++) {
        if (gone.has(from)) continue;
        column.values[to] = column.values[from] as number;
        column.nulls[to] = column.nulls[from] as number;
        const big = column.large.get(from);
        if (big !== undefined) large.set(to, big);
        to += 1;
      }
      column.large = large;
    }
    this.length -= removed.length;
  }

  /** Hands the rows written so far over (arrays trimmed to the row count) and starts empty. */
  take(): TakenBatch {
    if (this.capacity === 0) this.allocate();
    this.taken = { columns: this.columns, capacity: this.capacity };
    const rows = this.length;
    const columns = this.columns.map((column): BatchColumn => {
      if (isTextColumn(column)) {
        const used = rows === 0 ? 0 : (column.ends[rows - 1] as number);
        return {
          definition: column.definition,
          bytes: column.bytes.subarray(0, used),
          ends: column.ends.subarray(0, rows),
          nulls: column.nulls.subarray(0, rows),
        };
      }
      return { ...column, values: column.values.subarray(0, rows), nulls: column.nulls.subarray(0, rows) };
    });
    this.reset();
    return { rows, columns };
  }

  /**
   * The batch taken last is done with (encoded): its arrays hold the next rows instead of new
   * ones, which spares the garbage collector megabytes per part. The taken batch must not be read
   * after this.
   */
  recycle(): void {
    this.spare = this.taken;
    this.taken = null;
  }

  /** One row back as validate-row would have returned it: for tests and messages, not the hot path. */
  row(index: number): CuratedRow {
    return rowOf(this.columns, index);
  }
}

function grown<T extends Int32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

function grownBytes(bytes: Uint8Array, needed: number): Uint8Array {
  const next = new Uint8Array(Math.max(bytes.length * 2, needed));
  next.set(bytes);
  return next;
}

function numberOf(column: NumberColumn, index: number, value: Exclude<CuratedValue, null>): number {
  let unscaled: bigint;
  if (column.definition.type === 'date') return epochDay(String(value));
  if (typeof value === 'bigint') unscaled = value;
  else if (typeof value === 'number') return value;
  else if (typeof value === 'string') return Number(value);
  else unscaled = toUnscaled(value as Money, STORED_SCALE[column.definition.type] ?? 0);
  if (unscaled <= BigInt(Number.MAX_SAFE_INTEGER) && unscaled >= BigInt(Number.MIN_SAFE_INTEGER)) {
    return Number(unscaled);
  }
  column.large.set(index, unscaled);
  return 0;
}

/** Row `index` of columns as validate-row would have returned it. */
function rowOf(columns: readonly BatchColumn[], index: number): CuratedRow {
  const row: CuratedRow = {};
  for (const column of columns) {
    const name = column.definition.name;
    if (isTextColumn(column)) {
      row[name] = textAt(column, index);
      continue;
    }
    const type = column.definition.type;
    const value =
      column.nulls[index] === 1 ? null : (column.large.get(index) ?? (column.values[index] as number));
    if (value === null) row[name] = null;
    else if (type === 'date') row[name] = fromEpochDay(Number(value));
    else if (type === 'money') row[name] = BigInt(value);
    else if (type === 'rate') row[name] = fromUnscaled(BigInt(value), STORED_SCALE.rate);
    else row[name] = Number(value);
  }
  return row;
}
