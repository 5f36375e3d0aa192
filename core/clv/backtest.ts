import { fromUnscaled, type Money, ZERO } from '../money.ts';
import { amountNumber, canonicalMerge } from '../profitability/transaction-columns.ts';
import type { IsoDate, TransactionColumns } from '../records.ts';
import { compareCodePoints } from '../text/code-points.ts';
import { type ClvModelConfig, DAYS_NEXT_YEAR } from './config.ts';
import { dayNumber } from './dates.ts';
import { type OpportunityPeriod, periodIndexOfDay } from './period-summary.ts';
import { isPurchaseLine } from './rfm-summary.ts';

/**
 * Yesterday's predictions against today (issue 17, section 4): what an earlier run published per
 * customer, scored against what those customers did between that run's as_of and this one's.
 */

/** Window days are keyed below this per customer (179 years). */
const DAY_SPAN = 65536;

/** What an earlier run published in customer_metrics, as parallel columns (entry i = customerIds[i]). */
export interface EarlierPredictions {
  /** That run's as_of. */
  asOf: IsoDate;
  customerIds: readonly string[];
  /** clv_predicted; NaN where that run published none (the formula CLV stood). */
  clvPredicted: Float64Array;
  /** expected_orders_next_year: expected purchase days in the 52 weeks after that run; NaN when none. */
  expectedOrdersNextYear: Float64Array;
  /** average_order_value (revenue per order up to that run); NaN when none. */
  averageOrderValue: Float64Array;
  /**
   * expected_spend (the model's revenue per purchase day); NaN when none, absent or all NaN for
   * runs published before the column.
   */
  expectedSpend?: Float64Array;
}

/** One row of `clv_backtest` (columns in core/tables.ts). */
export interface ClvBacktestRow {
  /** The earlier run scored. */
  predicted_as_of: IsoDate;
  /** The configured lookback (clv.backtestDays) the earlier run stands for. */
  lookback_days: number;
  /** Days from that run's as_of to this run's: the window the actuals are counted over. */
  days: number;
  /** `decile` (1 = highest predicted CLV), `no_prediction` (no clv_predicted then), or `total`. */
  bucket: 'decile' | 'no_prediction' | 'total';
  decile: number | null;
  customers: number;
  /** Sum of the clv_predicted the earlier run published for these customers. */
  predicted_clv: number;
  /** expected_orders_next_year x days / 364: the published 52-week figure pro rata over the window. */
  predicted_purchases: number;
  /**
   * Purchase days in the window (several orders on one day are one purchase, as the models count);
   * with clv.model bgbb, the opportunities (years, quarters or months) of the window with a purchase.
   */
  actual_purchases: number;
  /** Distinct orders in the window. */
  actual_orders: number;
  /**
   * predicted_purchases x the revenue per purchase day the earlier run expected (expected_spend),
   * or, where it published none, x the customer's average order value as of then.
   */
  predicted_revenue: number;
  /** Revenue of the window's lines, exact. */
  actual_revenue: Money;
  /** (actual - predicted) / predicted purchases x 100; null when nothing was predicted. */
  purchases_error_pct: number | null;
  /** (actual - predicted) / predicted revenue x 100; null when nothing was predicted. */
  revenue_error_pct: number | null;
}

interface Bucket {
  customers: number;
  predictedClv: number;
  predictedPurchases: number;
  actualPurchases: number;
  actualOrders: number;
  predictedRevenue: number;
  /** Revenue in integer cents while it stays exact; `exact` holds anything beyond. */
  cents: bigint;
  exact: Money;
}

const emptyBucket = (): Bucket => ({
  customers: 0,
  predictedClv: 0,
  predictedPurchases: 0,
  actualPurchases: 0,
  actualOrders: 0,
  predictedRevenue: 0,
  cents: 0n,
  exact: ZERO,
});

