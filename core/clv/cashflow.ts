import type { IsoDate } from '../records.ts';
import { eachCellExpectations, numberCells } from './cell-expectations.ts';
import { DAYS_PER_MONTH } from './config.ts';
import { addDays } from './dates.ts';
import type { PurchasePredictor } from './transaction-model.ts';

/**
 * Expected cash flows (issue 17, section 4): per cohort and future month, the orders, revenue and
 * margin the fitted models expect from today's customers, undiscounted and discounted, so the
 * predicted CLV can go into a budget month by month. Month m is the m-th average month
 * (365.25 / 12 days) after as_of; its purchases are E[Y(t_m)] - E[Y(t_{m-1})] per customer, paid at
 * the end of the month and discounted as the predicted CLV is (discounting.ts), so the discounted
 * margin over the first clv.horizonMonths months adds up (in doubles) to the model's CLVs of the
 * customers before rounding; the published clv_predicted are each rounded to the cent, so their
 * sum can differ from it by up to half a cent a customer.
 */

/** One row of `clv_cashflow` (columns in core/tables.ts). */
export interface ClvCashflowRow {
  /** The customer's cohort (customer_metrics.cohort), or `all` for every cohort together. */
  cohort: string;
  month_index: number;
  month_start: IsoDate;
  month_end: IsoDate;
  /** Customers of the cohort with a prediction. */
  customers: number;
  expected_orders: number;
  /** Null when Gamma-Gamma could not be fitted (no spend prediction). */
  expected_revenue: number | null;
  expected_margin: number | null;
  /** 1 / (1 + monthly rate)^month_index. */
  discount_factor: number;
  discounted_revenue: number | null;
  discounted_margin: number | null;
}

export interface CashflowInput {
  asOf: IsoDate;
  /** Per customer: summaries in the model's time unit (BG/BB: opportunities). */
  frequency: ArrayLike<number>;
  recency: ArrayLike<number>;
  age: ArrayLike<number>;
  /** Expected spend per purchase (Gamma-Gamma); null when there is no spend model. */
  expectedSpend: ArrayLike<number> | null;
  margin: ArrayLike<number>;
  /** Cohort label per customer; null leaves the customer out (no cohort known). */
  cohortOf(index: number): string | null;
  predictor: PurchasePredictor;
  months: number;
  /** Model time units per month. */
  unitsPerMonth: number;
  annualDiscountRate: number;
}

/**
 * What the cash flows need of the models, before any cohort is known: each customer's expected
 * purchases per month (customers sharing (x, t_x, T) share a cell of monthly purchases), spend and
 * margin. Plain typed arrays, so the thread that fitted the models can make it and hand it over;
 * the cohorts come from profitability, on the other thread (see cashflowRows).
 */
export interface CashflowBasis {
  asOf: IsoDate;
  months: number;
  annualDiscountRate: number;
  /** Customer i's purchases in month m+1 are perCell[cellAt[i] + m]. */
  cellAt: Int32Array;
  perCell: Float64Array;
  expectedSpend: Float64Array | null;
  margin: Float64Array;
}

export function expectedCashflows(input: CashflowInput): ClvCashflowRow[] {
  return cashflowRows(cashflowBasis(input), (index) => input.cohortOf(index));
}

/** Each customer's expected purchases per month as CashflowBasis holds them (cellAt, perCell). */
export type MonthlyPurchases = Pick<CashflowBasis, 'cellAt' | 'perCell'>;

/**
 * The monthly purchases of every customer (see CashflowBasis), each distinct (x, t_x, T) computed
 * once; `monthly` when the prediction already made them from its own cells (predictCustomers).
 */
export function cashflowBasis(
  input: Omit<CashflowInput, 'cohortOf'>,
  monthly: MonthlyPurchases = monthlyPurchases(input),
): CashflowBasis {
  const { cellAt, perCell } = monthly;
  return {
    asOf: input.asOf,
    months: input.months,
    annualDiscountRate: input.annualDiscountRate,
    cellAt,
    perCell,
    expectedSpend: input.expectedSpend === null ? null : Float64Array.from(input.expectedSpend),
    margin: Float64Array.from(input.margin),
  };
}

