import type { Command } from 'commander';
import { outOption, quietOption } from '../options.ts';

export interface RunOptions {
  asOf?: string;
  config?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** The command's definition only: what it does is imported when it runs, so `--help` stays fast. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'ingest every export under <exports-dir> (sub-folder = kind), compute everything, write outputs to --out',
    )
    .argument('<exports-dir>', 'folder of exports, e.g. samples/exports')
    .option('--as-of <date>', 'compute as of this date (YYYY-MM-DD); default today in the business time zone')
    .option('--config <file>', 'configuration JSON')
    .addOption(outOption())
    .option('--json', 'print a machine-readable summary on stdout')
    .addOption(quietOption())
    .addHelpText(
      'after',
      '\nExamples:\n  cval run samples/exports\n  cval run exports/ --as-of 2026-06-30 --json',
    )
    .action(async (exportsDir: string, options: RunOptions) => {
      const { run } = await import('./run-action.ts');
      await run(exportsDir, options);
    });
}
