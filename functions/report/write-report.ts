import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LakeSql } from '../local/lake-sql.ts';
import { buildReport, type ReportOptions } from './build-report.ts';
import { latestAsOf } from './data/index.ts';
import { reportKey } from './report-key.ts';

/**
 * `cval report`: builds the report over `<outDir>/lake` and writes it to
 * `<outDir>/reports/run/as_of=<date>/index.html`, mirroring the S3 key. Returns the absolute path.
 */
export async function writeReport(outDir: string, options: ReportOptions): Promise<string> {
  const sql = await LakeSql.open(resolve(outDir, 'lake'));
  try {
    const asOf = options.asOf ?? (await latestAsOf(sql));
    if (!asOf) throw new Error(`no run found under ${resolve(outDir, 'lake')}: run \`cval run\` first`);
    const html = await buildReport(sql, { ...options, asOf });
    const path = resolve(outDir, reportKey(asOf));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, html, 'utf8');
    return path;
  } finally {
    sql.close();
  }
}
