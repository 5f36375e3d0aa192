import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UsageError } from '../shared/usage-error.ts';
import { registerQuery } from './commands/query.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerTargets } from './commands/targets.ts';

/** Exit codes: 0 done, 1 the run failed, 2 the command line or its input was at fault. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Only commander and the commands' definitions load before parsing: each command imports what it
// runs (handlers, AWS SDK, DuckDB) in its action, so `cval --help` answers at once.
const program = new Command()
  .name('cval')
  .description(
    'customer-value: customer and cohort profitability, CLV, service ROI and sales targets, run locally',
  )
  .version(version, '-V, --version', 'print the version')
  // Command-line mistakes read like every other cval error: one line, then where the options are
  // (the whole help would bury the line that says what was wrong).
  .configureOutput({
    outputError: (text, write) =>
      write(
        `cval: ${text.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')}`,
      ),
  })
  .showHelpAfterError("run 'cval --help' for the commands")
  .exitOverride();
registerRun(program);
registerTargets(program);
registerReport(program);
registerQuery(program);
for (const command of program.commands) {
  command.showHelpAfterError(`run 'cval ${command.name()} --help' for its options`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    const message = (error as Error).message ?? String(error);
    process.stderr.write(`cval: ${message.split('\n')[0]}\n`);
    // CommandLineError and run-local's errors are all UsageErrors, from a module that loads nothing.
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
