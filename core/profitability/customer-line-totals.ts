import { type Money, ZERO } from '../money.ts';
import type { CentsColumn, IsoDate, TransactionColumns } from '../records.ts';
import { epochDay } from '../values.ts';
import { moneyFromCents } from './cents.ts';

/** customerLineTotals' result: the totals, each line's entry in them (-1: after as_of), and whether every customer's lines come in date order. */
export interface LineTotals {
  totals: CustomerLineTotals;
  entryOfLine: Int32Array;
  datesAscending: boolean;
}

/**
 * Each customer's lines on or before a date, summed: one entry per customer with such a line, in
 * the order the lines first name them (canonical order for loaded columns). What the customer
 * facts take from the transactions, and all a customer's lines are needed for: a bucket of
 * customers makes its own and the buckets' totals are laid side by side (transaction-pass.ts).
 */
export interface CustomerLineTotals {
  customerIds: string[];
  /** Exact sums; the cents are NaN where `exact` holds the sum (not whole cents, or past 2^53). */
  revenue: CentsColumn;
  cost: CentsColumn;
  returned: CentsColumn;
  /** Distinct orders: lines flagged orderStart. */
  orders: Float64Array;
  /** First and last order, as UTC days since 1970-01-01. */
  firstDay: Int32Array;
  lastDay: Int32Array;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A column of per-customer exact sums: cents while safe, the rest as Decimals on the side. */
class CentsTotals {
  readonly cents: Float64Array;
  private readonly rest = new Map<number, Money>();

  constructor(size: number) {
    this.cents = new Float64Array(size);
  }

  /** Adds a safe whole number of cents. */
  addCents(at: number, cents: number): void {
    const next = (this.cents[at] as number) + cents;
    if (next <= MAX_SAFE && next >= -MAX_SAFE) this.cents[at] = next;
    else this.addExact(at, moneyFromCents(cents));
  }

  addExact(at: number, amount: Money): void {
    this.rest.set(at, (this.rest.get(at) ?? ZERO).plus(amount));
  }

  /** Adds line `line` of a cents column. */
  addLine(at: number, column: CentsColumn, line: number): void {
    const cents = column.cents[line] as number;
    if (Number.isNaN(cents)) this.addExact(at, column.exact.get(line) as Money);
    else this.addCents(at, cents);
  }

  column(): CentsColumn {
    const exact = new Map<number, Money>();
    for (const [at, amount] of this.rest) {
      exact.set(at, moneyFromCents(this.cents[at] as number, amount));
      this.cents[at] = Number.NaN;
    }
    return { cents: this.cents, exact };
  }
}

/**
 * The totals of `columns`' lines on or before `asOf`, with each line's entry in them (-1 after
 * as_of) and whether each customer's lines come in date order. A run of one customer's lines (the
 * canonical order groups them) is summed in local variables first: per line a few additions.
 */
export function customerLineTotals(columns: TransactionColumns, asOf: IsoDate): LineTotals {
  const asOfDay = epochDay(asOf);
  const { customer, customerIds, day, orderStart, revenue, cost, returned } = columns;
  const n = columns.length;
  const entryOfLine = new Int32Array(n);
  const entryOfCode = new Int32Array(customerIds.length).fill(-1);
  const lastDayOfCode = new Float64Array(customerIds.length).fill(Number.NEGATIVE_INFINITY);
  let datesAscending = true;
  const ids: string[] = [];
  const size = customerIds.length;
  const revenueTotals = new CentsTotals(size);
  const costTotals = new CentsTotals(size);
  const returnedTotals = new CentsTotals(size);
  const orders = new Float64Array(size);
  const firstDay = new Int32Array(size);
  const lastDay = new Int32Array(size);
  const revenueCents = revenue.cents;
  const costCents = cost.cents;
  const returnedCents = returned.cents;
  let i = 0;
  while (i < n) {
    const code = customer[i] as number;
    let entry = -1;
    let revenueSum = 0;
    let costSum = 0;
    let returnedSum = 0;
    let orderCount = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (; i < n && customer[i] === code; i++) {
      const d = day[i] as number;
      if (d < (lastDayOfCode[code] as number)) datesAscending = false;
      lastDayOfCode[code] = d;
      if (d > asOfDay) {
        entryOfLine[i] = -1;
        continue;
      }
      if (entry < 0) {
        entry = entryOfCode[code] as number;
        if (entry < 0) {
          entry = ids.length;
          entryOfCode[code] = entry;
          ids.push(customerIds[code] as string);
          firstDay[entry] = d;
          lastDay[entry] = d;
        }
      }
      entryOfLine[i] = entry;
      if (d < first) first = d;
      if (d > last) last = d;
      orderCount += orderStart[i] as number;
      // A sum that would not be exact (NaN: not whole cents; or past the safe range) takes the
      // line through the totals' exact side instead.
      const r = revenueSum + (revenueCents[i] as number);
      if (r <= MAX_SAFE && r >= -MAX_SAFE) revenueSum = r;
      else revenueTotals.addLine(entry, revenue, i);
      const c = costSum + (costCents[i] as number);
      if (c <= MAX_SAFE && c >= -MAX_SAFE) costSum = c;
      else costTotals.addLine(entry, cost, i);
      const x = returnedSum + (returnedCents[i] as number);
      if (x <= MAX_SAFE && x >= -MAX_SAFE) returnedSum = x;
      else returnedTotals.addLine(entry, returned, i);
    }
    if (entry < 0) continue;
    revenueTotals.addCents(entry, revenueSum);
    if (costSum !== 0) costTotals.addCents(entry, costSum);
    if (returnedSum !== 0) returnedTotals.addCents(entry, returnedSum);
    if (first < (firstDay[entry] as number)) firstDay[entry] = first;
    if (last > (lastDay[entry] as number)) lastDay[entry] = last;
    orders[entry] = (orders[entry] as number) + orderCount;
  }
  const count = ids.length;
  const cut = (column: CentsColumn): CentsColumn => ({
    cents: column.cents.slice(0, count),
    exact: column.exact,
  });
  return {
    totals: {
      customerIds: ids,
      revenue: cut(revenueTotals.column()),
      cost: cut(costTotals.column()),
      returned: cut(returnedTotals.column()),
      orders: orders.slice(0, count),
      firstDay: firstDay.slice(0, count),
      lastDay: lastDay.slice(0, count),
    },
    entryOfLine,
    datesAscending,
  };
}
