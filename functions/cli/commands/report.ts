import { resolve } from 'node:path';
import type { Command } from 'commander';
import { withOutLock } from '../../local/out-lock.ts';
import { outOption } from '../options.ts';
import { checkDate, writeRunReport } from '../run-config.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the HTML report (charts) for the latest run in --out and print its path')
    .option('--as-of <date>', 'the run to report on (YYYY-MM-DD); default the latest')
    .option('--config <file>', 'configuration JSON for locale and currency (default: the one of the run)')
    .addOption(outOption())
    .option('--json', 'print {"report": path} on stdout')
    .addHelpText('after', '\nExamples:\n  cval report\n  cval report --as-of 2026-11-20')
    .action(async (options: { asOf?: string; config?: string; out: string; json?: boolean }) => {
      checkDate('--as-of', options.asOf);
      const out = resolve(options.out);
      const path = await withOutLock(out, 'report', { create: false }, () =>
        writeRunReport(out, options.asOf, options.config),
      );
      process.stdout.write(options.json ? `${JSON.stringify({ report: path })}\n` : `${path}\n`);
    });
}
