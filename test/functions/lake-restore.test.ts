import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compute } from '../../functions/compute/handler.ts';
import { lakeKeys } from '../../functions/ingest/lake-keys.ts';
import { type LocalEnv, startLocalEnvWithOrders } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  process.env.CVAL_CONFIG = '{}';
  env = await startLocalEnvWithOrders();
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

describe('a lake restored to before the newest run', () => {
  it("says that the newest run's tables are gone, so LATEST items of customers only it had may stay", async () => {
    const { lake } = env.ports();
    await compute({ as_of: '2025-02-28' });
    // The bucket restored to before that run: its published days are gone, the table's run
    // record is not.
    for (const table of ['customer_metrics', 'cohort_metrics'])
      await lake.deletePrefix(lakeKeys.resultFolder(table, '2025-02-28'));
    const next = await compute({ as_of: '2025-03-31' });
    expect(next.warnings).toContainEqual(
      expect.stringMatching(
        /^the published tables of 2025-02-28, the newest recorded run, are gone from the lake \(restored\?\)/,
      ),
    );
    // A lake as the runs left it says nothing of the kind.
    const after = await compute({ as_of: '2025-04-30' });
    expect(after.warnings.filter((w) => w.includes('gone from the lake'))).toEqual([]);
  });
});
