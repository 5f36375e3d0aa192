/** The HTML report of a run: `buildReport` over any SqlRunner (DuckDB locally, Athena deployed), `writeReport` to the local output folder. */
export { buildReport, type ReportOptions } from './build-report.ts';
export { escapeHtml, jsonForScript } from './escape.ts';
export { reportKey } from './report-key.ts';
export type { RunWarnings } from './run-warnings-section.ts';
export { writeReport } from './write-report.ts';
