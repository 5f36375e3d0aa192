import { amountNumber, toTransactionColumns } from '../profitability/transaction-columns.ts';
import type { IsoDate, TransactionColumns, TransactionRecord } from '../records.ts';
import { dayNumber } from './dates.ts';
import { DAYS_PER_UNIT, type RfmArrays, type TimeUnit } from './rfm-types.ts';

/** Per-customer summaries for one calibration period (parallel arrays, one entry per customer). */
export interface CustomerSummaries extends RfmArrays {
  customerIds: string[];
  /** Average revenue of the repeat purchase days (0 when there are none). */
  monetary: Float64Array;
  /** Gross margin (revenue - cost - returns) / revenue; NaN when revenue <= 0. */
  grossMargin: Float64Array;
  /** Repeat purchase days in the holdout period (0 without one). */
  holdoutPurchases: Float64Array;
  /**
   * Revenue and profit (revenue - cost - returns) of the customer's lines up to `end`, the floats
   * grossMargin divides: kept so that summaries of disjoint customer groups can be merged and the
   * portfolio margin summed again in the merged order (see merge-summaries.ts).
   */
  revenue: Float64Array;
  profit: Float64Array;
  /** Portfolio gross margin, for customers without revenue: portfolioMarginOf(revenue, profit). */
  portfolioMargin: number;
}

/**
 * Total profit over total revenue, summed customer after customer in the summaries' order (0 when
 * there is no revenue): the one way every summariser and the merge compute portfolioMargin, so the
 * floating-point additions are the same whichever of them ran.
 */
export function portfolioMarginOf(revenue: Float64Array, profit: Float64Array): number {
  let portfolioRevenue = 0;
  let portfolioProfit = 0;
  for (let k = 0; k < revenue.length; k++) {
    portfolioRevenue += revenue[k] as number;
    portfolioProfit += profit[k] as number;
  }
  return portfolioRevenue > 0 ? portfolioProfit / portfolioRevenue : 0;
}

interface CustomerAccumulator {
  /** Days with lines, ascending, and each day's revenue, while lines come in date order. */
  days: number[];
  dayRevenue: number[];
  /** Revenue by day once a line came out of date order (then `days` is no longer used). */
  revenueByDay: Map<number, number> | null;
  /** The days with a line that is not a credit note: the purchase days. */
  bought: Set<number>;
  revenue: number;
  profit: number;
  holdoutDays: Set<number> | null;
}

function addDayRevenue(c: CustomerAccumulator, day: number, revenue: number): void {
  if (c.revenueByDay === null) {
    const n = c.days.length;
    const last = n > 0 ? (c.days[n - 1] as number) : Number.NEGATIVE_INFINITY;
    if (day > last) {
      c.days.push(day);
      c.dayRevenue.push(0 + revenue);
      return;
    }
    if (day === last) {
      c.dayRevenue[n - 1] = (c.dayRevenue[n - 1] as number) + revenue;
      return;
    }
    c.revenueByDay = new Map(c.days.map((d, k) => [d, c.dayRevenue[k] as number]));
  }
  c.revenueByDay.set(day, (c.revenueByDay.get(day) ?? 0) + revenue);
}

/**
 * Builds frequency, recency, age and average repeat spend at `end` (inclusive) from transaction
 * rows. Purchases on the same day are one purchase (their revenue is summed): the models count
 * purchase occasions, and exports often split one basket into several orders. A day of credit
 * notes only (lines of negative revenue) is no purchase (isPurchaseLine); a credit note on a
 * purchase day nets into that day's spend, and every line counts in revenue and profit. Customers whose
 * first purchase is after `end` are not part of the calibration period. Amounts become plain
 * numbers here: the models produce estimates, not ledger amounts.
 */
export function summarizeTransactions(
  transactions: readonly TransactionRecord[] | TransactionColumns,
  options: { end: IsoDate; timeUnit: TimeUnit; holdoutEnd?: IsoDate | null },
): CustomerSummaries {
  const columns = isColumns(transactions) ? transactions : toTransactionColumns(transactions);
  const endDay = dayNumber(options.end);
  const holdoutEndDay = options.holdoutEnd ? dayNumber(options.holdoutEnd) : endDay;
  return (
    summarizeInDateOrder(columns, endDay, holdoutEndDay, options.timeUnit) ??
    summarizeAnyOrder(columns, endDay, holdoutEndDay, options.timeUnit)
  );
}