/**
 * What customers did between two dates, from the transactions alone: per customer with lines in
 * the window (from `fromAsOf`, exclusive, to `toAsOf`, inclusive), in the order customers are
 * first seen there (canonical order for loaded columns). Customers' figures depend on their own
 * lines only, so buckets of customers can each make theirs and mergeWindowActuals joins them.
 */
export interface WindowActuals {
  fromAsOf: IsoDate;
  toAsOf: IsoDate;
  /** What a purchase is counted in: days, or BG/BB's opportunities (see backtestPurchaseUnit). */
  purchaseUnit?: OpportunityPeriod | null;
  customerIds: string[];
  /**
   * Purchase days in the window (several orders on one day are one purchase); with a purchase
   * unit, the years, quarters or months of the window with a purchase.
   */
  purchases: Float64Array;
  /** Orders placed in the window (lines flagged orderStart). */
  orders: Float64Array;
  /** Revenue of the window's lines in whole cents, summed in line order (exact as integers). */
  revenueCents: Float64Array;
  /** By customer index: the revenue of lines not in whole cents (their exact amounts, summed). */
  exactRevenue: Map<number, Money>;
}

function windowDays(fromAsOf: IsoDate, toAsOf: IsoDate): { from: number; to: number } | null {
  const from = dayNumber(fromAsOf);
  const to = dayNumber(toAsOf);
  const days = to - from;
  return days <= 0 || days >= DAY_SPAN ? null : { from, to };
}

/**
 * What the backtest counts purchases in: the unit the models predict them in. BG/NBD and its kin
 * predict purchase days; BG/BB predicts opportunities (years, quarters or months) with a purchase,
 * so its actuals are counted in those. Tonight's settings stand for the earlier run's.
 */
export function backtestPurchaseUnit(config: Pick<ClvModelConfig, 'model' | 'opportunityPeriod'>) {
  return config.model === 'bgbb' ? config.opportunityPeriod : null;
}

/**
 * The actuals, if they count purchases in `unit`; else an Error. A scaled-out run's buckets count
 * them, and one summarised by a function deployed before a change of unit, or under other
 * settings, would otherwise be scored in the wrong unit without a word.
 */
export function inPurchaseUnit(actuals: WindowActuals, unit: OpportunityPeriod | null): WindowActuals {
  const counted = actuals.purchaseUnit ?? null;
  if (counted !== unit)
    throw new Error(
      `the actuals from ${actuals.fromAsOf} to ${actuals.toAsOf} count purchases in ${counted ?? 'days'}, tonight's settings in ${unit ?? 'days'}: summarise the buckets again`,
    );
  return actuals;
}

