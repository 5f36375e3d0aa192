import { resolve } from 'node:path';
import { withOutLock } from '../../local/out-lock.ts';
import { checkDate, writeRunReport } from '../run-config.ts';
import type { ReportOptions } from './report.ts';

export async function report(options: ReportOptions): Promise<void> {
  checkDate('--as-of', options.asOf);
  const out = resolve(options.out);
  const path = await withOutLock(out, 'report', { create: false }, () =>
    writeRunReport(out, { asOf: options.asOf, configFile: options.config }),
  );
  process.stdout.write(options.json ? `${JSON.stringify({ report: path })}\n` : `${path}\n`);
}
