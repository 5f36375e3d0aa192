import { createFormatter, type Locale, messagesFor } from '../../core/i18n/index.ts';
import type { SqlRunner } from '../shared/sql-runner.ts';
import { loadReportData } from './data/index.ts';
import { renderDocument } from './document.ts';
import { echartsSource } from './echarts-source.ts';
import type { RunWarnings } from './run-warnings-section.ts';
import { reportSections } from './sections.ts';

export interface ReportOptions {
  /** The run to show (`YYYY-MM-DD`); default the latest in the lake. */
  asOf?: string;
  locale: Locale;
  /** ISO 4217 code of the amounts, e.g. CNY. */
  currency: string;
  /**
   * The run's warnings: they live in its run record, not in the lake's tables. Without them the
   * report has no warnings section, rather than one that says there were none.
   */
  runWarnings?: RunWarnings;
}

/** The self-contained HTML report of one run: ECharts and the data inlined, no external request. */
export async function buildReport(sql: SqlRunner, options: ReportOptions): Promise<string> {
  const data = await loadReportData(sql, options.asOf);
  const ctx = { f: createFormatter(options.locale, options.currency), m: messagesFor(options.locale) };
  return renderDocument(
    {
      locale: options.locale,
      currency: options.currency,
      asOf: data.asOf,
      sections: reportSections(data, ctx, options.runWarnings),
      echarts: await echartsSource(),
    },
    ctx,
  );
}
