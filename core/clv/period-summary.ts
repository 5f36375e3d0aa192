import { amountNumber } from '../profitability/transaction-columns.ts';
import type { IsoDate, TransactionColumns } from '../records.ts';
import { dayNumber, fromDayNumber } from './dates.ts';
import { isPurchaseLine, portfolioMarginOf } from './rfm-summary.ts';

/** Length of a BG/BB transaction opportunity. */
export type OpportunityPeriod = 'year' | 'quarter' | 'month';

export const MONTHS_PER_OPPORTUNITY: Record<OpportunityPeriod, number> = { year: 12, quarter: 3, month: 1 };

/** Calendar periods numbered consecutively (years, quarters or months since year 0). */
export function periodIndexOfDay(day: number, period: OpportunityPeriod): number {
  const date = fromDayNumber(day);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1;
  if (period === 'year') return year;
  if (period === 'quarter') return year * 4 + Math.floor(month / 3);
  return year * 12 + month;
}

/**
 * Discrete-time summaries for BG/BB, one entry per customer (parallel arrays):
 * - opportunities n: complete periods after the customer's first purchase period, up to the last
 *   period that ends on or before `end` (a period still running at `end` is not an opportunity yet);
 * - frequency x: of those, the periods with at least one purchase;
 * - recency t_x: the last such period, counted from the first purchase period (0 when x = 0);
 * - monetary: average revenue of the repeat purchase periods (0 when x = 0);
 * - holdoutPurchases: periods with a purchase after `end` up to `holdoutEnd` (0 without one).
 * Customers whose first purchase falls after the last complete period are left out.
 */
export interface PeriodSummaries {
  customerIds: string[];
  frequency: Float64Array;
  recency: Float64Array;
  opportunities: Float64Array;
  monetary: Float64Array;
  grossMargin: Float64Array;
  holdoutPurchases: Float64Array;
  /** Revenue and profit of the complete periods up to `end` (see CustomerSummaries). */
  revenue: Float64Array;
  profit: Float64Array;
  /** portfolioMarginOf(revenue, profit). */
  portfolioMargin: number;
}

export function summarizeByPeriod(
  columns: TransactionColumns,
  options: { end: IsoDate; period: OpportunityPeriod; holdoutEnd?: IsoDate | null },
): PeriodSummaries {
  const { period } = options;
  // The last complete period: the one before the period of the day after `end`.
  const lastPeriod = periodIndexOfDay(dayNumber(options.end) + 1, period) - 1;
  const holdoutLast = options.holdoutEnd
    ? periodIndexOfDay(dayNumber(options.holdoutEnd) + 1, period) - 1
    : lastPeriod;
  const count = columns.customerIds.length;
  const first = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
  // Period of every line, once (date -> period through a small cache: lines share days).
  const periodOf = new Int32Array(columns.length);
  const cache = new Map<number, number>();
  for (let i = 0; i < columns.length; i++) {
    const day = columns.day[i]!;
    let p = cache.get(day);
    if (p === undefined) {
      p = periodIndexOfDay(day, period);
      cache.set(day, p);
    }
    periodOf[i] = p;
    const c = columns.customer[i]!;
    if (p <= lastPeriod && p < first[c]! && isPurchaseLine(amountNumber(columns.revenue, i))) first[c] = p;
  }
  // Revenue per (customer, period), keyed customer · span + offset from the first period.
  const span = Math.max(1, holdoutLast + 1);
  const byPeriod = new Map<number, number>();
  // The (customer, period) keys with a purchase line: a period of credit notes only is no purchase.
  const bought = new Set<number>();
  const revenue = new Float64Array(count);
  const profit = new Float64Array(count);
  for (let i = 0; i < columns.length; i++) {
    const c = columns.customer[i]!;
    const p = periodOf[i]!;
    if (!Number.isFinite(first[c]!) || p > holdoutLast) continue;
    const r = amountNumber(columns.revenue, i);
    if (p <= lastPeriod) {
      revenue[c] = revenue[c]! + r;
      profit[c] = profit[c]! + (r - amountNumber(columns.cost, i) - amountNumber(columns.returned, i));
    }
    const key = c * span + p;
    byPeriod.set(key, (byPeriod.get(key) ?? 0) + r);
    if (isPurchaseLine(r)) bought.add(key);
  }
  const frequency = new Float64Array(count);
  const recency = new Float64Array(count);
  const repeatRevenue = new Float64Array(count);
  const holdout = new Float64Array(count);
  for (const [key, r] of byPeriod) {
    const c = Math.floor(key / span);
    const p = key - c * span;
    const offset = p - first[c]!;
    if (offset <= 0 || !bought.has(key)) continue;
    if (p > lastPeriod) {
      holdout[c] = holdout[c]! + 1;
      continue;
    }
    frequency[c] = frequency[c]! + 1;
    repeatRevenue[c] = repeatRevenue[c]! + r;
    if (offset > recency[c]!) recency[c] = offset;
  }
  const kept: number[] = [];
  for (let c = 0; c < count; c++) if (Number.isFinite(first[c]!)) kept.push(c);
  const keptRevenue = Float64Array.from(kept, (c) => revenue[c]!);
  const keptProfit = Float64Array.from(kept, (c) => profit[c]!);
  return {
    customerIds: kept.map((c) => columns.customerIds[c]!),
    frequency: Float64Array.from(kept, (c) => frequency[c]!),
    recency: Float64Array.from(kept, (c) => recency[c]!),
    opportunities: Float64Array.from(kept, (c) => lastPeriod - first[c]!),
    monetary: Float64Array.from(kept, (c) => (frequency[c]! > 0 ? repeatRevenue[c]! / frequency[c]! : 0)),
    grossMargin: Float64Array.from(kept, (c) => (revenue[c]! > 0 ? profit[c]! / revenue[c]! : Number.NaN)),
    holdoutPurchases: Float64Array.from(kept, (c) => holdout[c]!),
    revenue: keptRevenue,
    profit: keptProfit,
    portfolioMargin: portfolioMarginOf(keptRevenue, keptProfit),
  };
}
