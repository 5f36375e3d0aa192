import type { Command } from 'commander';
import { outOption, quietOption } from '../options.ts';

export interface TargetsOptions {
  week?: string;
  config?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** The command's definition only: what it does is imported when it runs, so `--help` stays fast. */
export function registerTargets(program: Command): void {
  program
    .command('targets')
    .description(
      'run the weekly target job as the schedule would for that week, over the exports loaded into --out',
    )
    .option('--week <YYYY-Www>', 'ISO week to re-plan as of (its Monday); default the current week')
    .option('--config <file>', 'configuration JSON (default: the one the exports were loaded with)')
    .addOption(outOption())
    .option('--json', 'print a machine-readable summary on stdout')
    .addOption(quietOption())
    .addHelpText('after', '\nExamples:\n  cval targets\n  cval targets --week 2026-W48 --json')
    .action(async (options: TargetsOptions) => {
      const { targets } = await import('./targets-action.ts');
      await targets(options);
    });
}