/**
 * Whether a line makes its day a purchase day: any line but a credit note (negative revenue). A
 * day of credit notes only is a refund, not a purchase occasion, so it neither raises a customer's
 * frequency nor keeps them looking alive. A line of no revenue (a free item) is still a purchase.
 */
export function isPurchaseLine(revenue: number): boolean {
  return revenue >= 0;
}

function isColumns(value: readonly TransactionRecord[] | TransactionColumns): value is TransactionColumns {
  return !Array.isArray(value);
}

/**
 * The general case, any line order: one accumulator object per customer, days kept in a map once a
 * line comes out of date order.
 */
function summarizeAnyOrder(
  columns: TransactionColumns,
  endDay: number,
  holdoutEndDay: number,
  timeUnit: TimeUnit,
): CustomerSummaries {
  const byCustomer = new Map<string, CustomerAccumulator>();
  for (let i = 0; i < columns.length; i++) {
    const day = columns.day[i] as number;
    if (day > holdoutEndDay) continue;
    const id = columns.customerIds[columns.customer[i] as number] as string;
    let customer = byCustomer.get(id);
    if (!customer) {
      customer = {
        days: [],
        dayRevenue: [],
        revenueByDay: null,
        bought: new Set(),
        revenue: 0,
        profit: 0,
        holdoutDays: null,
      };
      byCustomer.set(id, customer);
    }
    const revenue = amountNumber(columns.revenue, i);
    if (day > endDay) {
      if (isPurchaseLine(revenue)) {
        customer.holdoutDays ??= new Set();
        customer.holdoutDays.add(day);
      }
      continue;
    }
    addDayRevenue(customer, day, revenue);
    if (isPurchaseLine(revenue)) customer.bought.add(day);
    customer.revenue += revenue;
    customer.profit += revenue - amountNumber(columns.cost, i) - amountNumber(columns.returned, i);
  }

  const unit = DAYS_PER_UNIT[timeUnit];
  const customerIds: string[] = [];
  const rows: {
    x: number;
    tx: number;
    T: number;
    m: number;
    margin: number;
    holdout: number;
    revenue: number;
    profit: number;
  }[] = [];
  for (const [id, c] of byCustomer) {
    const byDay = c.revenueByDay;
    let days = c.days;
    let revenues = c.dayRevenue;
    if (byDay !== null) {
      days = [...byDay.keys()].sort((a, b) => a - b);
      revenues = days.map((d) => byDay.get(d)!);
    }
    if (c.bought.size < days.length) {
      revenues = revenues.filter((_, k) => c.bought.has(days[k]!));
      days = days.filter((d) => c.bought.has(d));
    }
    if (days.length === 0) continue; // first purchase falls in the holdout, or none was bought
    const first = days[0]!;
    const last = days[days.length - 1]!;
    let repeatRevenue = 0;
    for (let k = 1; k < days.length; k++) repeatRevenue += revenues[k]!;
    const x = days.length - 1;
    customerIds.push(id);
    rows.push({
      x,
      tx: (last - first) / unit,
      T: (endDay - first) / unit,
      m: x > 0 ? repeatRevenue / x : 0,
      margin: c.revenue > 0 ? c.profit / c.revenue : Number.NaN,
      holdout: c.holdoutDays?.size ?? 0,
      revenue: c.revenue,
      profit: c.profit,
    });
  }
  const revenue = Float64Array.from(rows, (r) => r.revenue);
  const profit = Float64Array.from(rows, (r) => r.profit);
  return {
    customerIds,
    frequency: Float64Array.from(rows, (r) => r.x),
    recency: Float64Array.from(rows, (r) => r.tx),
    age: Float64Array.from(rows, (r) => r.T),
    monetary: Float64Array.from(rows, (r) => r.m),
    grossMargin: Float64Array.from(rows, (r) => r.margin),
    holdoutPurchases: Float64Array.from(rows, (r) => r.holdout),
    revenue,
    profit,
    portfolioMargin: portfolioMarginOf(revenue, profit),
  };
}

/**
 * The same summaries in one pass of per-customer numbers (no object per customer), valid when each
 * customer's lines come in date order (always so for a loaded snapshot, sorted by customer, then date). Performs
 * the very same floating-point additions in the same order as summarizeAnyOrder, so results are
 * identical. Returns null when some customer's lines go back in time.
 */
