import { centsOf, Money } from '../../core/money.ts';
import { centsColumn } from '../../core/profitability/transaction-columns.ts';
import type { CentsColumn } from '../../core/records.ts';
import { ByteKeys } from '../../core/text/byte-keys.ts';
import { ArrayPool } from '../adapters/array-pool.ts';
import {
  type RawBytes,
  type RawColumn,
  type RawNumbers,
  readRawColumnBatches,
} from '../adapters/parquet-columns.ts';
import type { TransactionPart } from './transaction-partitions.ts';

/** The curated transaction columns the computations read. */
const TRANSACTION_COLUMN_NAMES = [
  'customer_id',
  'order_id',
  'order_date',
  'revenue',
  'cost',
  'returned_amount',
  'product_category',
];

/** Rows decoded at a time (whole row groups): about 60 MB of decoded columns. */
const BATCH_ROWS = 1 << 20;

/**
 * Reads one load's curated transaction parts a batch of row groups at a time (a part's decoded
 * columns are several times its file size) as TransactionParts, keying the categories so their
 * codes agree across the parts.
 */
export class TransactionBatchReader {
  /** The batches' arrays, given back (release) once laid out, for the batches after. */
  private readonly pool = new ArrayPool();
  private readonly categoryKeys = new ByteKeys();
  private readonly keyed = new Map([['product_category', this.categoryKeys]]);
  private readonly asBytes = new Set(['customer_id', 'order_id']);
  /** No category is keyed too, as the empty key in a scope of its own. */
  private noCategory = -1;

  /** The part's batches; the next batch's pages are decompressed while one is used. */
  async *batches(key: string, bytes: Uint8Array): AsyncGenerator<TransactionPart> {
    const batches = readRawColumnBatches(
      bytes,
      TRANSACTION_COLUMN_NAMES,
      this.keyed,
      this.asBytes,
      BATCH_ROWS,
      this.pool,
    );
    let firstRow = 0;
    for await (const { rows, columns } of batches) {
      yield transactionPartOf(key, firstRow, rows, columns, this.noCategoryCode);
      firstRow += rows;
    }
  }

  /** Takes back the arrays of a batch this reader gave, once done with, for the batches after. */
  release(part: TransactionPart): void {
    this.pool.give(partArrays(part).map((array) => array.buffer));
  }

  /** The same for the buffers of such arrays, come back from another thread. */
  releaseBuffers(buffers: readonly ArrayBuffer[]): void {
    this.pool.give(buffers);
  }

  /** The categories by code (null for none), once every part is read. */
  categories(): (string | null)[] {
    return Array.from({ length: this.categoryKeys.size }, (_, c) =>
      c === this.noCategory ? null : this.categoryKeys.text(c),
    );
  }

  private readonly noCategoryCode = (): number => {
    if (this.noCategory < 0) this.noCategory = this.categoryKeys.code(new Uint8Array(0), 0, 0, 1);
    return this.noCategory;
  };
}

/**
 * A batch of a part's decoded columns (its first row is row `firstRow` of the part `key`) checked
 * and turned into a TransactionPart; `noCategory` gives the code of "no category".
 */
function transactionPartOf(
  key: string,
  firstRow: number,
  rows: number,
  columns: Map<string, RawColumn>,
  noCategory: () => number,
): TransactionPart {
  const column = (name: string): RawColumn => {
    const found = columns.get(name);
    if (!found) throw new Error(`${key}: curated transactions without ${name}`);
    return found;
  };
  const dates = column('order_date');
  if (dates.kind !== 'numbers' || dates.nulls)
    throw new Error(`${key}: order_date must be a DATE without nulls`);
  const category = columns.has('product_category')
    ? codesOf(column('product_category'), key, 'product_category')
    : new Int32Array(rows).fill(-1);
  for (let r = 0; r < rows; r++) if (category[r] === -1) category[r] = noCategory();
  return {
    rows,
    customer: requiredBytes(column('customer_id'), key, 'customer_id', firstRow),
    order: requiredBytes(column('order_id'), key, 'order_id', firstRow),
    day: dates.values,
    revenue: amountCents(column('revenue'), rows, key, firstRow, 'revenue', true),
    cost: columns.has('cost')
      ? amountCents(column('cost'), rows, key, firstRow, 'cost', false)
      : centsColumn(rows),
    returned: columns.has('returned_amount')
      ? amountCents(column('returned_amount'), rows, key, firstRow, 'returned_amount', false)
      : centsColumn(rows),
    category,
  };
}

function codesOf(column: RawColumn, key: string, name: string): Int32Array {
  if (column.kind !== 'codes') throw new Error(`${key}: ${name} must be a string column`);
  return column.codes;
}

function requiredBytes(column: RawColumn, key: string, name: string, firstRow: number): RawBytes {
  if (column.kind !== 'bytes') throw new Error(`${key}: ${name} must be a string column`);
  const missing = column.nulls?.indexOf(1) ?? -1;
  if (missing >= 0) throw new Error(`${key}: row ${firstRow + missing + 1} has no ${name}`);
  return column;
}

/**
 * Unscaled DECIMAL integers to exact cents. Scale 2 (the curated type) is a copy; other scales are
 * rescaled when that stays exact, else the exact amount goes to `exact`. A missing optional amount
 * counts as 0 (the export's default).
 */
function amountCents(
  column: RawColumn,
  rows: number,
  key: string,
  firstRow: number,
  name: string,
  required: boolean,
): CentsColumn {
  if (column.kind !== 'numbers') throw new Error(`${key}: ${name} must be a DECIMAL column`);
  const { values, nulls, large, scale } = column as RawNumbers;
  // Already whole cents: the read values are the cents (no copy of a column of millions).
  if (scale === 2 && !nulls && large.size === 0) return { cents: values, exact: new Map() };
  const result = centsColumn(rows);
  for (let r = 0; r < rows; r++) {
    if (nulls?.[r] === 1) {
      if (required) throw new Error(`${key}: row ${firstRow + r + 1} has no ${name}`);
      result.cents[r] = 0;
      continue;
    }
    const value = values[r] as number;
    const big = large.get(r);
    const exact =
      scale === 2 && big === undefined && Number.isSafeInteger(value)
        ? null
        : new Money((big ?? BigInt(value)).toString()).dividedBy(new Money(10).pow(scale));
    if (exact === null) result.cents[r] = value;
    else {
      const cents = centsOf(exact);
      result.cents[r] = cents;
      if (Number.isNaN(cents)) result.exact.set(r, exact);
    }
  }
  return result;
}

/** A part's arrays (to give back to its reader, or to send to another thread). */
export function partArrays(part: TransactionPart): ArrayBufferView[] {
  return [
    part.customer.bytes,
    part.customer.ends,
    part.order.bytes,
    part.order.ends,
    part.day as Float64Array,
    part.revenue.cents,
    part.cost.cents,
    part.returned.cents,
    part.category as Int32Array,
  ];
}
