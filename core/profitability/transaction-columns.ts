import { centsOf, type Money, money } from '../money.ts';
import type { CentsColumn, SnapshotInput, TransactionColumns, TransactionRecord } from '../records.ts';
import { epochDay, fromEpochDay } from '../values.ts';
import { type PeriodGrain, periodOrdinal } from './calendar.ts';

/**
 * The one representation the computations read transactions in (see TransactionColumns), and the
 * adapter from records: record snapshots (tests, small callers) are converted in their given order,
 * so both paths run the same code over the same lines in the same order.
 */
export function transactionColumnsOf(snapshot: SnapshotInput): TransactionColumns {
  return (
    snapshot.transactionColumns ??
    toTransactionColumns((snapshot as { transactions: TransactionRecord[] }).transactions)
  );
}

export function toTransactionColumns(records: readonly TransactionRecord[]): TransactionColumns {
  const n = records.length;
  const customerCodes = new Map<string, number>();
  const categoryCodes = new Map<string | null, number>();
  const days = new Map<string, number>();
  const columns: TransactionColumns = {
    length: n,
    customer: new Int32Array(n),
    customerIds: [],
    day: new Int32Array(n),
    orderStart: new Uint8Array(0),
    revenue: centsColumn(n),
    cost: centsColumn(n),
    returned: centsColumn(n),
    category: new Int32Array(n),
    categories: [],
  };
  const orderIds = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const t = records[i] as TransactionRecord;
    let code = customerCodes.get(t.customer_id);
    if (code === undefined) {
      code = columns.customerIds.push(t.customer_id) - 1;
      customerCodes.set(t.customer_id, code);
    }
    columns.customer[i] = code;
    let day = days.get(t.order_date);
    if (day === undefined) {
      day = epochDay(t.order_date);
      days.set(t.order_date, day);
    }
    columns.day[i] = day;
    orderIds[i] = t.order_id;
    setCents(columns.revenue, i, t.revenue);
    setCents(columns.cost, i, t.cost);
    setCents(columns.returned, i, t.returned_amount);
    let category = categoryCodes.get(t.product_category);
    if (category === undefined) {
      category = columns.categories.push(t.product_category) - 1;
      categoryCodes.set(t.product_category, category);
    }
    columns.category[i] = category;
  }
  columns.orderStart = markOrderStarts(columns.customer, columns.day, orderIds);
  return columns;
}

export function centsColumn(n: number): CentsColumn {
  return { cents: new Float64Array(n), exact: new Map() };
}

function setCents(column: CentsColumn, i: number, value: Money): void {
  const cents = centsOf(value);
  column.cents[i] = cents;
  if (Number.isNaN(cents)) column.exact.set(i, value);
}

/** Line i's amount as the nearest double (as Decimal#toNumber gives it), for the models. */
export function amountNumber(column: CentsColumn, i: number): number {
  const cents = column.cents[i] as number;
  return !Number.isNaN(cents) ? cents / 100 : (column.exact.get(i) as Money).toNumber();
}

/**
 * Flags one line per distinct (customer, order id): the first, in line order, of the order's lines
 * on its earliest date. (The compute load flags its lines by their keys' codes instead, see
 * flagOrderStarts; this is the records' way, for record snapshots.)
 */
function markOrderStarts(customer: Int32Array, day: Int32Array, orderIds: readonly string[]): Uint8Array {
  const first = new Map<string, number>();
  for (let i = 0; i < customer.length; i++) {
    // A customer code is digits: the NUL after it ends it, whatever the order id holds.
    const key = `${customer[i]}\u0000${orderIds[i]}`;
    const held = first.get(key);
    if (held === undefined || (day[i] as number) < (day[held] as number)) first.set(key, i);
  }
  const flags = new Uint8Array(customer.length);
  for (const line of first.values()) flags[line] = 1;
  return flags;
}

/** Date labels and period ordinals of epoch days, computed once per distinct day. */
export class DayLabels {
  private readonly labels = new Map<number, string>();

  label(day: number): string {
    let label = this.labels.get(day);
    if (label === undefined) {
      label = fromEpochDay(day);
      this.labels.set(day, label);
    }
    return label;
  }

  /** A lookup day -> period ordinal over the days of `day` (an array when the range is small). */
  periods(day: Int32Array, grain: PeriodGrain): (d: number) => number {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < day.length; i++) {
      const d = day[i] as number;
      if (d < min) min = d;
      if (d > max) max = d;
    }
    if (day.length > 0 && max - min < 1 << 20) {
      const table = new Float64Array(max - min + 1).fill(Number.NaN);
      return (d) => {
        let ordinal = table[d - min] as number;
        if (Number.isNaN(ordinal)) {
          ordinal = periodOrdinal(this.label(d), grain);
          table[d - min] = ordinal;
        }
        return ordinal;
      };
    }
    return (d) => periodOrdinal(this.label(d), grain);
  }
}