function monthlyPurchases(input: Omit<CashflowInput, 'cohortOf'>): MonthlyPurchases {
  const { months } = input;
  // Cell c's months at [c * months, (c + 1) * months) of one array, not a small one per cell: a
  // third of a million cells at a million customers, each read again by a customer at random.
  const { cells, cellOf } = numberCells(input.frequency, input.recency, input.age);
  const ts = new Float64Array(months);
  for (let m = 1; m <= months; m++) ts[m - 1] = m * input.unitsPerMonth;
  const perCell = new Float64Array(cells.count * months);
  eachCellExpectations(input.predictor, cells, ts, (cell, cumulative) =>
    writeMonthlyIncrements(cumulative, 0, months, perCell, cell * months),
  );
  return { cellAt: cellOf.map((cell) => cell * months), perCell };
}

/**
 * Each month's own expected purchases from the cumulative ones by month end, cumulative[from] being
 * month 1's: out[at + m - 1] = cumulative by month m - cumulative by month m - 1. The one way the
 * basis is made, from its own expectations or the prediction's.
 */
export function writeMonthlyIncrements(
  cumulative: ArrayLike<number>,
  from: number,
  months: number,
  out: Float64Array,
  at: number,
): void {
  let previous = 0;
  for (let m = 0; m < months; m++) {
    const value = cumulative[from + m] as number;
    out[at + m] = value - previous;
    previous = value;
  }
}

/**
 * The clv_cashflow rows: the basis summed per cohort (`cohortAt(i)`: customer i's cohort, null
 * leaves the customer out) and for all, customer by customer in index order.
 */
export function cashflowRows(
  basis: CashflowBasis,
  cohortAt: (index: number) => string | null,
): ClvCashflowRow[] {
  const { months, perCell, cellAt, expectedSpend } = basis;
  const sums = new Map<string, Sums>();
  const sumsOf = (cohort: string): Sums => {
    let s = sums.get(cohort);
    if (!s) {
      s = newSums(months);
      sums.set(cohort, s);
    }
    return s;
  };
  const total = newSums(months);
  for (let i = 0; i < cellAt.length; i++) {
    const cohort = cohortAt(i);
    if (cohort === null) continue;
    const at = cellAt[i] as number;
    const spend = expectedSpend ? (expectedSpend[i] as number) : Number.NaN;
    const margin = basis.margin[i] as number;
    addCustomer(sumsOf(cohort), perCell, at, spend, margin);
    addCustomer(total, perCell, at, spend, margin);
  }
  const monthlyFactor = 1 / (1 + basis.annualDiscountRate) ** (1 / 12);
  const rows: ClvCashflowRow[] = [];
  const cohorts = [...sums.keys()].sort();
  for (const [cohort, s] of [
    ...cohorts.map((c) => [c, sums.get(c) as Sums] as const),
    ['all', total] as const,
  ]) {
    if (s.customers === 0) continue;
    for (let m = 1; m <= months; m++) {
      const factor = monthlyFactor ** m;
      const revenue = finiteOrNull(s.revenue[m - 1] as number);
      const margin = finiteOrNull(s.margin[m - 1] as number);
      rows.push({
        cohort,
        month_index: m,
        month_start: addDays(basis.asOf, Math.floor((m - 1) * DAYS_PER_MONTH) + 1),
        month_end: addDays(basis.asOf, Math.floor(m * DAYS_PER_MONTH)),
        customers: s.customers,
        expected_orders: s.orders[m - 1] as number,
        expected_revenue: revenue,
        expected_margin: margin,
        discount_factor: factor,
        discounted_revenue: revenue === null ? null : revenue * factor,
        discounted_margin: margin === null ? null : margin * factor,
      });
    }
  }
  return rows;
}

interface Sums {
  customers: number;
  orders: Float64Array;
  revenue: Float64Array;
  margin: Float64Array;
}

function newSums(months: number): Sums {
  return {
    customers: 0,
    orders: new Float64Array(months),
    revenue: new Float64Array(months),
    margin: new Float64Array(months),
  };
}

function addCustomer(s: Sums, perCell: Float64Array, at: number, spend: number, margin: number): void {
  s.customers++;
  const { orders: sumOrders, revenue, margin: sumMargin } = s;
  for (let m = 0; m < sumOrders.length; m++) {
    const o = perCell[at + m] as number;
    sumOrders[m] = (sumOrders[m] as number) + o;
    revenue[m] = (revenue[m] as number) + o * spend;
    sumMargin[m] = (sumMargin[m] as number) + o * spend * margin;
  }
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
