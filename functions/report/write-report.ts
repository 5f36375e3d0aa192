import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runKey, runWarningsOf } from '../compute/run-registry.ts';
import { dumpedItem } from '../local/dumped-item.ts';
import { LakeSql } from '../local/lake-sql.ts';
import { buildReport, type ReportOptions } from './build-report.ts';
import { latestAsOf } from './data/index.ts';
import { reportKey } from './report-key.ts';
import type { RunWarnings } from './run-warnings-section.ts';

/**
 * `cval report`: builds the report over `<outDir>/lake` and writes it to
 * `<outDir>/reports/run/as_of=<date>/index.html`, mirroring the S3 key. Returns the absolute path.
 * The run's warnings, unless given, are those its run record kept in `<outDir>/dynamodb.jsonl`.
 */
export async function writeReport(outDir: string, options: ReportOptions): Promise<string> {
  const sql = await LakeSql.open(resolve(outDir, 'lake'));
  try {
    const asOf = options.asOf ?? (await latestAsOf(sql));
    if (!asOf) throw new Error(`no run found under ${resolve(outDir, 'lake')}: run \`cval run\` first`);
    const runWarnings = options.runWarnings ?? (await dumpedRunWarnings(outDir, asOf));
    const html = await buildReport(sql, { ...options, asOf, runWarnings });
    const path = resolve(outDir, reportKey(asOf));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, html, 'utf8');
    return path;
  } finally {
    sql.close();
  }
}

/** Undefined without the run's record: a lake copied without its dump, or a record expired. */
async function dumpedRunWarnings(outDir: string, asOf: string): Promise<RunWarnings | undefined> {
  const record = await dumpedItem(outDir, runKey(asOf));
  return record && runWarningsOf(record);
}