/**
 * The canonical line order of a loaded snapshot, so results never depend on the order parts were
 * listed or rows written: by customer (their partition, see customerPartition, then their id), then
 * date, then the line's own values (revenue, cost, returned amount, product category); lines equal
 * in all of these keep their load order, and no result can tell them apart. Customer-major, so
 * every per-customer pass walks its customers' figures in sequence; partition first, so the loader
 * can sort each partition on its own and lay them end to end. Order ids take no part. Whole-number
 * keys and a sort of the distinct customer ids do it all (counting sorts, plus small sorts among one
 * customer's lines on one date). sortTransactionRecords puts records in the same order. Returns
 * null when the lines already are in this order.
 */
export function canonicalOrder(
  columns: Omit<TransactionColumns, 'orderStart'>,
  /** Each customer code's rank in id order, when the caller has it already. */
  customerRank?: Int32Array,
): Int32Array | null {
  const { customer, day, customerIds } = columns;
  const n = columns.length;
  if (n === 0) return null;
  let minDay = Number.POSITIVE_INFINITY;
  let maxDay = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const d = day[i] as number;
    if (d < minDay) minDay = d;
    if (d > maxDay) maxDay = d;
  }
  const rank = customerRank ?? customerRanks(customerIds);
  const categoryRank = rankOf(columns.categories.length, (a, b) =>
    compareCategory(columns.categories[a] as string | null, columns.categories[b] as string | null),
  );
  // Lines by (customer rank, date, load): two stable counting sorts, least significant key first.
  let order: Int32Array;
  if (maxDay - minDay < 1 << 24) {
    const keys = new Int32Array(n);
    for (let i = 0; i < n; i++) keys[i] = (day[i] as number) - minDay;
    const byDay = countingSort(keys, maxDay - minDay + 1, null);
    for (let i = 0; i < n; i++) keys[i] = rank[customer[i] as number] as number;
    order = countingSort(keys, customerIds.length, byDay);
  } else {
    order = Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) =>
        (rank[customer[a] as number] as number) - (rank[customer[b] as number] as number) ||
        (day[a] as number) - (day[b] as number) ||
        a - b,
    );
  }
  const byValues = (a: number, b: number): number =>
    compareAmounts(columns.revenue, a, b) ||
    compareAmounts(columns.cost, a, b) ||
    compareAmounts(columns.returned, a, b) ||
    (categoryRank[columns.category[a] as number] as number) -
      (categoryRank[columns.category[b] as number] as number) ||
    a - b;
  const revenue = columns.revenue.cents;
  for (let k = 0; k < n; ) {
    const first = order[k] as number;
    let end = k + 1;
    while (
      end < n &&
      day[order[end] as number] === day[first] &&
      customer[order[end] as number] === customer[first]
    )
      end++;
    if (end - k > 1) {
      // Groups are small (one customer's lines on one day): an insertion sort in place, where
      // revenue alone usually decides (a sort call and a subarray per group cost far more).
      for (let j = k + 1; j < end; j++) {
        const line = order[j] as number;
        const x = revenue[line] as number;
        let i = j - 1;
        for (; i >= k; i--) {
          const before = order[i] as number;
          const y = revenue[before] as number;
          if (y < x || (!(y > x) && byValues(before, line) < 0)) break;
          order[i + 1] = before;
        }
        order[i + 1] = line;
      }
    }
    k = end;
  }
  for (let k = 0; k < n; k++) if (order[k] !== k) return order;
  return null;
}

/**
 * Flags, in the order `order` (null: as loaded), the first line of each order: `orderCodes` gives
 * each loaded line's (customer, order id) as a code below `orders`. In canonical order (each
 * customer's lines by date) the first line of an order is one dated on its earliest date, as
 * orderStart requires.
 */
export function flagOrderStarts(
  orderCodes: Int32Array,
  orders: number,
  order: Int32Array | null,
): Uint8Array {
  const n = orderCodes.length;
  const flags = new Uint8Array(n);
  const seen = new Uint8Array(orders);
  for (let k = 0; k < n; k++) {
    const code = orderCodes[order ? (order[k] as number) : k] as number;
    if (seen[code] === 0) {
      seen[code] = 1;
      flags[k] = 1;
    }
  }
  return flags;
}

/** Puts records in canonical order (see canonicalOrder), in place; a stable sort. */
export function sortTransactionRecords(records: TransactionRecord[]): void {
  const partitions = new Map<string, number>();
  const partitionOf = (id: string): number => {
    let partition = partitions.get(id);
    if (partition === undefined) {
      partition = customerPartitionOfId(id);
      partitions.set(id, partition);
    }
    return partition;
  };
  const compare = (a: TransactionRecord, b: TransactionRecord): number =>
    partitionOf(a.customer_id) - partitionOf(b.customer_id) ||
    compareText(a.customer_id, b.customer_id) ||
    compareText(a.order_date, b.order_date) ||
    a.revenue.comparedTo(b.revenue) ||
    a.cost.comparedTo(b.cost) ||
    a.returned_amount.comparedTo(b.returned_amount) ||
    compareCategory(a.product_category, b.product_category);
  let sorted = true;
  for (let i = 1; i < records.length && sorted; i++)
    sorted = compare(records[i - 1] as TransactionRecord, records[i] as TransactionRecord) <= 0;
  if (!sorted) records.sort(compare);
}

