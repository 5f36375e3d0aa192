import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { resultTable } from '../../core/tables.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { publishStaged, stageResults } from '../../functions/compute/publish-results.ts';
import { lakeKeys } from '../../functions/ingest/lake-keys.ts';
import { partitionLocally } from '../../functions/scale-out/partition-locally.ts';
import {
  combineRun,
  planRun,
  publishScaledRun,
  summariseBucket,
  writeBucketCustomers,
} from '../../functions/scale-out/steps.ts';
import { type LocalEnv, startLocalEnvWithOrders } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnvWithOrders();
});
afterAll(async () => {
  await env?.close();
});

/** The lake, its publishFolder failing (the process dying) from the `failFrom`-th call on. */
function dyingAt(lake: ObjectStore, failFrom: number): ObjectStore {
  let calls = 0;
  return Object.assign(Object.create(Object.getPrototypeOf(lake)), lake, {
    publishFolder: async (staging: string, final: string) => {
      calls += 1;
      if (calls >= failFrom) throw new Error('the process died while publishing');
      return lake.publishFolder(staging, final);
    },
  });
}

/** Every published key under results/, with its bytes. */
async function published(lake: ObjectStore): Promise<Map<string, string>> {
  const keys = await lake.list('results/');
  return new Map(
    await Promise.all(
      keys.map(async (key) => [key, Buffer.from(await lake.getBytes(key)).toString('base64')] as const),
    ),
  );
}

describe('publishing a run again after it died midway', () => {
  const asOf = '2025-02-28';

  it('a scaled-out publish retried after some tables were published leaves every table whole', async () => {
    const { lake, items } = env.ports();
    const ports = { lake, items, config: parseConfig({ compute: { scaleOutAboveBytes: 0, buckets: 2 } }) };
    /** Every step before publish, as the state machine runs them. */
    const stageRun = async (): Promise<string> => {
      const plan = await planRun(ports, asOf, { database: 'customer_value' });
      await partitionLocally(lake, plan.run_id);
      for (const { bucket } of plan.buckets) await summariseBucket(ports, plan.run_id, bucket);
      await combineRun(ports, asOf, plan.run_id);
      for (const { bucket } of plan.buckets) await writeBucketCustomers(ports, asOf, plan.run_id, bucket);
      return plan.run_id;
    };
    /** A fresh day: the published tables and the run records gone. */
    const forget = async () => {
      for (const key of await lake.list('results/')) await lake.deletePrefix(key);
      await items.deleteAll((await items.query('RUNS')).map(({ PK, SK }) => ({ PK, SK })));
    };
    // What the run publishes when nothing goes wrong.
    await publishScaledRun(ports, asOf, await stageRun());
    const expected = await published(lake);
    expect(expected.size).toBeGreaterThan(10);
    await forget();

    const runId = await stageRun();
    // The first try publishes three tables and dies; the state machine runs the step again.
    await expect(publishScaledRun({ ...ports, lake: dyingAt(lake, 4) }, asOf, runId)).rejects.toThrow(
      /died while publishing/,
    );
    expect((await published(lake)).size).toBeLessThan(expected.size);
    await publishScaledRun(ports, asOf, runId);
    expect(await published(lake)).toEqual(expected);
    // And once more, after it was recorded: nothing changes, nothing is left staged.
    await publishScaledRun(ports, asOf, runId);
    expect(await published(lake)).toEqual(expected);
    expect(await lake.list('staging/')).toEqual([]);
  });

  it('a publish that runs again after the first cleared its staging refuses, and the published tables stay', async () => {
    const { lake } = env.ports();
    const day = '2025-03-31';
    const table = resultTable('clv_models');
    // A late retry (a second invocation of the publish step while the first one finishes): the
    // first publishes and clears the run's staging, the second then finds every staging folder empty.
    await stageResults(lake, day, 'late-run', new Map([[table, []]]));
    await publishStaged(lake, day, 'late-run', [table]);
    const before = await published(lake);
    expect([...before.keys()].some((key) => key.startsWith(lakeKeys.resultFolder(table.name, day)))).toBe(
      true,
    );
    await lake.deletePrefix(lakeKeys.runStaging('late-run'));
    await expect(publishStaged(lake, day, 'late-run', [table])).rejects.toThrow(/nothing staged/);
    expect(await published(lake)).toEqual(before);
  });
});
