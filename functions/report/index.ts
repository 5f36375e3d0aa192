/** The HTML report of a run: `buildReport` over a LakeSql, `writeReport` to the local output folder. */
export { buildReport, type ReportOptions } from './build-report.ts';
export { escapeHtml, jsonForScript } from './escape.ts';
export { reportKey, writeReport } from './write-report.ts';
