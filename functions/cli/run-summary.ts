import { createFormatter, fill, type Locale, messagesFor } from '../../core/i18n/index.ts';
import type { LocalRunResult } from '../local/run-local.ts';
import type { SqlRunner } from '../shared/sql-runner.ts';
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

export async function headline(sql: SqlRunner, result: Pick<LocalRunResult, 'run'>): Promise<Headline> {
  const asOf = result.run.as_of;
  const exports = await sql.query(
    `SELECT status, count(*) AS n, sum(rows_curated) AS curated, sum(rows_quarantined) AS quarantined
     FROM exports GROUP BY status ORDER BY status`,
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
    ...rowsThatCount(exports.rows),
    customers: Number(c.customers ?? 0),
    revenue: String(c.revenue ?? '0'),
    profit: (c.profit as string | null) ?? null,
    top_20pct_profit_share_pct: (whale.rows[0]?.pct as string | undefined) ?? null,
    most_profitable_cohorts: (await cohorts('DESC')).rows as unknown as CohortFigure[],
    least_profitable_cohorts: (await cohorts('ASC')).rows as unknown as CohortFigure[],
    service_roi: (roi.rows[0] as { month: string; roi_pct: string } | undefined) ?? null,
  };
}

/**
 * Rows of the exports whose data is in the results now (status loaded). A withdrawn, replaced or
 * rejected export keeps its row counts in the exports table as history, but its rows are not in
 * any figure, so counting them would overstate what the run is built on.
 */
export function rowsThatCount(
  byStatus: readonly Record<string, unknown>[],
): Pick<Headline, 'rows_curated' | 'rows_quarantined'> {
  const loaded = byStatus.filter((r) => r.status === 'loaded');
  return {
    rows_curated: loaded.reduce((s, r) => s + Number(r.curated ?? 0), 0),
    rows_quarantined: loaded.reduce((s, r) => s + Number(r.quarantined ?? 0), 0),
  };
}

export interface HeadlineFormat {
  locale: Locale;
  currency: string;
}

/** The run summary in the configured language, amounts in the configured currency. */
export function printHeadline(h: Headline, extra: string[], format: HeadlineFormat): string {
  const m = messagesFor(format.locale).cli;
  const f = createFormatter(format.locale, format.currency);
  const statuses = m.exportStatus as Record<string, string>;
  const exportLine = Object.entries(h.exports)
    .map(([status, n]) => `${n} ${statuses[status] ?? status}`)
    .join(', ');
  const figures: Record<string, unknown>[] = [
    { figure: m.exports, value: exportLine || m.none },
    {
      figure: m.rowsCuratedQuarantined,
      value: `${f.number(h.rows_curated)} / ${f.number(h.rows_quarantined)}`,
    },
    { figure: m.customers, value: f.number(h.customers) },
    { figure: m.revenue, value: f.amount(h.revenue) },
  ];
  if (h.profit !== null) figures.push({ figure: m.profit, value: f.amount(h.profit) });
  if (h.top_20pct_profit_share_pct !== null) {
    figures.push({ figure: m.top20Share, value: f.percent(h.top_20pct_profit_share_pct) });
  }
  if (h.service_roi) {
    figures.push({
      figure: fill(m.serviceRoi, { month: h.service_roi.month }),
      value: f.percent(h.service_roi.roi_pct),
    });
  }
  const cohortTable = (title: string, rows: CohortFigure[]): string[] =>
    rows.length === 0
      ? []
      : [
          '',
          title,
          formatTable(
            [m.cohort, m.customers, m.profit, m.perCustomer],
            rows.map((r) => ({
              [m.cohort]: r.cohort,
              [m.customers]: f.number(r.customers),
              [m.profit]: f.amount(r.profit),
              [m.perCustomer]: f.amount(r.per_customer),
            })),
          ),
        ];
  return [
    fill(m.runTitle, { asOf: h.as_of }),
    '',
    formatTable(
      [m.figure, m.value],
      figures.map((row) => ({ [m.figure]: row.figure, [m.value]: row.value })),
    ),
    ...cohortTable(m.mostProfitableCohorts, h.most_profitable_cohorts),
    ...cohortTable(m.leastProfitableCohorts, h.least_profitable_cohorts),
    ...extra,
  ].join('\n');
}
