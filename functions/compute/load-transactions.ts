import { Money } from '../../core/money.ts';
import { centsOf } from '../../core/profitability/cents.ts';
import { centsColumn } from '../../core/profitability/transaction-columns.ts';
import { TransactionPartitions } from '../../core/profitability/transaction-partitions.ts';
import type { CentsColumn, TransactionColumns } from '../../core/records.ts';
import { ByteKeys } from '../../core/text/byte-keys.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import {
  type RawBytes,
  type RawColumn,
  type RawColumnBatches,
  type RawNumbers,
  readRawColumnBatches,
} from '../adapters/parquet-columns.ts';

/** The curated transaction columns the computations read. */
const NAMES = [
  'customer_id',
  'order_id',
  'order_date',
  'revenue',
  'cost',
  'returned_amount',
  'product_category',
];

/**
 * Reads the curated transaction parts straight into TransactionColumns: no row objects, no string
 * or Decimal per line. Customer and order ids come as their bytes from the Parquet pages and are
 * keyed partition by partition (see TransactionPartitions), so only each distinct customer id and
 * category ever becomes a string; order ids are held only until each order's first line is flagged.
 */
export async function loadTransactionColumns(
  lake: ObjectStore,
  keys: readonly string[],
): Promise<TransactionColumns> {
  const categoryKeys = new ByteKeys();
  const keyed = new Map([['product_category', categoryKeys]]);
  const asBytes = new Set(['customer_id', 'order_id']);
  const partitions = new TransactionPartitions();
  // No category is keyed too, as the empty key in a scope of its own.
  let noCategory = -1;
  const open = async (key: string) =>
    readRawColumnBatches(await lake.getBytes(key), NAMES, keyed, asBytes, BATCH_ROWS);
  let upcoming = keys.length > 0 ? open(keys[0] as string) : null;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    // A batch of row groups at a time: a part's decoded columns are several times its file size.
    const batches = await (upcoming as Promise<RawColumnBatches>);
    upcoming = null;
    // The next part is fetched and its first pages decompressed while this one's last batch is
    // used (earlier would only hold more memory, and the zlib threads would take the core this
    // thread needs).
    const openNext = () => {
      if (upcoming !== null || k + 1 >= keys.length) return;
      upcoming = open(keys[k + 1] as string);
      upcoming.catch(() => undefined);
    };
    if (batches.batches === 0) openNext();
    let firstRow = 0;
    let batch = 0;
    for await (const { rows, columns } of batches) {
      if (++batch === batches.batches) openNext();
      addBatch(partitions, key, firstRow, rows, columns, () => {
        if (noCategory < 0) noCategory = categoryKeys.code(EMPTY, 0, 0, 1);
        return noCategory;
      });
      firstRow += rows;
    }
  }
  const categories = Array.from({ length: categoryKeys.size }, (_, c) =>
    c === noCategory ? null : categoryKeys.text(c),
  );
  return partitions.finish(categories);
}

const EMPTY = new Uint8Array(0);

/** Rows decoded at a time (whole row groups): about 60 MB of decoded columns. */
const BATCH_ROWS = 1 << 20;

/** Checks a batch's columns (its first row is row `firstRow` of the part) and spreads its lines. */
function addBatch(
  partitions: TransactionPartitions,
  key: string,
  firstRow: number,
  rows: number,
  columns: Map<string, RawColumn>,
  noCategory: () => number,
): void {
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
  partitions.add({
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
  });
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