function summarizeInDateOrder(
  columns: TransactionColumns,
  endDay: number,
  holdoutEndDay: number,
  timeUnit: TimeUnit,
): CustomerSummaries | null {
  const { customer, day } = columns;
  const count = columns.customerIds.length;
  const lastSeen = new Float64Array(count).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < columns.length; i++) {
    const d = day[i] as number;
    if (d > holdoutEndDay) continue;
    const c = customer[i] as number;
    if (d < (lastSeen[c] as number)) return null;
    lastSeen[c] = d;
  }
  /** Customers in order of first sight (the general path's map order). */
  const order: number[] = [];
  const seen = new Uint8Array(count);
  // Purchase days so far (the open day not counted), the first and the last of them.
  const firstDay = new Int32Array(count);
  const lastDay = new Int32Array(count);
  const days = new Int32Array(count);
  const holdout = new Int32Array(count);
  const lastHoldoutDay = new Float64Array(count).fill(Number.NaN);
  /** The open day (the latest seen), its revenue and whether it is a purchase day. */
  const openDay = new Float64Array(count).fill(Number.NaN);
  const dayRevenue = new Float64Array(count);
  const dayBought = new Uint8Array(count);
  /** The sum of the completed repeat purchase days' revenue. */
  const repeatRevenue = new Float64Array(count);
  const revenues = new Float64Array(count);
  const profits = new Float64Array(count);
  // Closes customer c's open day: a purchase day if one of its lines was a purchase.
  const close = (c: number): void => {
    if (dayBought[c] === 0) return;
    const n = days[c] as number;
    const d = openDay[c] as number;
    if (n === 0) firstDay[c] = d;
    else repeatRevenue[c] = (repeatRevenue[c] as number) + (dayRevenue[c] as number);
    lastDay[c] = d;
    days[c] = n + 1;
  };
  for (let i = 0; i < columns.length; i++) {
    const d = day[i] as number;
    if (d > holdoutEndDay) continue;
    const c = customer[i] as number;
    if (seen[c] === 0) {
      seen[c] = 1;
      order.push(c);
    }
    const revenue = amountNumber(columns.revenue, i);
    if (d > endDay) {
      if (isPurchaseLine(revenue) && lastHoldoutDay[c] !== d) {
        lastHoldoutDay[c] = d;
        holdout[c] = (holdout[c] as number) + 1;
      }
      continue;
    }
    if (d !== openDay[c]) {
      close(c);
      openDay[c] = d;
      dayRevenue[c] = 0 + revenue;
      dayBought[c] = 0;
    } else dayRevenue[c] = (dayRevenue[c] as number) + revenue;
    if (isPurchaseLine(revenue)) dayBought[c] = 1;
    revenues[c] = (revenues[c] as number) + revenue;
    profits[c] =
      (profits[c] as number) + (revenue - amountNumber(columns.cost, i) - amountNumber(columns.returned, i));
  }
  for (const c of order) close(c);
  const unit = DAYS_PER_UNIT[timeUnit];
  const customerIds: string[] = [];
  const kept = order.filter((c) => (days[c] as number) > 0); // others' first purchase is in the holdout
  const frequency = new Float64Array(kept.length);
  const recency = new Float64Array(kept.length);
  const age = new Float64Array(kept.length);
  const monetary = new Float64Array(kept.length);
  const grossMargin = new Float64Array(kept.length);
  const holdoutPurchases = new Float64Array(kept.length);
  const keptRevenue = new Float64Array(kept.length);
  const keptProfit = new Float64Array(kept.length);
  for (let k = 0; k < kept.length; k++) {
    const c = kept[k] as number;
    const n = days[c] as number;
    const repeat = repeatRevenue[c] as number;
    const x = n - 1;
    const first = firstDay[c] as number;
    const revenue = revenues[c] as number;
    const profit = profits[c] as number;
    customerIds.push(columns.customerIds[c] as string);
    frequency[k] = x;
    recency[k] = ((lastDay[c] as number) - first) / unit;
    age[k] = (endDay - first) / unit;
    monetary[k] = x > 0 ? repeat / x : 0;
    grossMargin[k] = revenue > 0 ? profit / revenue : Number.NaN;
    holdoutPurchases[k] = holdout[c] as number;
    keptRevenue[k] = revenue;
    keptProfit[k] = profit;
  }
  return {
    customerIds,
    frequency,
    recency,
    age,
    monetary,
    grossMargin,
    holdoutPurchases,
    revenue: keptRevenue,
    profit: keptProfit,
    portfolioMargin: portfolioMarginOf(keptRevenue, keptProfit),
  };
}