/**
 * 2^10 customer partitions: at a million customers and twenty million lines each holds about a
 * thousand customers and ten thousand orders, whose key tables stay in the 2 MB L2 cache. Measured
 * at 2^6 to 2^12: 2^10 loaded fastest (2^6: 22 s, 2^8: 17 s, 2^10: 16 s, 2^12: 20 s).
 */
export const PARTITION_BITS = 10;

/**
 * The partition (0 to 2^PARTITION_BITS - 1) of the customer whose id is bytes[start, end) in UTF-8:
 * a hash, so customers spread evenly whatever their ids look like.
 */
export function customerPartition(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> (32 - PARTITION_BITS);
}

const utf8 = new TextEncoder();

export function customerPartitionOfId(id: string): number {
  const bytes = utf8.encode(id);
  return customerPartition(bytes, 0, bytes.length);
}

/** Where each entry of a merge in canonical customer order comes from: part[k], index[k] within it. */
export interface CanonicalMerge {
  customerIds: string[];
  part: Int32Array;
  index: Int32Array;
}

/**
 * The customers of all `parts` (disjoint groups of customers, e.g. the scale-out run's buckets) in
 * canonical customer order (see customerRanks), with where each one comes from. Throws when a
 * customer is in two parts.
 */
export function canonicalMerge(parts: readonly { customerIds: readonly string[] }[]): CanonicalMerge {
  const ids: string[] = [];
  const partOf: number[] = [];
  const indexOf: number[] = [];
  for (const [p, { customerIds }] of parts.entries()) {
    for (let i = 0; i < customerIds.length; i++) {
      ids.push(customerIds[i] as string);
      partOf.push(p);
      indexOf.push(i);
    }
  }
  const rank = customerRanks(ids);
  const total = ids.length;
  const customerIds: string[] = new Array(total);
  const part = new Int32Array(total);
  const index = new Int32Array(total);
  for (let from = 0; from < total; from++) {
    const k = rank[from] as number;
    customerIds[k] = ids[from] as string;
    part[k] = partOf[from] as number;
    index[k] = indexOf[from] as number;
  }
  for (let k = 1; k < total; k++)
    if (customerIds[k] === customerIds[k - 1])
      throw new Error(
        `merging customer groups: customer ${customerIds[k]} is in parts ${part[k - 1]} and ${part[k]} (parts must cover disjoint customers)`,
      );
  return { customerIds, part, index };
}

/** Each customer code's rank in canonical customer order: by partition, then id. */
function customerRanks(customerIds: readonly string[]): Int32Array {
  const partition = Int32Array.from(customerIds, customerPartitionOfId);
  return rankOf(
    customerIds.length,
    (a, b) =>
      (partition[a] as number) - (partition[b] as number) ||
      compareText(customerIds[a] as string, customerIds[b] as string),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Categories by text, no category last. */
function compareCategory(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareText(a, b);
}

/** Exactly, whole cents as numbers, anything else through its exact amount. */
function compareAmounts(column: CentsColumn, a: number, b: number): number {
  const x = column.cents[a] as number;
  const y = column.cents[b] as number;
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  return exactAmount(column, a).comparedTo(exactAmount(column, b));
}

function exactAmount(column: CentsColumn, i: number): Money {
  const cents = column.cents[i] as number;
  return Number.isNaN(cents) ? (column.exact.get(i) as Money) : money(cents).dividedBy(100);
}

/** rank[x] = position of x among 0..count-1 sorted by `compare`. */
function rankOf(count: number, compare: (a: number, b: number) => number): Int32Array {
  const sorted = Array.from({ length: count }, (_, x) => x).sort(compare);
  const rank = new Int32Array(count);
  for (let k = 0; k < count; k++) rank[sorted[k] as number] = k;
  return rank;
}

/** A stable counting sort of `input` (or 0..n-1) by integer keys in [0, range). */
function countingSort(keys: Int32Array, range: number, input: Int32Array | null): Int32Array {
  const n = keys.length;
  const start = new Int32Array(range + 1);
  for (let i = 0; i < n; i++) {
    const slot = (keys[i] as number) + 1;
    start[slot] = (start[slot] as number) + 1;
  }
  for (let k = 0; k < range; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
  const output = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = input ? (input[j] as number) : j;
    const slot = keys[i] as number;
    const at = start[slot] as number;
    start[slot] = at + 1;
    output[at] = i;
  }
  return output;
}
