import { describe, expect, it } from 'vitest';
import { runOutcome } from '../../functions/shared/run-outcome.ts';

describe('runOutcome: what a Lambda returns of a run', () => {
  it('stays small whatever the run holds: Step Functions takes 256 KiB of a task, Lambda 6 MB of a response', () => {
    // 11,000 exports and 5,000 long warnings made responses of megabytes: the nightly execution
    // failed with States.DataLimitExceeded after publishing, and past 6 MB the function itself.
    const summary = {
      as_of: '2025-03-31',
      run_id: 'r1',
      export_ids: Array.from({ length: 11_000 }, (_, i) => `export-${i}`.padEnd(20, 'x')),
      tables: { customer_metrics: 1_000_000, whale_curve: 101 },
      warnings: Array.from({ length: 5_000 }, (_, i) => `warning ${i}: ${'w'.repeat(700)}`),
      export_warnings: Array.from({ length: 5_000 }, (_, i) => `warning ${i}: ${'w'.repeat(700)}`),
      items: { written: 1_000_000, deleted: 3 },
    };
    const outcome = runOutcome(summary);
    expect(JSON.stringify(outcome).length).toBeLessThan(8 * 1024);
    expect(outcome).toMatchObject({
      as_of: '2025-03-31',
      run_id: 'r1',
      exports: 11_000,
      tables: { customer_metrics: 1_000_000, whale_curve: 101 },
      warnings: 5_000,
      items: { written: 1_000_000, deleted: 3 },
    });
    expect(outcome.first_warnings).toHaveLength(5);
    expect(outcome.first_warnings[0]?.length).toBeLessThanOrEqual(300);
  });
});
