import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { LakeSql } from '../local/lake-sql.ts';
import { runLocal, targetsLocal, UsageError } from '../local/run-local.ts';
import { formatTable } from './format-table.ts';
import { progressReporter } from './progress.ts';
import { headline, printHeadline } from './run-summary.ts';

/** Exit codes: 0 done, 1 the run failed, 2 the command line or its input was at fault. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const program = new Command()
  .name('cval')
  .description(
    'customer-value: customer and cohort profitability, CLV, service ROI and sales targets, run locally',
  )
  .showHelpAfterError()
  .exitOverride();

const outOption = () =>
  new Option('--out <dir>', 'output folder (lake/, dynamodb.jsonl, state/)').default('.local');

program
  .command('run')
  .description(
    'ingest every export under <exports-dir> (sub-folder = kind), compute everything, write outputs to --out',
  )
  .argument('<exports-dir>', 'folder of exports, e.g. samples/exports')
  .option('--as-of <date>', 'compute as of this date (YYYY-MM-DD); default today (Asia/Shanghai)')
  .option('--config <file>', 'configuration JSON')
  .addOption(outOption())
  .option('--json', 'print a machine-readable summary on stdout')
  .addHelpText(
    'after',
    '\nExamples:\n  cval run samples/exports\n  cval run exports/ --as-of 2026-06-30 --json',
  )
  .action(
    async (exportsDir: string, options: { asOf?: string; config?: string; out: string; json?: boolean }) => {
      if (options.asOf && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf))
        throw new UsageError(`--as-of must be YYYY-MM-DD, got "${options.asOf}"`);
      const progress = progressReporter(!options.json);
      const result = await runLocal({
        exportsDir,
        outDir: options.out,
        ...(options.asOf ? { asOf: options.asOf } : {}),
        ...(options.config ? { configFile: options.config } : {}),
        onProgress: progress.step,
      });
      progress.done();
      const sql = await LakeSql.open(resolve(result.outDir, 'lake'));
      const figures = await headline(sql, result);
      sql.close();
      const problems = result.outcomes.filter((o) => o.action === 'ingested' && o.status !== 'loaded');
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ ...figures, run: result.run, out: result.outDir, ingest: result.outcomes.map(summariseOutcome) }, null, 2)}\n`,
        );
        return;
      }
      const notes = problems.map((o) =>
        o.action === 'ingested' ? `! ${o.key}: ${o.status}: ${o.report.status_reason}` : '',
      );
      const quarantined = result.outcomes.filter((o) => o.action === 'ingested' && o.report.quarantine_key);
      if (quarantined.length > 0)
        notes.push(`quarantined rows: see ${resolve(result.outDir, 'lake', 'quarantine')}`);
      process.stdout.write(
        `${printHeadline(
          figures,
          ['', ...notes, `outputs: ${result.outDir}`].filter((l, i, all) => l !== '' || i < all.length - 1),
        )}\n`,
      );
    },
  );

program
  .command('targets')
  .description(
    'run the weekly target job as the schedule would for that week, over the exports loaded into --out',
  )
  .option('--week <YYYY-Www>', 'ISO week to re-plan as of (its Monday); default the current week')
  .option('--config <file>', 'configuration JSON (default: the one the exports were loaded with)')
  .addOption(outOption())
  .option('--json', 'print a machine-readable summary on stdout')
  .addHelpText('after', '\nExamples:\n  cval targets\n  cval targets --week 2026-W48 --json')
  .action(async (options: { week?: string; config?: string; out: string; json?: boolean }) => {
    const progress = progressReporter(!options.json);
    progress.step('re-planning targets');
    const summary = await targetsLocal({
      outDir: options.out,
      ...(options.week ? { week: options.week } : {}),
      ...(options.config ? { configFile: options.config } : {}),
    });
    progress.done();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const sql = await LakeSql.open(resolve(options.out, 'lake'));
    const week = await sql.query(
      `SELECT scope, metric, period_id, original_target::VARCHAR AS original_target, target::VARCHAR AS target,
              actual::VARCHAR AS actual, attainment_pct::VARCHAR AS attainment_pct
       FROM targets WHERE as_of = '${summary.as_of}' AND level = 'week'
         AND start_date <= DATE '${summary.as_of}' AND end_date >= DATE '${summary.as_of}'
       ORDER BY metric, scope`,
    );
    sql.close();
    const lines = [
      `targets re-planned as of ${summary.as_of} (${summary.week}): ${summary.rows} rows`,
      '',
      week.rows.length > 0 ? formatTable(week.columns, week.rows) : 'no targets cover this week',
      ...summary.errors.map((e) => `! ${e}`),
      ...summary.warnings.map((w) => `note: ${w}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

program
  .command('query')
  .description('run SQL over the local lake with the Athena table names')
  .argument('<sql>', 'SQL text, e.g. "select count(*) from customer_metrics"')
  .addOption(outOption())
  .option('--json', 'print the rows as one JSON array of objects')
  .addHelpText(
    'after',
    `\nExamples:\n  cval query "select customer_id, profit from customer_metrics order by profit desc limit 10"`,
  )
  .action(async (text: string, options: { out: string; json?: boolean }) => {
    const sql = await LakeSql.open(resolve(options.out, 'lake'));
    try {
      const result = await sql.query(text);
      process.stdout.write(
        options.json
          ? `${JSON.stringify(result.rows)}\n`
          : `${formatTable(result.columns, result.rows)}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`,
      );
    } catch (error) {
      throw new UsageError(`query failed: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      sql.close();
    }
  });

function summariseOutcome(outcome: import('../ingest/ingest-export.ts').IngestOutcome) {
  if (outcome.action !== 'ingested') return outcome;
  const { report } = outcome;
  return {
    action: outcome.action,
    key: outcome.key,
    export_id: outcome.exportId,
    status: outcome.status,
    reason: report.status_reason,
    control_totals: report.control_totals,
  };
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    const message = (error as Error).message ?? String(error);
    process.stderr.write(`cval: ${message}\n`);
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
