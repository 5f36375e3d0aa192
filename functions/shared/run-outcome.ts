import type { RunSummary } from '../compute/run-compute.ts';

/**
 * What a Lambda returns and logs of a run: its counts and its first warnings, not every export id
 * and warning. The summary grows with the exports and the warnings (thousands of each after a
 * year of daily files), and a nightly execution takes 256 KiB of a task's output (past it the
 * execution fails with States.DataLimitExceeded, which no Catch takes, after the run published),
 * a Lambda 6 MB of a response, CloudWatch 256 KB of a log line. The whole list is in the RUNS record
 * (capped there too) and the run's report.
 */
export interface RunOutcome {
  as_of: string;
  run_id: string;
  exports: number;
  tables: Record<string, number>;
  warnings: number;
  first_warnings: string[];
  items: { written: number; deleted: number };
}

const FIRST_WARNINGS = 5;
const WARNING_CHARACTERS = 300;

export function runOutcome(summary: RunSummary): RunOutcome {
  return {
    as_of: summary.as_of,
    run_id: summary.run_id,
    exports: summary.export_ids.length,
    tables: summary.tables,
    warnings: summary.warnings.length,
    first_warnings: summary.warnings
      .slice(0, FIRST_WARNINGS)
      .map((warning) =>
        warning.length > WARNING_CHARACTERS ? `${warning.slice(0, WARNING_CHARACTERS - 1)}…` : warning,
      ),
    items: summary.items,
  };
}
