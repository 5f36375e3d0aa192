import type { Money } from '../money.ts';
import { centsOf } from '../profitability/cents.ts';
import type { IsoDate, TransactionRecord } from '../records.ts';
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
  /** Portfolio gross margin, for customers without revenue. */
  portfolioMargin: number;
}

interface CustomerAccumulator {
  /** Purchase days, ascending, and each day's revenue, while lines come in date order. */
  days: number[];
  dayRevenue: number[];
  /** Revenue by day once a line came out of date order (then `days` is no longer used). */
  revenueByDay: Map<number, number> | null;
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
 * The amount as the nearest double, as Decimal#toNumber gives it: for whole cents c (a safe
 * integer) c / 100 is that same correctly rounded double, without building text.
 */
function toNumber(value: Money): number {
  const cents = centsOf(value);
  return Number.isNaN(cents) ? value.toNumber() : cents / 100;
}

/**
 * Builds frequency, recency, age and average repeat spend at `end` (inclusive) from transaction
 * rows. Purchases on the same day are one purchase (their revenue is summed): the models count
 * purchase occasions, and exports often split one basket into several orders. Customers whose
 * first purchase is after `end` are not part of the calibration period. Amounts become plain
 * numbers here: the models produce estimates, not ledger amounts.
 */
export function summarizeTransactions(
  transactions: readonly TransactionRecord[],
  options: { end: IsoDate; timeUnit: TimeUnit; holdoutEnd?: IsoDate | null },
): CustomerSummaries {
  const endDay = dayNumber(options.end);
  const holdoutEndDay = options.holdoutEnd ? dayNumber(options.holdoutEnd) : endDay;
  const dayCache = new Map<string, number>();
  const byCustomer = new Map<string, CustomerAccumulator>();
  for (const t of transactions) {
    let day = dayCache.get(t.order_date);
    if (day === undefined) {
      day = dayNumber(t.order_date);
      dayCache.set(t.order_date, day);
    }
    if (day > holdoutEndDay) continue;
    let customer = byCustomer.get(t.customer_id);
    if (!customer) {
      customer = { days: [], dayRevenue: [], revenueByDay: null, revenue: 0, profit: 0, holdoutDays: null };
      byCustomer.set(t.customer_id, customer);
    }
    if (day > endDay) {
      customer.holdoutDays ??= new Set();
      customer.holdoutDays.add(day);
      continue;
    }
    const revenue = toNumber(t.revenue);
    addDayRevenue(customer, day, revenue);
    customer.revenue += revenue;
    customer.profit += revenue - toNumber(t.cost) - toNumber(t.returned_amount);
  }

  const unit = DAYS_PER_UNIT[options.timeUnit];
  const customerIds: string[] = [];
  const rows: { x: number; tx: number; T: number; m: number; margin: number; holdout: number }[] = [];
  let portfolioRevenue = 0;
  let portfolioProfit = 0;
  for (const [id, c] of byCustomer) {
    const byDay = c.revenueByDay;
    let days = c.days;
    let revenues = c.dayRevenue;
    if (byDay !== null) {
      days = [...byDay.keys()].sort((a, b) => a - b);
      revenues = days.map((d) => byDay.get(d)!);
    }
    if (days.length === 0) continue; // first purchase falls in the holdout
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
    });
    portfolioRevenue += c.revenue;
    portfolioProfit += c.profit;
  }
  return {
    customerIds,
    frequency: Float64Array.from(rows, (r) => r.x),
    recency: Float64Array.from(rows, (r) => r.tx),
    age: Float64Array.from(rows, (r) => r.T),
    monetary: Float64Array.from(rows, (r) => r.m),
    grossMargin: Float64Array.from(rows, (r) => r.margin),
    holdoutPurchases: Float64Array.from(rows, (r) => r.holdout),
    portfolioMargin: portfolioRevenue > 0 ? portfolioProfit / portfolioRevenue : 0,
  };
}
