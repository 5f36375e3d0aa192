import { type Money, type RoundingMode, roundMoney } from '../money.ts';
import type { IsoDate } from '../records.ts';
import { resultTable } from '../tables.ts';

/**
 * Output rows of the result tables this engine fills. Keys are exactly the column names of
 * core/tables.ts (a test holds them to it): money and rate columns are Decimals, double columns
 * numbers, bigint columns numbers, dates `YYYY-MM-DD` strings.
 */
export interface CustomerMetricsRow {
  customer_id: string;
  cohort: string;
  segment: string | null;
  acquisition_channel: string | null;
  region: string | null;
  acquired_on: IsoDate;
  revenue: Money;
  cogs: Money;
  returns: Money;
  service_cost: Money;
  acquisition_cost: Money;
  retention_cost: Money;
  profit: Money;
  orders: number;
  first_order: IsoDate | null;
  last_order: IsoDate | null;
  tenure_days: number;
  average_order_value: Money | null;
  orders_per_year: Money;
  churned: boolean;
  satisfaction_score: Money | null;
  clv_simple: Money;
  clv_discounted: Money;
  clv_continuous: Money;
  clv_formula: Money;
  /** Filled by the predictive CLV module. */
  clv_predicted: Money | null;
  /** 10th and 90th percentiles of clv_predicted under parameter uncertainty (core/clv/intervals.ts). */
  clv_predicted_p10: Money | null;
  clv_predicted_p90: Money | null;
  /** Contractual CLV: DERL x recurring margin over the customer's active subscriptions (sBG). */
  clv_contractual: Money | null;
  p_alive: number | null;
  expected_orders_next_year: number | null;
  expected_spend: Money | null;
  profit_decile: number;
  profit_tier: string | null;
}

export interface CohortMetricsRow {
  cohort_dimension: string;
  cohort: string;
  customers: number;
  active_customers: number;
  churn_rate: Money;
  annual_churn_rate: Money | null;
  revenue: Money;
  cogs: Money;
  returns: Money;
  service_cost: Money;
  acquisition_cost: Money;
  retention_cost: Money;
  profit: Money;
  profit_per_customer: Money;
  annual_profit_per_customer: Money | null;
  expected_tenure_years: Money | null;
  cohort_clv: Money | null;
  cohort_clv_discounted: Money | null;
}

export interface CohortRetentionRow {
  cohort: string;
  period_index: number;
  period: string;
  active_customers: number;
  retention_pct: Money;
  revenue: Money;
  profit: Money;
}

export interface SegmentProductProfitRow {
  segment: string | null;
  product_category: string | null;
  revenue: Money;
  cost: Money;
  profit: Money;
  customers: number;
}

export interface WhaleCurveRow {
  customer_rank_pct: Money;
  customers: number;
  cumulative_profit: Money;
  cumulative_profit_pct: Money | null;
}

export interface ServiceRoiRow {
  month: string;
  loyal_customers: number;
  disloyal_customers: number;
  clv: Money;
  benefit: Money;
  loss: Money;
  net_benefit: Money;
  net_cost: Money;
  roi_pct: Money | null;
}

/** Scale of DECIMAL(18,6) rate columns. */
const RATE_SCALE = 6;

const scalesByTable = new Map<string, Map<string, number>>();

function scalesOf(table: string): Map<string, number> {
  let scales = scalesByTable.get(table);
  if (!scales) {
    scales = new Map();
    for (const column of resultTable(table).columns) {
      if (column.type === 'money') scales.set(column.name, 2);
      else if (column.type === 'rate') scales.set(column.name, RATE_SCALE);
    }
    scalesByTable.set(table, scales);
  }
  return scales;
}

/**
 * Rounds the money (cents) and rate (6 places) columns of exact rows, driven by the table definition
 * so the scale always matches the Parquet and Glue types. Rounding happens here and nowhere else.
 */
export function roundRows<T extends object>(table: string, rows: T[], mode: RoundingMode): T[] {
  const round = rowRounder(table, mode);
  for (const row of rows) round(row);
  return rows;
}

/** roundRows for one row at a time (rows emitted as they are read; see CustomerMetricsRows). */
export function rowRounder(table: string, mode: RoundingMode): <T extends object>(row: T) => T {
  const scaled = [...scalesOf(table)];
  return (row) => {
    const record = row as Record<string, unknown>;
    for (const [column, scale] of scaled) {
      const value = record[column];
      if (value !== null && value !== undefined) record[column] = roundMoney(value as Money, scale, mode);
    }
    return row;
  };
}
