import type { SqlRunner } from '../../shared/sql-runner.ts';
import { dateLiteral, decimalText, toNumber, toText } from './sql-values.ts';

export interface WhalePoint {
  rankPct: number;
  cumulativeProfitPct: number;
  cumulativeProfit: string;
}

/** The cost parts of a cohort's revenue, in stacking order; revenue = their sum + profit. */
export const COST_PARTS = ['cogs', 'returns', 'service_cost', 'acquisition_cost', 'retention_cost'] as const;
export type CostPart = (typeof COST_PARTS)[number];

export interface CohortProfit {
  cohort: string;
  customers: number;
  revenue: string;
  profit: string;
  costs: Record<CostPart, string>;
}

export interface RetentionCell {
  cohort: string;
  periodIndex: number;
  retentionPct: number;
  activeCustomers: number;
}

export interface SegmentProductCell {
  segment: string;
  productCategory: string;
  revenue: string;
  profit: string;
  customers: number;
}

export async function loadWhale(sql: SqlRunner, asOf: string): Promise<WhalePoint[]> {
  const result = await sql.query(
    `SELECT CAST(customer_rank_pct AS DOUBLE) AS rank_pct, CAST(cumulative_profit_pct AS DOUBLE) AS profit_pct,
            CAST(cumulative_profit AS VARCHAR) AS profit
     FROM whale_curve WHERE as_of = ${dateLiteral(asOf)} ORDER BY customer_rank_pct`,
  );
  return result.rows.map((r) => ({
    rankPct: toNumber(r.rank_pct),
    cumulativeProfitPct: toNumber(r.profit_pct),
    cumulativeProfit: decimalText(r.profit) ?? '0',
  }));
}

/** Monthly acquisition cohorts (the `acquisition_month` cut of cohort_metrics). */
export async function loadCohortProfit(sql: SqlRunner, asOf: string): Promise<CohortProfit[]> {
  const result = await sql.query(
    `SELECT cohort, customers, CAST(revenue AS VARCHAR) AS revenue, CAST(profit AS VARCHAR) AS profit,
            ${COST_PARTS.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ')}
     FROM cohort_metrics WHERE as_of = ${dateLiteral(asOf)} AND cohort_dimension = 'acquisition_month'
     ORDER BY cohort`,
  );
  return result.rows.map((r) => ({
    cohort: toText(r.cohort),
    customers: toNumber(r.customers),
    revenue: decimalText(r.revenue) ?? '0',
    profit: decimalText(r.profit) ?? '0',
    costs: Object.fromEntries(COST_PARTS.map((c) => [c, decimalText(r[c]) ?? '0'])) as Record<
      CostPart,
      string
    >,
  }));
}

export async function loadRetention(sql: SqlRunner, asOf: string): Promise<RetentionCell[]> {
  const result = await sql.query(
    `SELECT cohort, period_index, CAST(retention_pct AS DOUBLE) AS retention_pct, active_customers
     FROM cohort_retention WHERE as_of = ${dateLiteral(asOf)} ORDER BY cohort, period_index`,
  );
  return result.rows.map((r) => ({
    cohort: toText(r.cohort),
    periodIndex: toNumber(r.period_index),
    retentionPct: toNumber(r.retention_pct),
    activeCustomers: toNumber(r.active_customers),
  }));
}

export async function loadSegmentProduct(sql: SqlRunner, asOf: string): Promise<SegmentProductCell[]> {
  const result = await sql.query(
    `SELECT segment, product_category, CAST(revenue AS VARCHAR) AS revenue, CAST(profit AS VARCHAR) AS profit, customers
     FROM segment_product_profit WHERE as_of = ${dateLiteral(asOf)} ORDER BY segment, product_category`,
  );
  return result.rows.map((r) => ({
    segment: toText(r.segment),
    productCategory: toText(r.product_category),
    revenue: decimalText(r.revenue) ?? '0',
    profit: decimalText(r.profit) ?? '0',
    customers: toNumber(r.customers),
  }));
}
