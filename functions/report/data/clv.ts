import type { SqlRunner } from '../../shared/sql-runner.ts';
import { binCaseSql, type ClvBin, clvBins } from './clv-bins.ts';
import { dateLiteral, toNullableNumber, toNumber, toText } from './sql-values.ts';

export interface ClvHistogram {
  bins: ClvBin[];
  /** Customers per bin, per CLV column; null when the column has no values. */
  formula: number[] | null;
  predicted: number[] | null;
}

export interface ClvBucketDiagnostic {
  /** Orders so far: '1' ... '6', '7+'. */
  bucket: string;
  customers: number;
  predictedOrdersNextYear: number;
  observedOrdersPerYear: number;
}

export interface ClvModelFit {
  model: string;
  parameters: { name: string; value: number | null }[];
  logLikelihood: number | null;
  customers: number;
  converged: boolean | null;
  note: string;
}

export interface ClvDiagnostics {
  buckets: ClvBucketDiagnostic[];
  models: ClvModelFit[];
}

const TOP_BUCKET = 7;

export async function loadClvHistogram(sql: SqlRunner, asOf: string): Promise<ClvHistogram | null> {
  const at = dateLiteral(asOf);
  const range = await sql.query(
    // The 5th percentile as the smallest value ranked at or past 5 % of them: quantile_cont is
    // DuckDB's and approx_percentile Athena's, and the report runs on both.
    `WITH v AS (
       SELECT CAST(clv_formula AS DOUBLE) AS v FROM customer_metrics WHERE as_of = ${at} AND clv_formula IS NOT NULL
       UNION ALL
       SELECT CAST(clv_predicted AS DOUBLE) FROM customer_metrics WHERE as_of = ${at} AND clv_predicted IS NOT NULL),
     ranked AS (SELECT v, row_number() OVER (ORDER BY v) AS k, count(*) OVER () AS n FROM v)
     SELECT min(v) AS lo, max(v) AS hi, min(CASE WHEN k >= ceil(0.05 * n) THEN v END) AS q05,
            (SELECT count(clv_formula) FROM customer_metrics WHERE as_of = ${at}) AS n_formula,
            (SELECT count(clv_predicted) FROM customer_metrics WHERE as_of = ${at}) AS n_predicted
     FROM ranked`,
  );
  const r = range.rows[0];
  const lo = toNullableNumber(r?.lo);
  const hi = toNullableNumber(r?.hi);
  if (!r || lo === null || hi === null) return null;
  const bins = clvBins(lo, toNullableNumber(r.q05) ?? lo, hi);
  const counts = async (column: string): Promise<number[]> => {
    const result = await sql.query(
      `SELECT ${binCaseSql(column, bins)} AS bin, count(*) AS n FROM customer_metrics
       WHERE as_of = ${at} AND ${column} IS NOT NULL GROUP BY 1`,
    );
    const out = bins.map(() => 0);
    for (const row of result.rows) out[toNumber(row.bin)] = toNumber(row.n);
    return out;
  };
  return {
    bins,
    formula: toNumber(r.n_formula) > 0 ? await counts('clv_formula') : null,
    predicted: toNumber(r.n_predicted) > 0 ? await counts('clv_predicted') : null,
  };
}

/**
 * Model fit (clv_models) and, per number of orders so far, the purchases BG/NBD expects next year
 * against the yearly rate observed up to the as-of date.
 */
export async function loadClvDiagnostics(sql: SqlRunner, asOf: string): Promise<ClvDiagnostics> {
  const at = dateLiteral(asOf);
  const buckets = await sql.query(
    `SELECT least(orders, ${TOP_BUCKET}) AS bucket, count(*) AS customers,
            avg(expected_orders_next_year) AS predicted, avg(CAST(orders_per_year AS DOUBLE)) AS observed
     FROM customer_metrics
     WHERE as_of = ${at} AND expected_orders_next_year IS NOT NULL AND orders_per_year IS NOT NULL
       AND orders > 0
     GROUP BY 1 ORDER BY bucket`,
  );
  const models = await sql.query(
    `SELECT model, scope, parameter, value, log_likelihood, customers, converged, note
     FROM clv_models WHERE as_of = ${at} ORDER BY model, scope, parameter`,
  );
  const fits = new Map<string, ClvModelFit>();
  for (const row of models.rows) {
    // One fit per model and scope (sBG is fitted per plan, ...): `sbg · plan=Gold`.
    const scope = toText(row.scope);
    const model = scope === '' || scope === 'all' ? toText(row.model) : `${toText(row.model)} · ${scope}`;
    let fit = fits.get(model);
    if (!fit) {
      fit = {
        model,
        parameters: [],
        logLikelihood: toNullableNumber(row.log_likelihood),
        customers: toNumber(row.customers),
        converged: typeof row.converged === 'boolean' ? row.converged : null,
        note: toText(row.note),
      };
      fits.set(model, fit);
    }
    if (row.parameter !== null && row.parameter !== undefined)
      fit.parameters.push({ name: toText(row.parameter), value: toNullableNumber(row.value) });
  }
  return {
    buckets: buckets.rows.map((row) => {
      const bucket = toNumber(row.bucket);
      return {
        bucket: bucket >= TOP_BUCKET ? `${TOP_BUCKET}+` : String(bucket),
        customers: toNumber(row.customers),
        predictedOrdersNextYear: toNumber(row.predicted),
        observedOrdersPerYear: toNumber(row.observed),
      };
    }),
    models: [...fits.values()],
  };
}
