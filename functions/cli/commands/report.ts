import type { Command } from 'commander';
import { outOption } from '../options.ts';

export interface ReportOptions {
  asOf?: string;
  config?: string;
  out: string;
  json?: boolean;
}

/** The command's definition only: what it does is imported when it runs, so `--help` stays fast. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the HTML report (charts) for the latest run in --out and print its path')
    .option('--as-of <date>', 'the run to report on (YYYY-MM-DD); default the latest')
    .option('--config <file>', 'configuration JSON for locale and currency (default: the one of the run)')
    .addOption(outOption())
    .option('--json', 'print {"report": path} on stdout')
    .addHelpText('after', '\nExamples:\n  cval report\n  cval report --as-of 2026-11-20')
    .action(async (options: ReportOptions) => {
      const { report } = await import('./report-action.ts');
      await report(options);
    });
}
