import type { Config } from '../../core/config.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
// Not the report index: that also exports the local writer, which would pull DuckDB into the bundle.
import { buildReport } from '../report/build-report.ts';
import { reportKey } from '../report/report-key.ts';
import type { RunWarnings } from '../report/run-warnings-section.ts';
import type { SqlRunner } from '../shared/sql-runner.ts';

/** What the report needs of the lake: one Put of the HTML. */
export type ReportLake = Pick<ObjectStore, 'put'>;

/**
 * Writes the run's HTML report to `reports/run/as_of=<date>/index.html` in the lake, built with the
 * same queries as the local report, here answered by Athena. Returns the key.
 */
export async function publishReport(
  lake: ReportLake,
  sql: SqlRunner,
  asOf: string,
  config: Config,
  runWarnings?: RunWarnings,
): Promise<string> {
  const html = await buildReport(sql, {
    asOf,
    locale: config.locale,
    currency: config.currency,
    runWarnings,
  });
  const key = reportKey(asOf);
  await lake.put(key, html, 'text/html; charset=utf-8');
  return key;
}
