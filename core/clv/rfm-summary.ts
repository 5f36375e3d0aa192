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
  revenueByDay: Map<number, number>;
  revenue: number;
  profit: number;
  holdoutDays: Set<number>;
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
      customer = { revenueByDay: new Map(), revenue: 0, profit: 0, holdoutDays: new Set() };
      byCustomer.set(t.customer_id, customer);
    }
    if (day > endDay) {
      customer.holdoutDays.add(day);
      continue;
    }
    const revenue = t.revenue.toNumber();
    customer.revenueByDay.set(day, (customer.revenueByDay.get(day) ?? 0) + revenue);
    customer.revenue += revenue;
    customer.profit += revenue - t.cost.toNumber() - t.returned_amount.toNumber();
  }

  const unit = DAYS_PER_UNIT[options.timeUnit];
  const customerIds: string[] = [];
  const rows: { x: number; tx: number; T: number; m: number; margin: number; holdout: number }[] = [];
  let portfolioRevenue = 0;
  let portfolioProfit = 0;
  for (const [id, c] of byCustomer) {
    if (c.revenueByDay.size === 0) continue; // first purchase falls in the holdout
    const days = [...c.revenueByDay.keys()].sort((a, b) => a - b);
    const first = days[0]!;
    const last = days[days.length - 1]!;
    let repeatRevenue = 0;
    for (let k = 1; k < days.length; k++) repeatRevenue += c.revenueByDay.get(days[k]!)!;
    const x = days.length - 1;
    customerIds.push(id);
    rows.push({
      x,
      tx: (last - first) / unit,
      T: (endDay - first) / unit,
      m: x > 0 ? repeatRevenue / x : 0,
      margin: c.revenue > 0 ? c.profit / c.revenue : Number.NaN,
      holdout: c.holdoutDays.size,
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
