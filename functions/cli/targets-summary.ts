import { fill, type Locale, messagesFor } from '../../core/i18n/index.ts';
import type { QueryResult } from '../shared/sql-runner.ts';
import type { TargetsSummary } from '../targets/run-targets.ts';
import { formatTable } from './format-table.ts';

/**
 * The `cval targets` text summary in the configured language: what was re-planned, the targets of
 * the week, then the job's errors and warnings. Those stay in the job's words (English), as the run
 * summary's warnings do; scope, metric and amounts stay as the targets table has them.
 */
export function targetsSummaryText(
  summary: Pick<TargetsSummary, 'as_of' | 'week' | 'rows' | 'errors' | 'warnings'>,
  week: QueryResult,
  locale: Locale,
): string {
  const m = messagesFor(locale).cli.targets;
  const labels = m.columns as Record<string, string>;
  const headerOf = (column: string) => labels[column] ?? column;
  const headers = week.columns.map(headerOf);
  const rows = week.rows.map((row) =>
    Object.fromEntries(week.columns.map((column) => [headerOf(column), row[column]])),
  );
  return [
    fill(m.title, { asOf: summary.as_of, week: summary.week, rows: summary.rows }),
    '',
    rows.length > 0 ? formatTable(headers, rows) : m.noTargetsThisWeek,
    ...summary.errors.map((e) => `! ${e}`),
    ...summary.warnings.map((w) => fill(m.note, { text: w })),
  ].join('\n');
}
