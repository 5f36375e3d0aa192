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
  };
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
          ? [{ figure: 'profit from top 20% of customers', value: `${h.top_20pct_profit_share_pct}%` }]
          : []),
      ],
    ),
    ...extra,
  ];
  return lines.join('\n');
}