/** The window's actuals per customer (see WindowActuals): the one pass over the lines a backtest makes. */
export function windowActuals(
  transactions: TransactionColumns,
  fromAsOf: IsoDate,
  toAsOf: IsoDate,
  purchaseUnit: OpportunityPeriod | null = null,
): WindowActuals {
  const window = windowDays(fromAsOf, toAsOf);
  if (!window) throw new RangeError(`window actuals from ${fromAsOf} to ${toAsOf}: not a window`);
  const { from, to } = window;
  // A purchase's unit by its day in the window: the day itself, or its period from the first's.
  const unitOfDay = new Int32Array(to - from + 1);
  if (purchaseUnit !== null) {
    const first = periodIndexOfDay(from, purchaseUnit);
    for (let d = from; d <= to; d++) unitOfDay[d - from] = periodIndexOfDay(d, purchaseUnit) - first;
  } else for (let d = from; d <= to; d++) unitOfDay[d - from] = d - from;
  // Customer code -> index among the window's customers (-1 until seen).
  const codeToIndex = new Int32Array(transactions.customerIds.length).fill(-1);
  const customerIds: string[] = [];
  let orders = new Float64Array(64);
  let cents = new Float64Array(64);
  const exactRevenue = new Map<number, Money>();
  // (customer, day) keys of the window's purchase lines: sorted, each distinct key is one purchase day.
  let keys = new Float64Array(1024);
  let count = 0;
  for (let line = 0; line < transactions.length; line++) {
    const day = transactions.day[line] as number;
    if (day <= from || day > to) continue;
    const code = transactions.customer[line] as number;
    let i = codeToIndex[code] as number;
    if (i < 0) {
      i = customerIds.push(transactions.customerIds[code] as string) - 1;
      codeToIndex[code] = i;
      if (i === orders.length) {
        orders = grown(orders);
        cents = grown(cents);
      }
    }
    // A day of credit notes only is no purchase day (isPurchaseLine), though its revenue counts.
    if (isPurchaseLine(amountNumber(transactions.revenue, line))) {
      if (count === keys.length) keys = grown(keys);
      keys[count++] = i * DAY_SPAN + (unitOfDay[day - from] as number);
    }
    if (transactions.orderStart[line] === 1) orders[i] = (orders[i] as number) + 1;
    const lineCents = transactions.revenue.cents[line] as number;
    if (Number.isNaN(lineCents)) {
      const amount = transactions.revenue.exact.get(line) as Money;
      exactRevenue.set(i, (exactRevenue.get(i) ?? ZERO).plus(amount));
    } else cents[i] = (cents[i] as number) + lineCents;
  }
  const n = customerIds.length;
  const purchases = new Float64Array(n);
  const sorted = keys.subarray(0, count).sort();
  for (let k = 0; k < count; k++)
    if (k === 0 || sorted[k] !== sorted[k - 1]) {
      const i = Math.floor((sorted[k] as number) / DAY_SPAN);
      purchases[i] = (purchases[i] as number) + 1;
    }
  return {
    fromAsOf,
    toAsOf,
    purchaseUnit,
    customerIds,
    purchases,
    orders: orders.slice(0, n),
    revenueCents: cents.slice(0, n),
    exactRevenue,
  };
}

function grown(array: Float64Array): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * The actuals of disjoint groups of customers (windowActuals over each group's columns, same
 * window) as one, customers in canonical order: over canonically ordered columns, exactly
 * windowActuals over all of them. Throws when the windows differ, a customer is in two parts, or
 * there are no parts.
 */
export function mergeWindowActuals(parts: readonly WindowActuals[]): WindowActuals {
  const first = parts[0];
  if (first === undefined) throw new Error('merging window actuals: no parts');
  for (let p = 1; p < parts.length; p++) {
    const part = parts[p] as WindowActuals;
    if (part.fromAsOf !== first.fromAsOf || part.toAsOf !== first.toAsOf)
      throw new Error(
        `merging window actuals: part ${p} is the window ${part.fromAsOf} to ${part.toAsOf}, part 0 ${first.fromAsOf} to ${first.toAsOf}`,
      );
    if ((part.purchaseUnit ?? null) !== (first.purchaseUnit ?? null))
      throw new Error(
        `merging window actuals: part ${p} counts purchases in ${part.purchaseUnit ?? 'days'}, part 0 in ${first.purchaseUnit ?? 'days'}`,
      );
  }
  const { customerIds, part, index } = canonicalMerge(parts);
  const n = customerIds.length;
  const column = (name: 'purchases' | 'orders' | 'revenueCents'): Float64Array => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++)
      out[k] = (parts[part[k] as number] as WindowActuals)[name][index[k] as number] as number;
    return out;
  };
  const exactRevenue = new Map<number, Money>();
  for (let k = 0; k < n; k++) {
    const exact = (parts[part[k] as number] as WindowActuals).exactRevenue.get(index[k] as number);
    if (exact !== undefined) exactRevenue.set(k, exact);
  }
  return {
    fromAsOf: first.fromAsOf,
    toAsOf: first.toAsOf,
    purchaseUnit: first.purchaseUnit ?? null,
    customerIds,
    purchases: column('purchases'),
    orders: column('orders'),
    revenueCents: column('revenueCents'),
    exactRevenue,
  };
}

