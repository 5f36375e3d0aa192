import { fromUnscaled, type Money, toUnscaled } from '../money.ts';
import type { ColumnDefinition, ColumnType } from '../tables.ts';
import { epochDay, fromEpochDay } from '../values.ts';
import { curatedColumns } from './curated-schema.ts';
import type { ExportKind } from './kinds.ts';
import type { CuratedRow, CuratedValue } from './validate-row.ts';

/**
 * Curated rows held column by column in typed arrays, in the form Parquet stores them: strings,
 * dates as epoch days, money as integer cents, rates (scores, shares) as millionths, integers.
 * A batch of 100,000 rows is a dozen arrays instead of 100,000 row objects.
 */
export type BatchColumn = StringColumn | NumberColumn;

export interface StringColumn {
  definition: ColumnDefinition;
  values: (string | null)[];
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

export function isStringColumn(column: BatchColumn): column is StringColumn {
  return column.definition.type === 'string';
}

const INITIAL_CAPACITY = 1024;

export class CuratedBatch {
  readonly definitions: ColumnDefinition[];
  columns: BatchColumn[] = [];
  length = 0;
  private capacity = 0;

  constructor(kind: ExportKind) {
    this.definitions = curatedColumns(kind);
    this.reset();
  }

  private reset(): void {
    this.capacity = INITIAL_CAPACITY;
    this.length = 0;
    this.columns = this.definitions.map((definition) =>
      definition.type === 'string'
        ? { definition, values: new Array<string | null>(INITIAL_CAPACITY) }
        : {
            definition,
            values: new Float64Array(INITIAL_CAPACITY),
            nulls: new Uint8Array(INITIAL_CAPACITY),
            large: new Map(),
          },
    );
  }

  /** Makes room for the row at index `length`, which the caller fills and then commits. */
  reserve(): void {
    if (this.length < this.capacity) return;
    this.capacity *= 2;
    for (const column of this.columns) {
      if (isStringColumn(column)) continue;
      const values = new Float64Array(this.capacity);
      values.set(column.values);
      const nulls = new Uint8Array(this.capacity);
      nulls.set(column.nulls);
      column.values = values;
      column.nulls = nulls;
    }
  }

  /** Writes a value as validate-row returns it into the row at `index` (after `reserve`). */
  setValue(columnIndex: number, index: number, value: CuratedValue): void {
    const column = this.columns[columnIndex] as BatchColumn;
    if (isStringColumn(column)) {
      column.values[index] = value === null ? null : String(value);
      return;
    }
    column.large.delete(index);
    column.nulls[index] = value === null ? 1 : 0;
    column.values[index] = value === null ? 0 : this.numberOf(column, index, value);
  }

  private numberOf(column: NumberColumn, index: number, value: Exclude<CuratedValue, null>): number {
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

  /** The exact integer at a row of a number column (cents for money), or null. */
  integerAt(columnIndex: number, index: number): bigint | number | null {
    const column = this.columns[columnIndex] as NumberColumn;
    if (column.nulls[index] === 1) return null;
    return (column.large.size > 0 ? column.large.get(index) : undefined) ?? (column.values[index] as number);
  }

  /** Hands the rows written so far over (arrays trimmed to the row count) and starts empty. */
  take(): TakenBatch {
    const rows = this.length;
    const columns = this.columns.map((column): BatchColumn => {
      if (isStringColumn(column)) {
        column.values.length = rows;
        return column;
      }
      return { ...column, values: column.values.subarray(0, rows), nulls: column.nulls.subarray(0, rows) };
    });
    this.reset();
    return { rows, columns };
  }

  /** One row back as validate-row would have returned it: for tests and messages, not the hot path. */
  row(index: number): CuratedRow {
    const row: CuratedRow = {};
    this.columns.forEach((column, c) => {
      const name = column.definition.name;
      if (isStringColumn(column)) {
        row[name] = column.values[index] ?? null;
        return;
      }
      const value = this.integerAt(c, index);
      const type = column.definition.type;
      if (value === null) row[name] = null;
      else if (type === 'date') row[name] = fromEpochDay(Number(value));
      else if (type === 'money') row[name] = BigInt(value);
      else if (type === 'rate') row[name] = fromUnscaled(BigInt(value), STORED_SCALE.rate);
      else row[name] = Number(value);
    });
    return row;
  }
}
