import type { SqlRunner } from '../../shared/sql-runner.ts';
import { dateLiteral, decimalText, toNumber, toText } from './sql-values.ts';

export interface BurnUpWeek {
  periodId: string;
  startDate: string;
  endDate: string;
  cumulativeOriginalTarget: string;
  cumulativeTarget: string;
  /** Null for weeks that had not started when the targets were re-planned. */
  cumulativeActual: string | null;
}

export interface Attainment {
  scope: string;
  level: 'team' | 'rep';
  originalTarget: string;
  target: string;
  actual: string | null;
  attainmentPct: string | null;
}

export interface TargetsData {
  /** The targets partition shown: the weekly re-plan on or before the report's as-of date. */
  asOf: string;
  fiscalYear: number;
  burnUp: BurnUpWeek[];
  /** The week of the attainment chart: the current week once it has actuals, else the last one that has. */
  week: { periodId: string; startDate: string; endDate: string } | null;
  attainment: Attainment[];
}

/**
 * The targets job writes its own partitions (as of each Monday), so the report takes the latest one
 * on or before its as-of date, or the earliest one after it when there is none before.
 */
async function targetsAsOf(sql: SqlRunner, asOf: string | null): Promise<string | null> {
  const result = await sql.query(
    asOf
      ? `SELECT coalesce(max(as_of) FILTER (WHERE as_of <= ${dateLiteral(asOf)}), min(as_of)) AS as_of FROM targets`
      : 'SELECT max(as_of) AS as_of FROM targets',
  );
  const value = result.rows[0]?.as_of;
  return typeof value === 'string' ? value : null;
}

export async function loadTargets(sql: SqlRunner, reportAsOf: string | null): Promise<TargetsData | null> {
  const asOf = await targetsAsOf(sql, reportAsOf);
  if (!asOf) return null;
  const at = dateLiteral(asOf);
  // The report shows the plan; other scenarios are compared by the target_scenarios_vs_plan query.
  const plan = `coalesce(scenario, 'plan') = 'plan'`;
  const company = `as_of = ${at} AND scope = 'company' AND metric = 'revenue' AND ${plan}`;
  const year = await sql.query(
    `SELECT fiscal_year FROM targets WHERE ${company} AND level = 'year'
     ORDER BY (start_date <= DATE ${at} AND end_date >= DATE ${at}) DESC, fiscal_year DESC LIMIT 1`,
  );
  const fiscalYear = year.rows[0]?.fiscal_year;
  if (fiscalYear === undefined || fiscalYear === null) return null;
  const fy = toNumber(fiscalYear);
  const burnUp = await sql.query(
    `SELECT period_id, CAST(start_date AS VARCHAR) AS start_date, CAST(end_date AS VARCHAR) AS end_date,
            CAST(sum(original_target) OVER (ORDER BY start_date ROWS UNBOUNDED PRECEDING) AS VARCHAR) AS cum_original,
            CAST(sum(target) OVER (ORDER BY start_date ROWS UNBOUNDED PRECEDING) AS VARCHAR) AS cum_target,
            CASE WHEN start_date < DATE ${at} THEN CAST(sum(coalesce(actual, 0)) OVER (ORDER BY start_date ROWS UNBOUNDED PRECEDING) AS VARCHAR) END AS cum_actual
     FROM targets WHERE ${company} AND level = 'week' AND fiscal_year = ${fy}
     ORDER BY start_date`,
  );
  const people = `as_of = ${at} AND metric = 'revenue' AND level = 'week' AND fiscal_year = ${fy}
    AND (scope LIKE 'team:%' OR scope LIKE 'rep:%') AND ${plan}`;
  const week = await sql.query(
    `SELECT period_id, CAST(start_date AS VARCHAR) AS start_date, CAST(end_date AS VARCHAR) AS end_date FROM targets
     WHERE ${people} AND attainment_pct IS NOT NULL AND start_date <= DATE ${at}
     ORDER BY start_date DESC LIMIT 1`,
  );
  const w = week.rows[0];
  const attainment = w
    ? await sql.query(
        `SELECT scope, CAST(original_target AS VARCHAR) AS original_target, CAST(target AS VARCHAR) AS target,
                CAST(actual AS VARCHAR) AS actual, CAST(attainment_pct AS VARCHAR) AS attainment_pct
         FROM targets WHERE ${people} AND period_id = '${toText(w.period_id).replaceAll("'", "''")}'
         ORDER BY scope LIKE 'rep:%', scope`,
      )
    : { rows: [] };
  return {
    asOf,
    fiscalYear: fy,
    burnUp: burnUp.rows.map((r) => ({
      periodId: toText(r.period_id),
      startDate: toText(r.start_date),
      endDate: toText(r.end_date),
      cumulativeOriginalTarget: decimalText(r.cum_original) ?? '0',
      cumulativeTarget: decimalText(r.cum_target) ?? '0',
      cumulativeActual: decimalText(r.cum_actual),
    })),
    week: w
      ? { periodId: toText(w.period_id), startDate: toText(w.start_date), endDate: toText(w.end_date) }
      : null,
    attainment: attainment.rows.map((r) => {
      const scope = toText(r.scope);
      return {
        scope,
        level: scope.startsWith('rep:') ? 'rep' : 'team',
        originalTarget: decimalText(r.original_target) ?? '0',
        target: decimalText(r.target) ?? '0',
        actual: decimalText(r.actual),
        attainmentPct: decimalText(r.attainment_pct),
      };
    }),
  };
}
