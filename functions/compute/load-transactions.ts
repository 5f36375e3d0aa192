import { Money } from '../../core/money.ts';
import { centsOf } from '../../core/profitability/cents.ts';
import { PackedStrings } from '../../core/profitability/packed-strings.ts';
import {
  canonicalOrder,
  centsColumn,
  markOrderStarts,
  reorderColumnsInPlace,
} from '../../core/profitability/transaction-columns.ts';
import type { CentsColumn, TransactionColumns } from '../../core/records.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { type RawColumn, type RawNumbers, readRawColumns } from '../adapters/parquet-columns.ts';

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
 * Reads the curated transaction parts straight into TransactionColumns: no row objects, no Decimal
 * per amount, ids mapped to small integers as they are read. Order ids are held only while loading
 * (to flag each order's first line and to put the lines in canonical order), then dropped.
 */
export async function loadTransactionColumns(
  lake: ObjectStore,
  keys: readonly string[],
): Promise<TransactionColumns> {
  const customerCodes = new Map<string, number>();
  const customerIds: string[] = [];
  const categoryCodes = new Map<string | null, number>();
  const categories: (string | null)[] = [];
  // Packed, not strings: see PackedStrings.
  let orderIds: PackedStrings | null = new PackedStrings();
  const parts: Part[] = [];
  for (const key of keys) {
    const { rows, columns } = await readRawColumns(await lake.getBytes(key), NAMES);
    const column = (name: string): RawColumn => {
      const found = columns.get(name);
      if (!found) throw new Error(`${key}: curated transactions without ${name}`);
      return found;
    };
    const part: Part = {
      rows,
      customer: new Int32Array(rows),
      day: new Int32Array(rows),
      revenue: amountCents(column('revenue'), rows, key, 'revenue', true),
      cost: columns.has('cost') ? amountCents(column('cost'), rows, key, 'cost', false) : centsColumn(rows),
      returned: columns.has('returned_amount')
        ? amountCents(column('returned_amount'), rows, key, 'returned_amount', false)
        : centsColumn(rows),
      category: new Int32Array(rows),
    };
    const ids = strings(column('customer_id'), key, 'customer_id');
    let previous: string | null = null;
    let previousCode = -1;
    for (let r = 0; r < rows; r++) {
      const id = ids[r];
      if (id === null || id === undefined) throw new Error(`${key}: row ${r + 1} has no customer_id`);
      if (id !== previous) {
        let code = customerCodes.get(id);
        if (code === undefined) {
          code = customerIds.push(id) - 1;
          customerCodes.set(id, code);
        }
        previous = id;
        previousCode = code;
      }
      part.customer[r] = previousCode;
    }
    const dates = column('order_date');
    if (dates.kind !== 'numbers' || dates.nulls)
      throw new Error(`${key}: order_date must be a DATE without nulls`);
    part.day.set(dates.values);
    const orders = strings(column('order_id'), key, 'order_id');
    const packed = orderIds as PackedStrings;
    for (let r = 0; r < rows; r++) {
      const id = orders[r];
      if (id === null || id === undefined) throw new Error(`${key}: row ${r + 1} has no order_id`);
      packed.push(id);
    }
    const productCategories = columns.has('product_category')
      ? strings(column('product_category'), key, 'product_category')
      : null;
    // Adjacent rows often share a category (and its string): look each run up once.
    let previousCategory: string | null | undefined;
    let categoryCode = -1;
    for (let r = 0; r < rows; r++) {
      const category = productCategories?.[r] ?? null;
      if (category !== previousCategory) {
        let code = categoryCodes.get(category);
        if (code === undefined) {
          code = categories.push(category) - 1;
          categoryCodes.set(category, code);
        }
        previousCategory = category;
        categoryCode = code;
      }
      part.category[r] = categoryCode;
    }
    parts.push(part);
  }
  const loaded = concatenate(parts, customerIds, categories);
  parts.length = 0;
  loaded.orderStart = markOrderStarts(loaded.customer, loaded.day, orderIds, customerIds.length);
  const order = canonicalOrder(loaded.customer, loaded.day, orderIds, customerIds.length);
  orderIds = null;
  if (order) reorderColumnsInPlace(loaded, order);
  return loaded;
}

interface Part {
  rows: number;
  customer: Int32Array;
  day: Int32Array;
  revenue: CentsColumn;
  cost: CentsColumn;
  returned: CentsColumn;
  category: Int32Array;
}

function strings(column: RawColumn, key: string, name: string): (string | null)[] {
  if (column.kind !== 'strings') throw new Error(`${key}: ${name} must be a string column`);
  return column.values;
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
  name: string,
  required: boolean,
): CentsColumn {
  if (column.kind !== 'numbers') throw new Error(`${key}: ${name} must be a DECIMAL column`);
  const result = centsColumn(rows);
  const { values, nulls, large, scale } = column as RawNumbers;
  if (scale === 2 && !nulls && large.size === 0) {
    result.cents.set(values);
    return result;
  }
  for (let r = 0; r < rows; r++) {
    if (nulls?.[r] === 1) {
      if (required) throw new Error(`${key}: row ${r + 1} has no ${name}`);
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

function concatenate(
  parts: Part[],
  customerIds: string[],
  categories: (string | null)[],
): TransactionColumns {
  const n = parts.reduce((sum, part) => sum + part.rows, 0);
  const columns: TransactionColumns = {
    length: n,
    customer: new Int32Array(n),
    customerIds,
    day: new Int32Array(n),
    orderStart: new Uint8Array(n),
    revenue: centsColumn(n),
    cost: centsColumn(n),
    returned: centsColumn(n),
    category: new Int32Array(n),
    categories,
  };
  // Column by column, dropping each part's copy once taken, so the lines are held about once
  // rather than twice (parts and result) while concatenating.
  const empty = new Int32Array(0);
  const emptyCents = centsColumn(0);
  const copyInts = (name: 'customer' | 'day' | 'category') => {
    let at = 0;
    for (const part of parts) {
      columns[name].set(part[name], at);
      part[name] = empty;
      at += part.rows;
    }
  };
  const copyCents = (name: 'revenue' | 'cost' | 'returned') => {
    let at = 0;
    for (const part of parts) {
      const from = part[name];
      part[name] = emptyCents;
      columns[name].cents.set(from.cents, at);
      for (const [row, value] of from.exact) columns[name].exact.set(at + row, value);
      at += part.rows;
    }
  };
  copyInts('customer');
  copyInts('day');
  copyInts('category');
  copyCents('revenue');
  copyCents('cost');
  copyCents('returned');
  return columns;
}
