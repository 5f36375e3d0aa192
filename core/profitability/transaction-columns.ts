import type { Money } from '../money.ts';
import type { CentsColumn, SnapshotInput, TransactionColumns, TransactionRecord } from '../records.ts';
import { epochDay, fromEpochDay } from '../values.ts';
import { type PeriodGrain, periodOrdinal } from './calendar.ts';
import { centsOf } from './cents.ts';
import { PackedStrings } from './packed-strings.ts';

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
  columns.orderStart = markOrderStarts(columns.customer, columns.day, orderIds, columns.customerIds.length);
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

/** Order ids of the lines: strings, or packed (see PackedStrings; the loader's choice). */
export type OrderIds = readonly string[] | PackedStrings;

/** Compares the order ids of two lines: -1, 0 or 1 in JS string order. */
export function orderIdComparator(orderIds: OrderIds): (a: number, b: number) => number {
  if (orderIds instanceof PackedStrings) return (a, b) => orderIds.compare(a, b);
  const ids = orderIds as readonly string[];
  return (a, b) => {
    const x = ids[a] as string;
    const y = ids[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/**
 * Flags one line per distinct (customer, order id): the first, in line order, of the order's lines
 * on its earliest date. Lines are grouped by customer (a stable counting sort); a customer whose runs
 * of equal ids come in strictly increasing id order has no repeats, anyone else's flagged lines are
 * sorted by (id, date, line) and the first of each id keeps its flag.
 */
export function markOrderStarts(
  customer: Int32Array,
  day: Int32Array,
  orderIds: OrderIds,
  customerCount: number,
): Uint8Array {
  const compare = orderIdComparator(orderIds);
  const n = customer.length;
  const flags = new Uint8Array(n);
  const start = new Int32Array(customerCount + 1);
  for (let i = 0; i < n; i++) {
    const slot = (customer[i] as number) + 1;
    start[slot] = (start[slot] as number) + 1;
  }
  for (let c = 0; c < customerCount; c++) start[c + 1] = (start[c + 1] as number) + (start[c] as number);
  const fill = start.slice(0, customerCount);
  const lines = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = customer[i] as number;
    const at = fill[c] as number;
    fill[c] = at + 1;
    lines[at] = i;
  }
  const flagged: number[] = [];
  for (let c = 0; c < customerCount; c++) {
    const from = start[c] as number;
    const to = start[c + 1] as number;
    // Runs of equal ids; within a run the flag goes to the earliest-dated line.
    let increasing = true;
    let runLine = -1;
    for (let k = from; k < to; k++) {
      const line = lines[k] as number;
      if (runLine >= 0) {
        const order = compare(runLine, line);
        if (order === 0) {
          if ((day[line] as number) < (day[runLine] as number)) runLine = line;
          continue;
        }
        flags[runLine] = 1;
        if (order > 0) increasing = false;
      }
      runLine = line;
    }
    if (runLine >= 0) flags[runLine] = 1;
    if (increasing) continue;
    // Some id came back after another: keep one flag per id, on its earliest date (then first line).
    flagged.length = 0;
    for (let k = from; k < to; k++) {
      const line = lines[k] as number;
      if (flags[line] === 0) continue;
      flags[line] = 0;
      flagged.push(line);
    }
    flagged.sort((a, b) => compare(a, b) || (day[a] as number) - (day[b] as number) || a - b);
    for (let k = 0; k < flagged.length; k++) {
      const line = flagged[k] as number;
      if (k === 0 || compare(flagged[k - 1] as number, line) !== 0) flags[line] = 1;
    }
  }
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
 * listed or rows written: by date, then by customer, then by order id, ties in load order. Customers
 * on one date are ordered by when each is first seen in (date, order id, load) order, so every
 * customer's own lines, and the order in which customers are first seen, are exactly those of a sort
 * by (date, order id): results equal those of that sort. Unlike a sort by order id, almost all of
 * this is integer counting sorts; strings are compared only to rank customers (on their first date)
 * and among one customer's lines on one date. Returns null when the lines already are in this order.
 */
export function canonicalOrder(
  customer: Int32Array,
  day: Int32Array,
  orderIds: OrderIds,
  customerCount: number,
): Int32Array | null {
  const compare = orderIdComparator(orderIds);
  const n = customer.length;
  if (n === 0) return null;
  // Each customer's first line in (date, order id, load) order.
  const firstLine = new Int32Array(customerCount).fill(-1);
  let minDay = Number.POSITIVE_INFINITY;
  let maxDay = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const c = customer[i] as number;
    const d = day[i] as number;
    if (d < minDay) minDay = d;
    if (d > maxDay) maxDay = d;
    const f = firstLine[c] as number;
    if (f < 0) firstLine[c] = i;
    else {
      const fd = day[f] as number;
      if (d < fd || (d === fd && compare(i, f) < 0)) firstLine[c] = i;
    }
  }
  const byFirstLine = (a: number, b: number): number => {
    const la = firstLine[a] as number;
    const lb = firstLine[b] as number;
    const da = day[la] as number;
    const db = day[lb] as number;
    if (da !== db) return da - db;
    return compare(la, lb) || la - lb;
  };
  const customers = Int32Array.from({ length: customerCount }, (_, c) => c).sort(byFirstLine);
  const rank = new Int32Array(customerCount);
  for (let k = 0; k < customerCount; k++) rank[customers[k] as number] = k;
  // Lines by (date, rank, load): two stable counting sorts, least significant key first.
  const byRank = countingSort(n, customerCount, (i) => rank[customer[i] as number] as number, null);
  const order =
    maxDay - minDay < 1 << 24
      ? countingSort(n, maxDay - minDay + 1, (i) => (day[i] as number) - minDay, byRank)
      : byRank.sort(
          (a, b) =>
            (day[a] as number) - (day[b] as number) ||
            (rank[customer[a] as number] as number) - (rank[customer[b] as number] as number) ||
            a - b,
        );
  // One customer's lines on one date: by order id, then load order.
  let sorted = true;
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
      const group = order.subarray(k, end);
      let inOrder = true;
      for (let j = 1; j < group.length && inOrder; j++) {
        const a = group[j - 1] as number;
        const b = group[j] as number;
        const order = compare(a, b);
        inOrder = order < 0 || (order === 0 && a < b);
      }
      if (!inOrder) group.sort((a, b) => compare(a, b) || a - b);
    }
    k = end;
  }
  for (let k = 0; k < n && sorted; k++) sorted = order[k] === k;
  return sorted ? null : order;
}

