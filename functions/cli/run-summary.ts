import type { LakeSql } from '../local/lake-sql.ts';
import type { LocalRunResult } from '../local/run-local.ts';
import { formatTable } from './format-table.ts';

/** The headline figures of a run, read back from the lake with the same SQL an analyst would use. */
export interface Headline {
  as_of: string;
  exports: Record<string, number>;
  rows_curated: number;
  rows_quarantined: number;
  customers: number;
  revenue: string;
  profit: string | null;
  top_20pct_profit_share_pct: string | null;
  most_profitable_cohorts: CohortFigure[];
  least_profitable_cohorts: CohortFigure[];
  service_roi: { month: string; roi_pct: string } | null;
}

export interface CohortFigure {
  cohort: string;
  customers: number;
  profit: string;
  per_customer: string;
}

export async function headline(sql: LakeSql, result: LocalRunResult): Promise<Headline> {
  const asOf = result.run.as_of;
  const exports = await sql.query(
    `SELECT status, count(*) AS n, sum(rows_curated) AS curated, sum(rows_quarantined) AS quarantined
     FROM exports WHERE as_of = '${asOf}' GROUP BY status ORDER BY status`,
  );
  const customers = await sql.query(
    `SELECT count(*) AS customers, coalesce(sum(revenue), 0)::VARCHAR AS revenue, sum(profit)::VARCHAR AS profit
     FROM customer_metrics WHERE as_of = '${asOf}'`,
  );
  const whale = await sql.query(
    `SELECT cumulative_profit_pct::VARCHAR AS pct FROM whale_curve
     WHERE as_of = '${asOf}' AND customer_rank_pct >= 20 ORDER BY customer_rank_pct LIMIT 1`,
  );
  const cohorts = (order: 'DESC' | 'ASC') =>
    sql.query(
      `SELECT cohort, customers, profit::VARCHAR AS profit, profit_per_customer::VARCHAR AS per_customer
       FROM cohort_metrics WHERE as_of = '${asOf}' AND cohort_dimension = 'acquisition_month'
       ORDER BY cohort_metrics.profit_per_customer ${order}, cohort LIMIT 3`,
    );
  const roi = await sql.query(
    `SELECT month, roi_pct::VARCHAR AS roi_pct FROM service_roi WHERE as_of = '${asOf}' AND roi_pct IS NOT NULL
     ORDER BY month DESC LIMIT 1`,
  );
  const c = customers.rows[0] ?? {};
  return {
    as_of: asOf,
    exports: Object.fromEntries(exports.rows.map((r) => [String(r.status), Number(r.n)])),
    rows_curated: exports.rows.reduce((s, r) => s + Number(r.curated ?? 0), 0),
    rows_quarantined: exports.rows.reduce((s, r) => s + Number(r.quarantined ?? 0), 0),
    customers: Number(c.customers ?? 0),
    revenue: String(c.revenue ?? '0'),
    profit: (c.profit as string | null) ?? null,
    top_20pct_profit_share_pct: (whale.rows[0]?.pct as string | undefined) ?? null,
    most_profitable_cohorts: (await cohorts('DESC')).rows as unknown as CohortFigure[],
    least_profitable_cohorts: (await cohorts('ASC')).rows as unknown as CohortFigure[],
    service_roi: (roi.rows[0] as { month: string; roi_pct: string } | undefined) ?? null,
  };
}

/** Percentages are stored with 6 decimals; one is enough to read. */
function percent(value: string): string {
  return Number(value).toFixed(1);
}

function cohortTable(title: string, rows: CohortFigure[]): string[] {
  if (rows.length === 0) return [];
  return [
    '',
    title,
    formatTable(
      ['cohort', 'customers', 'profit', 'per_customer'],
      rows as unknown as Record<string, unknown>[],
    ),
  ];
}

export function printHeadline(h: Headline, extra: string[]): string {
  const exportLine = Object.entries(h.exports)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const lines = [
    `customer-value run as of ${h.as_of}`,
    '',
    formatTable(
      ['figure', 'value'],
      [
        { figure: 'exports', value: exportLine || 'none' },
        { figure: 'rows curated / quarantined', value: `${h.rows_curated} / ${h.rows_quarantined}` },
        { figure: 'customers', value: h.customers },
        { figure: 'revenue', value: h.revenue },
        ...(h.profit !== null ? [{ figure: 'profit', value: h.profit }] : []),
        ...(h.top_20pct_profit_share_pct !== null
          ? [
              {
                figure: 'profit from top 20% of customers',
                value: `${percent(h.top_20pct_profit_share_pct)}%`,
              },
            ]
          : []),
        ...(h.service_roi
          ? [
              {
                figure: `service-centre ROI ${h.service_roi.month}`,
                value: `${percent(h.service_roi.roi_pct)}%`,
              },
            ]
          : []),
      ],
    ),
    ...cohortTable('most profitable cohorts (profit per customer)', h.most_profitable_cohorts),
    ...cohortTable('least profitable cohorts (profit per customer)', h.least_profitable_cohorts),
    ...extra,
  ];
  return lines.join('\n');
}
