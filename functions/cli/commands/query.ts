import type { Command } from 'commander';
import { outOption } from '../options.ts';

export interface QueryOptions {
  out: string;
  json?: boolean;
  list?: boolean;
}

/** The command's definition only: what it does is imported when it runs, so `--help` stays fast. */
export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL, or a named query by its name, over the local lake with the Athena table names')
    .argument('[sql-or-name]', 'SQL text, or the name of a named query (see --list)')
    .option('--list', 'list the named queries with the question each answers')
    .addOption(outOption())
    .option('--json', 'print the rows as one JSON array of objects')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  cval query --list',
        '  cval query most_profitable_cohorts',
        '  cval query "select customer_id, profit from customer_metrics order by profit desc limit 10"',
      ].join('\n'),
    )
    .action(async (text: string | undefined, options: QueryOptions) => {
      const { query } = await import('./query-action.ts');
      await query(text, options);
    });
}
