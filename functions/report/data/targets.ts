import type { LakeSql } from '../../local/lake-sql.ts';
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
async function targetsAsOf(sql: LakeSql, asOf: string | null): Promise<string | null> {
  const result = await sql.query(
    asOf
      ? `SELECT coalesce(max(as_of) FILTER (WHERE as_of <= ${dateLiteral(asOf)}), min(as_of)) AS as_of FROM targets`
      : 'SELECT max(as_of) AS as_of FROM targets',
  );
  const value = result.rows[0]?.as_of;
  return typeof value === 'string' ? value : null;
}

export async function loadTargets(sql: LakeSql, reportAsOf: string | null): Promise<TargetsData | null> {
  const asOf = await targetsAsOf(sql, reportAsOf);
  if (!asOf) return null;
  const at = dateLiteral(asOf);
  const company = `as_of = ${at} AND scope = 'company' AND metric = 'revenue'`;
  const year = await sql.query(
    `SELECT fiscal_year FROM targets WHERE ${company} AND level = 'year'
     ORDER BY (start_date <= ${at}::DATE AND end_date >= ${at}::DATE) DESC, fiscal_year DESC LIMIT 1`,
  );
  const fiscalYear = year.rows[0]?.fiscal_year;
  if (fiscalYear === undefined || fiscalYear === null) return null;
  const fy = toNumber(fiscalYear);
  const burnUp = await sql.query(
    `SELECT period_id, start_date::VARCHAR AS start_date, end_date::VARCHAR AS end_date,
            sum(original_target) OVER w::VARCHAR AS cum_original,
            sum(target) OVER w::VARCHAR AS cum_target,
            CASE WHEN start_date < ${at}::DATE THEN (sum(coalesce(actual, 0)) OVER w)::VARCHAR END AS cum_actual
     FROM targets WHERE ${company} AND level = 'week' AND fiscal_year = ${fy}
     WINDOW w AS (ORDER BY start_date ROWS UNBOUNDED PRECEDING)
     ORDER BY start_date`,
  );
  const people = `as_of = ${at} AND metric = 'revenue' AND level = 'week' AND fiscal_year = ${fy}
    AND (scope LIKE 'team:%' OR scope LIKE 'rep:%')`;
  const week = await sql.query(
    `SELECT period_id, start_date::VARCHAR AS start_date, end_date::VARCHAR AS end_date FROM targets
     WHERE ${people} AND attainment_pct IS NOT NULL AND start_date <= ${at}::DATE
     ORDER BY start_date DESC LIMIT 1`,
  );
  const w = week.rows[0];
  const attainment = w
    ? await sql.query(
        `SELECT scope, original_target::VARCHAR AS original_target, target::VARCHAR AS target,
                actual::VARCHAR AS actual, attainment_pct::VARCHAR AS attainment_pct
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
