import type { SqlRunner } from '../../shared/sql-runner.ts';
import { dateLiteral, toNullableNumber, toNumber, toText } from './sql-values.ts';

/** P(alive) by repeat orders (0..9, 10+) and days since the last order (customer_metrics). */
export interface PAliveCell {
  /** Repeat orders: orders - 1, capped at FREQUENCY_CAP (shown as "10+"). */
  frequency: number;
  /** Index into RECENCY_BUCKETS. */
  recencyBucket: number;
  customers: number;
  /** Mean P(alive) of the cell's customers, in percent. */
  pAlivePct: number;
}

export const FREQUENCY_CAP = 10;
/** Days since the last order: upper bounds (inclusive) of the buckets; the last is open. */
export const RECENCY_BUCKETS = [30, 90, 180, 365, 730, null] as const;

/** Survival per billing period of one sBG scope (subscription_retention). */
export interface SurvivalCurve {
  scope: string;
  billingPeriod: string;
  points: { periodIndex: number; observed: number | null; fitted: number | null; projected: boolean }[];
}

/** One bucket of an earlier run's predictions scored against what happened since (clv_backtest). */
export interface BacktestRow {
  predictedAsOf: string;
  lookbackDays: number;
  days: number;
  /** decile, no_prediction or total. */
  bucket: string;
  decile: number | null;
  customers: number;
  predictedPurchases: number;
  actualPurchases: number;
  predictedRevenue: number;
  actualRevenue: number;
  purchasesErrorPct: number | null;
  revenueErrorPct: number | null;
}

export async function loadPAlive(sql: SqlRunner, asOf: string): Promise<PAliveCell[]> {
  const at = dateLiteral(asOf);
  const since = `date_diff('day', last_order, DATE ${at})`;
  const recency = `CASE ${RECENCY_BUCKETS.map((upper, i) =>
    upper === null ? `ELSE ${i}` : `WHEN ${since} <= ${upper} THEN ${i}`,
  ).join(' ')} END`;
  const result = await sql.query(
    `SELECT least(orders - 1, ${FREQUENCY_CAP}) AS frequency, ${recency} AS recency_bucket,
            count(*) AS customers, avg(p_alive) AS p_alive
     FROM customer_metrics
     WHERE as_of = ${at} AND p_alive IS NOT NULL AND orders > 0 AND last_order IS NOT NULL
     GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return result.rows.map((row) => ({
    frequency: toNumber(row.frequency),
    recencyBucket: toNumber(row.recency_bucket),
    customers: toNumber(row.customers),
    pAlivePct: 100 * toNumber(row.p_alive),
  }));
}

export async function loadSurvival(sql: SqlRunner, asOf: string): Promise<SurvivalCurve[]> {
  const result = await sql.query(
    `SELECT scope, billing_period, period_index, observed_survival, fitted_survival, projected
     FROM subscription_retention WHERE as_of = ${dateLiteral(asOf)}
     ORDER BY scope, billing_period, period_index`,
  );
  const curves = new Map<string, SurvivalCurve>();
  for (const row of result.rows) {
    const scope = toText(row.scope);
    const billingPeriod = toText(row.billing_period);
    const key = `${scope}\u0000${billingPeriod}`;
    let curve = curves.get(key);
    if (!curve) {
      curve = { scope, billingPeriod, points: [] };
      curves.set(key, curve);
    }
    curve.points.push({
      periodIndex: toNumber(row.period_index),
      observed: toNullableNumber(row.observed_survival),
      fitted: toNullableNumber(row.fitted_survival),
      projected: row.projected === true,
    });
  }
  // `all` first, then the scopes by name.
  return [...curves.values()].sort(
    (x, y) => Number(y.scope === 'all') - Number(x.scope === 'all') || (x.scope < y.scope ? -1 : 1),
  );
}

export async function loadBacktest(sql: SqlRunner, asOf: string): Promise<BacktestRow[]> {
  const result = await sql.query(
    `SELECT CAST(predicted_as_of AS VARCHAR) AS predicted_as_of, lookback_days, days, bucket, decile,
            customers, predicted_purchases, actual_purchases, predicted_revenue,
            CAST(actual_revenue AS DOUBLE) AS actual_revenue, purchases_error_pct, revenue_error_pct
     FROM clv_backtest WHERE as_of = ${dateLiteral(asOf)}
     ORDER BY lookback_days, decile`,
  );
  return result.rows.map((row) => ({
    predictedAsOf: toText(row.predicted_as_of),
    lookbackDays: toNumber(row.lookback_days),
    days: toNumber(row.days),
    bucket: toText(row.bucket),
    decile: toNullableNumber(row.decile),
    customers: toNumber(row.customers),
    predictedPurchases: toNumber(row.predicted_purchases),
    actualPurchases: toNumber(row.actual_purchases),
    predictedRevenue: toNumber(row.predicted_revenue),
    actualRevenue: toNumber(row.actual_revenue),
    purchasesErrorPct: toNullableNumber(row.purchases_error_pct),
    revenueErrorPct: toNullableNumber(row.revenue_error_pct),
  }));
}