/** A stable counting sort of `input` (or 0..n-1) by integer keys in [0, range). */
function countingSort(
  n: number,
  range: number,
  key: (i: number) => number,
  input: Int32Array | null,
): Int32Array {
  const start = new Int32Array(range + 1);
  for (let i = 0; i < n; i++) {
    const slot = key(i) + 1;
    start[slot] = (start[slot] as number) + 1;
  }
  for (let k = 0; k < range; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
  const output = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = input ? (input[j] as number) : j;
    const slot = key(i);
    const at = start[slot] as number;
    start[slot] = at + 1;
    output[at] = i;
  }
  return output;
}

/** The columns in the order `order` (line k of the result = line order[k] of the input). */
export function reorderColumns(columns: TransactionColumns, order: Int32Array): TransactionColumns {
  const copy = { ...columns };
  reorderColumnsInPlace(copy, order);
  return copy;
}

/**
 * Puts the columns in the order `order`, replacing one column at a time, so only one column is
 * held twice at any moment (a load of twenty million lines would otherwise peak at two copies).
 */
export function reorderColumnsInPlace(columns: TransactionColumns, order: Int32Array): void {
  const n = order.length;
  const gatherInt = (from: Int32Array): Int32Array => {
    const to = new Int32Array(n);
    for (let k = 0; k < n; k++) to[k] = from[order[k] as number] as number;
    return to;
  };
  const gatherCents = (from: CentsColumn): CentsColumn => {
    const to = centsColumn(n);
    for (let k = 0; k < n; k++) to.cents[k] = from.cents[order[k] as number] as number;
    if (from.exact.size > 0) {
      for (let k = 0; k < n; k++) {
        const exact = from.exact.get(order[k] as number);
        if (exact !== undefined) to.exact.set(k, exact);
      }
    }
    return to;
  };
  const orderStart = new Uint8Array(n);
  for (let k = 0; k < n; k++) orderStart[k] = columns.orderStart[order[k] as number] as number;
  columns.length = n;
  columns.orderStart = orderStart;
  columns.customer = gatherInt(columns.customer);
  columns.day = gatherInt(columns.day);
  columns.revenue = gatherCents(columns.revenue);
  columns.cost = gatherCents(columns.cost);
  columns.returned = gatherCents(columns.returned);
  columns.category = gatherInt(columns.category);
}