/**
 * Scores an earlier run's predictions: its customers are ranked by the CLV it predicted (highest
 * first, ties by customer id) and cut into ten equal-count deciles; per decile, for the customers
 * without a prediction, and in total, predicted vs actual purchases and revenue over the days from
 * its as_of (exclusive) to `asOf` (inclusive). Customers acquired since that run are not part of it:
 * they were not predicted. Transactions are counted as they stand today (a restated export restates
 * the actuals too).
 */
export function scoreBacktest(
  earlier: EarlierPredictions,
  transactions: TransactionColumns,
  asOf: IsoDate,
  lookbackDays: number = dayNumber(asOf) - dayNumber(earlier.asOf),
): ClvBacktestRow[] {
  if (!windowDays(earlier.asOf, asOf))
    throw new RangeError(`backtest of ${earlier.asOf} from ${asOf}: not an earlier run`);
  return scoreBacktestActuals(earlier, windowActuals(transactions, earlier.asOf, asOf), asOf, lookbackDays);
}

/**
 * scoreBacktest from the window's actuals (windowActuals from the earlier run's as_of to `asOf`,
 * or mergeWindowActuals of buckets' ones): the same rows.
 */
export function scoreBacktestActuals(
  earlier: EarlierPredictions,
  actuals: WindowActuals,
  asOf: IsoDate,
  lookbackDays: number = dayNumber(asOf) - dayNumber(earlier.asOf),
): ClvBacktestRow[] {
  const window = windowDays(earlier.asOf, asOf);
  if (!window) throw new RangeError(`backtest of ${earlier.asOf} from ${asOf}: not an earlier run`);
  if (actuals.fromAsOf !== earlier.asOf || actuals.toAsOf !== asOf)
    throw new Error(
      `backtest of ${earlier.asOf} from ${asOf}: the actuals are of the window ${actuals.fromAsOf} to ${actuals.toAsOf}`,
    );
  const days = window.to - window.from;
  const n = earlier.customerIds.length;

  // Actuals per earlier customer: the window's customers mapped to the earlier positions.
  const position = new Map<string, number>();
  for (let i = 0; i < n; i++) position.set(earlier.customerIds[i] as string, i);
  const purchases = new Float64Array(n);
  const orders = new Float64Array(n);
  const cents = new Float64Array(n);
  const exactRevenue = new Map<number, Money>();
  for (let k = 0; k < actuals.customerIds.length; k++) {
    const i = position.get(actuals.customerIds[k] as string);
    if (i === undefined) continue;
    purchases[i] = actuals.purchases[k] as number;
    orders[i] = actuals.orders[k] as number;
    cents[i] = actuals.revenueCents[k] as number;
    const exact = actuals.exactRevenue.get(k);
    if (exact !== undefined) exactRevenue.set(i, exact);
  }

  const byId = (x: number, y: number): number =>
    compareCodePoints(earlier.customerIds[x] as string, earlier.customerIds[y] as string);
  // Deciles by predicted CLV, highest first; ties by customer id (in code point order, as the
  // rest of the job orders ids) so the cut is deterministic.
  const ranked: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(earlier.clvPredicted[i] as number)) ranked.push(i);
  ranked.sort(
    (x, y) => (earlier.clvPredicted[y] as number) - (earlier.clvPredicted[x] as number) || byId(x, y),
  );
  const deciles = Array.from({ length: 10 }, emptyBucket);
  const unscored = emptyBucket();
  const total = emptyBucket();
  const share = days / DAYS_NEXT_YEAR;
  const add = (bucket: Bucket, i: number): void => {
    const expected = earlier.expectedOrdersNextYear[i] as number;
    const predicted = Number.isFinite(expected) ? expected * share : 0;
    // Purchases are purchase days, so the model's revenue per purchase day prices them; revenue
    // per order, the stand-in for runs without it, reads low where a day holds several orders.
    const spend = earlier.expectedSpend?.[i] ?? Number.NaN;
    const perPurchase = Number.isFinite(spend) ? spend : (earlier.averageOrderValue[i] as number);
    bucket.customers++;
    const clv = earlier.clvPredicted[i] as number;
    if (!Number.isNaN(clv)) bucket.predictedClv += clv;
    bucket.predictedPurchases += predicted;
    bucket.predictedRevenue += Number.isFinite(perPurchase) ? predicted * perPurchase : 0;
    bucket.actualPurchases += purchases[i] as number;
    bucket.actualOrders += orders[i] as number;
    bucket.cents += BigInt(cents[i] as number);
    const exact = exactRevenue.get(i);
    if (exact) bucket.exact = bucket.exact.plus(exact);
  };
  for (let rank = 0; rank < ranked.length; rank++) {
    const i = ranked[rank] as number;
    add(deciles[Math.floor((rank * 10) / ranked.length)] as Bucket, i);
    add(total, i);
  }
  // In id order, as the scored ones are ranked: the earlier run's rows come in whatever order its
  // files hold them (a part per bucket when it scaled out), and sums of doubles depend on order.
  const unranked: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isNaN(earlier.clvPredicted[i] as number)) unranked.push(i);
  unranked.sort(byId);
  for (const i of unranked) {
    add(unscored, i);
    add(total, i);
  }

  const row = (bucket: Bucket, kind: ClvBacktestRow['bucket'], decile: number | null): ClvBacktestRow => {
    const revenue = fromUnscaled(bucket.cents, 2).plus(bucket.exact);
    const error = (actual: number, predicted: number): number | null =>
      predicted > 0 ? ((actual - predicted) / predicted) * 100 : null;
    return {
      predicted_as_of: earlier.asOf,
      lookback_days: lookbackDays,
      days,
      bucket: kind,
      decile,
      customers: bucket.customers,
      predicted_clv: bucket.predictedClv,
      predicted_purchases: bucket.predictedPurchases,
      actual_purchases: bucket.actualPurchases,
      actual_orders: bucket.actualOrders,
      predicted_revenue: bucket.predictedRevenue,
      actual_revenue: revenue,
      purchases_error_pct: error(bucket.actualPurchases, bucket.predictedPurchases),
      revenue_error_pct: error(revenue.toNumber(), bucket.predictedRevenue),
    };
  };
  const rows = deciles
    .map((bucket, d) => ({ bucket, d }))
    .filter(({ bucket }) => bucket.customers > 0)
    .map(({ bucket, d }) => row(bucket, 'decile', d + 1));
  if (unscored.customers > 0) rows.push(row(unscored, 'no_prediction', null));
  rows.push(row(total, 'total', null));
  return rows;
}

