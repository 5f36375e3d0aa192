import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LakeSql } from '../../local/lake-sql.ts';
import { UsageError } from '../../local/run-local.ts';
import { formatTable } from '../format-table.ts';
import { outOption } from '../options.ts';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL over the local lake with the Athena table names')
    .argument('<sql>', 'SQL text, e.g. "select count(*) from customer_metrics"')
    .addOption(outOption())
    .option('--json', 'print the rows as one JSON array of objects')
    .addHelpText(
      'after',
      '\nExamples:\n  cval query "select customer_id, profit from customer_metrics order by profit desc limit 10"',
    )
    .action(async (text: string, options: { out: string; json?: boolean }) => {
      const sql = await LakeSql.open(resolve(options.out, 'lake'));
      try {
        const result = await sql.query(text);
        const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
        process.stdout.write(
          options.json
            ? `${JSON.stringify(result.rows)}\n`
            : `${formatTable(result.columns, result.rows)}\n${count}\n`,
        );
      } catch (error) {
        throw new UsageError(`query failed: ${(error as Error).message.split('\n')[0]}`);
      } finally {
        sql.close();
      }
    });
}
