import type { SqlRunner } from '../../shared/sql-runner.ts';
import { dateLiteral, decimalText, toNumber, toText } from './sql-values.ts';

export interface HeadlineData {
  customers: number;
  revenue: string | null;
  profit: string | null;
  /** Cumulative profit share of the top 20% of customers, in percent. */
  top20SharePct: string | null;
  /** Service-centre ROI of the latest month up to the as-of date. */
  latestRoi: { month: string; roiPct: string | null } | null;
}

export async function loadHeadline(sql: SqlRunner, asOf: string): Promise<HeadlineData> {
  const at = dateLiteral(asOf);
  const totals = await sql.query(
    `SELECT count(*) AS customers, CAST(sum(revenue) AS VARCHAR) AS revenue, CAST(sum(profit) AS VARCHAR) AS profit
     FROM customer_metrics WHERE as_of = ${at}`,
  );
  const whale = await sql.query(
    `SELECT CAST(cumulative_profit_pct AS VARCHAR) AS pct FROM whale_curve
     WHERE as_of = ${at} AND customer_rank_pct >= 20 ORDER BY customer_rank_pct LIMIT 1`,
  );
  const roi = await sql.query(
    `SELECT month, CAST(roi_pct AS VARCHAR) AS roi_pct FROM service_roi
     WHERE as_of = ${at} AND month <= substr(${at}, 1, 7) ORDER BY month DESC LIMIT 1`,
  );
  const t = totals.rows[0] ?? {};
  const r = roi.rows[0];
  return {
    customers: toNumber(t.customers),
    revenue: decimalText(t.revenue),
    profit: decimalText(t.profit),
    top20SharePct: decimalText(whale.rows[0]?.pct),
    latestRoi: r ? { month: toText(r.month), roiPct: decimalText(r.roi_pct) } : null,
  };
}