/** One earlier run to score: the configured lookback and the run found for it. */
export interface BacktestRun {
  /** The configured lookback (clv.backtestDays). */
  lookbackDays: number;
  asOf: IsoDate;
}

/** An earlier run within this many days before the lookback's date stands in for it (runs skip days). */
export const BACKTEST_TOLERANCE_DAYS = 7;

/**
 * Which published runs to score: for each lookback N, the newest run dated on or before as_of - N
 * and at most BACKTEST_TOLERANCE_DAYS before it; none when there is no such run. A run found for
 * two lookbacks is scored once (for the shorter).
 */
export function backtestRuns(
  published: readonly IsoDate[],
  asOf: IsoDate,
  lookbackDays: readonly number[],
): BacktestRun[] {
  const today = dayNumber(asOf);
  const dates = [...new Set(published)].map((d) => ({ date: d, day: dayNumber(d) }));
  dates.sort((a, b) => b.day - a.day);
  const runs: BacktestRun[] = [];
  const taken = new Set<IsoDate>();
  for (const lookback of [...new Set(lookbackDays)].sort((a, b) => a - b)) {
    const target = today - lookback;
    const found = dates.find((d) => d.day <= target && d.day >= target - BACKTEST_TOLERANCE_DAYS);
    if (!found || taken.has(found.date)) continue;
    taken.add(found.date);
    runs.push({ lookbackDays: lookback, asOf: found.date });
  }
  return runs;
}
