import { resolve } from 'node:path';
import type { Config } from '../../../core/config.ts';
import { checkExportsLoaded } from '../../local/local-input.ts';
import { withOutLock } from '../../local/out-lock.ts';
import type { targetsLocal } from '../../local/run-local.ts';
import { progressReporter } from '../progress.ts';
import { checkWeek, checkWeekHasCome, runConfig } from '../run-config.ts';
import { targetsSummaryText } from '../targets-summary.ts';
import type { TargetsOptions } from './targets.ts';

/** Loads only checks up front: what runs is imported once the command line has passed them. */
export async function targets(options: TargetsOptions): Promise<void> {
  checkWeek('--week', options.week);
  // The handler would refuse a bad configuration too, but as a failed run rather than bad input.
  const config = await runConfig(options.out, options.config);
  checkWeekHasCome('--week', options.week, config.time_zone);
  await withOutLock(resolve(options.out), 'targets', { create: false }, () => replan(options, config));
}

async function replan(options: TargetsOptions, config: Config): Promise<void> {
  // targetsLocal's own first check, made before it and the handlers, SDK and DuckDB are loaded.
  await checkExportsLoaded(options.out);
  const [{ targetsLocal }, { LakeSql }] = await Promise.all([
    import('../../local/run-local.ts'),
    import('../../local/lake-sql.ts'),
  ]);
  const progress = progressReporter({ quiet: options.quiet });
  progress.event({ step: 'targets', done: {} });
  let summary: Awaited<ReturnType<typeof targetsLocal>>;
  try {
    summary = await targetsLocal({
      outDir: options.out,
      ...(options.week ? { week: options.week } : {}),
      ...(options.config ? { configFile: options.config } : {}),
    });
  } finally {
    progress.done();
  }
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
  process.stdout.write(`${targetsSummaryText(summary, week, config.locale)}\n`);
}
