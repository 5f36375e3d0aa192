import { resolve } from 'node:path';
import { fill, messagesFor } from '../../../core/i18n/index.ts';
import type { IngestOutcome } from '../../ingest/ingest-export.ts';
import { checkExportsDir, loadConfigFile } from '../../local/local-input.ts';
import { withOutLock } from '../../local/out-lock.ts';
import type { ProgressListener } from '../../local/progress-events.ts';
import type { LocalRunOptions } from '../../local/run-local.ts';
import { exportSizes, progressReporter } from '../progress.ts';
import { checkDate, checkRunDay, runConfig, writeRunReport } from '../run-config.ts';
import { headline, printHeadline } from '../run-summary.ts';
import type { RunOptions } from './run.ts';

function summariseOutcome(outcome: IngestOutcome) {
  if (outcome.action !== 'ingested') return outcome;
  const { report } = outcome;
  return {
    action: outcome.action,
    key: outcome.key,
    export_id: outcome.exportId,
    status: outcome.status,
    reason: report.status_reason,
    encoding: report.encoding,
    warnings: report.warnings,
    control_totals: report.control_totals,
  };
}

/** Run warnings the text summary shows before it says how many more there are. */
const SHOWN_RUN_WARNINGS = 3;

/** Loads only checks up front: what runs is imported once the command line has passed them. */
export async function run(exportsDir: string, options: RunOptions): Promise<void> {
  checkDate('--as-of', options.asOf);
  await withOutLock(resolve(options.out), 'run', { create: true }, () =>
    runAndSummarise(exportsDir, options),
  );
}

async function runAndSummarise(exportsDir: string, options: RunOptions): Promise<void> {
  // Bad input is refused before the handlers, the AWS SDK and DuckDB load (seconds of CPU): the same
  // checks runLocal makes, in the same order, made first.
  await checkExportsDir(exportsDir);
  await checkRunDay('--as-of', options.asOf, await loadConfigFile(options.config));
  const [{ runLocal }, { LakeSql }] = await Promise.all([
    import('../../local/run-local.ts'),
    import('../../local/lake-sql.ts'),
  ]);
  // On stderr, so --json's stdout stays clean; off with --quiet.
  const progress = progressReporter({ quiet: options.quiet, exportSizes: await exportSizes(exportsDir) });
  // onProgressEvent (rows and bytes as they are done) where run-local offers it; else its steps in words.
  const runOptions: LocalRunOptions & { onProgressEvent?: ProgressListener } = {
    exportsDir,
    outDir: options.out,
    ...(options.asOf ? { asOf: options.asOf } : {}),
    ...(options.config ? { configFile: options.config } : {}),
    onProgress: progress.step,
    onProgressEvent: progress.event,
  };
  let result: Awaited<ReturnType<typeof runLocal>>;
  try {
    result = await runLocal(runOptions);
  } finally {
    progress.done();
  }
  const report = progressReporter({ quiet: options.quiet });
  report.event({ step: 'report', done: {} });
  const sql = await LakeSql.open(resolve(result.outDir, 'lake'));
  const figures = await headline(sql, result);
  sql.close();
  const { warnings } = result.run;
  const reportPath = await writeRunReport(result.outDir, {
    asOf: result.run.as_of,
    runWarnings: { listed: warnings, count: warnings.length },
  });
  report.done();
  if (options.json) {
    const ingest = result.outcomes.map(summariseOutcome);
    const summary = {
      ...figures,
      run: result.run,
      out: result.outDir,
      report: reportPath,
      ingest,
      skipped: result.sync.skipped,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const config = await runConfig(result.outDir);
  const m = messagesFor(config.locale).cli;
  const notes = [
    ...result.sync.skipped.map((s) => `! ${s.file}: skipped: ${s.reason}`),
    ...result.outcomes.flatMap((o) =>
      o.action === 'ingested' && o.status !== 'loaded'
        ? [`! ${o.key}: ${o.status}: ${o.report.status_reason}`]
        : o.action === 'ingested'
          ? o.report.warnings.map((w) => `! ${o.key}: ${w}`)
          : [],
    ),
    ...result.run.export_warnings.map((w) => `! ${w}`),
    // The CLV parameters moved more than clv.driftThreshold since the last run (core/clv/drift.ts).
    ...result.run.warnings.filter((w) => w.startsWith('clv drift: ')).map((w) => `! ${w}`),
  ];
  // The run's other warnings (money left unallocated, model notes): the first few, and how many
  // more. The summary kept only the drift, so a finance user saw none of them.
  const exportWarnings = new Set(result.run.export_warnings);
  const others = result.run.warnings.filter((w) => !w.startsWith('clv drift: ') && !exportWarnings.has(w));
  notes.push(...others.slice(0, SHOWN_RUN_WARNINGS).map((w) => `! ${w}`));
  if (others.length > SHOWN_RUN_WARNINGS)
    notes.push(fill(m.moreRunWarnings, { count: String(others.length - SHOWN_RUN_WARNINGS) }));
  if (figures.rows_quarantined > 0) {
    notes.push(fill(m.quarantinedRows, { path: resolve(result.outDir, 'lake', 'quarantine') }));
  }
  notes.push(fill(m.outputs, { path: result.outDir }), fill(m.reportWritten, { path: reportPath }));
  process.stdout.write(`${printHeadline(figures, ['', ...notes], config)}\n`);
}
