import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (as measured in full runs on a 2-core machine, two workers), in that
 * order. Without vitest's duration cache (a fresh clone, CI) files are started largest first, which
 * can leave a 100-second file to start last on one of the two workers and stretch the run by that
 * much; starting these first lets the short files fill in around them.
 */
export const SLOWEST_TEST_FILES = [
  'test/e2e/scale-out.test.ts',
  'test/e2e/crash-consistency.test.ts',
  'test/e2e/cli.test.ts',
  'test/e2e/cli-tty.test.ts',
  'test/report/report-browser.test.ts',
  'test/functions/event-faults.test.ts',
  'test/e2e/clv-published.test.ts',
  'test/e2e/targets-roster.test.ts',
  'test/e2e/targets-movers.test.ts',
  'test/infra/local-run-drift.test.ts',
  'test/functions/load-transactions.test.ts',
  'test/e2e/ingest-takeover.test.ts',
  'test/functions/compute-results.test.ts',
  'test/functions/reconcile.test.ts',
  'test/functions/cohort-items.test.ts',
  'test/functions/targets-items.test.ts',
  'test/functions/rle-hybrid.test.ts',
  'test/report/report-sql.test.ts',
  'test/functions/service-costs-sql.test.ts',
];

/** Vitest's own order (failed, then longest by its cache, else largest), the slowest files first. */
export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = SLOWEST_TEST_FILES.findIndex((name) => file.moduleId.endsWith(`/${name}`));
      return index === -1 ? SLOWEST_TEST_FILES.length : index;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return ordered.sort((a, b) => rank(a) - rank(b));
  }
}
