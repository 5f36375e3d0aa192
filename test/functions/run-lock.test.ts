import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compute } from '../../functions/compute/handler.ts';
import {
  RUN_LOCK_KEY,
  RunLockedError,
  releaseRunLock,
  takeRunLock,
} from '../../functions/compute/run-lock.ts';
import type { ScalePlan } from '../../functions/scale-out/contract.ts';
import { scaleOutHolder, scaleOutStep } from '../../functions/scale-out/handler.ts';
import { clvDriftMetrics } from '../../functions/shared/clv-drift-metric.ts';
import { type LocalEnv, startLocalEnvWithOrders } from '../support/local-env.ts';

/** What Lambda hands a handler: the time left before its limit. */
const lambdaContext = { getRemainingTimeInMillis: () => 60_000 };

let env: LocalEnv;
beforeAll(async () => {
  process.env.CVAL_CONFIG = JSON.stringify({ compute: { scaleOutAboveBytes: 0, buckets: 2 } });
  env = await startLocalEnvWithOrders();
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

describe('the run lock', () => {
  it('is held by one holder at a time, taken again by the same holder, and lapses by itself', async () => {
    const { items } = env.ports();
    const now = Date.parse('2026-12-06T02:00:00Z');
    await takeRunLock(items, 'night-a', now + 60_000, now);
    await takeRunLock(items, 'night-a', now + 120_000, now + 1_000);
    const refused = takeRunLock(items, 'night-b', now + 60_000, now + 2_000);
    await expect(refused).rejects.toThrow(RunLockedError);
    await expect(refused).rejects.toThrow(/\(night-a\) holds the run lock until 2026-12-06T02:02:00\.000Z/);
    // Past its expiry anyone takes it: a run that died holds it no longer than its time limit.
    await takeRunLock(items, 'night-b', now + 300_000, now + 121_000);
    // The former holder's release leaves the new holder's lock alone.
    await releaseRunLock(items, 'night-a');
    expect(await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toMatchObject({ holder: 'night-b' });
    await releaseRunLock(items, 'night-b');
    await takeRunLock(items, 'night-c', now + 60_000, now + 122_000);
    await releaseRunLock(items, 'night-c');
  });

  it('a scaled-out night holds it from plan to publish; a compute run meanwhile does not start', async () => {
    const { items, lake } = env.ports();
    const planEvent = { step: 'plan', as_of: '2025-02-28', execution: 'night-1' } as const;
    const planned = Date.now();
    const plan = (await scaleOutStep(planEvent, lambdaContext)) as ScalePlan;
    expect(plan.scale_out).toBe(true);
    expect(plan.execution).toBe('night-1');
    const lock = await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK);
    expect(lock).toMatchObject({ holder: scaleOutHolder(plan.run_id, 'night-1') });
    // Held past the execution's 2 hours by a step's 15 minutes: an execution that times out skips
    // its release, and a step it started may still be running.
    expect(Number(lock?.expires_at) * 1000).toBeGreaterThanOrEqual(planned + (2 * 60 + 15) * 60_000 - 1000);
    // An upload's compute run (the compute function, on Lambda) finds the lock and fails: nothing written.
    await expect(compute({ as_of: '2025-02-28' }, lambdaContext)).rejects.toThrow(RunLockedError);
    expect(await lake.list('results/')).toEqual([]);
    // A retried plan step is the same holder.
    await scaleOutStep(planEvent, lambdaContext);
    // A second execution of the same day stops at its plan and leaves the first's folder alone.
    const folder = await lake.list(`staging/scale-out/${plan.run_id}/`);
    expect(folder).toContain(`staging/scale-out/${plan.run_id}/plan.json`);
    await expect(scaleOutStep({ ...planEvent, execution: 'night-2' }, lambdaContext)).rejects.toThrow(
      /\(scale-out:night-1\) holds the run lock/,
    );
    expect(await lake.list(`staging/scale-out/${plan.run_id}/`)).toEqual(folder);

    // The remaining steps (Athena's partition played by DuckDB), then publish lets it go.
    const { partitionLocally } = await import('../../functions/scale-out/partition-locally.ts');
    await partitionLocally(lake, plan.run_id);
    const step = { as_of: '2025-02-28', run_id: plan.run_id };
    const publish = { step: 'publish', ...step, execution: 'night-1' } as const;
    // Every step twice, as the state machine's retries may run it: the same result again.
    const twice = async (event: Parameters<typeof scaleOutStep>[0]) => {
      const first = await scaleOutStep(event, lambdaContext);
      expect(await scaleOutStep(event, lambdaContext)).toEqual(first);
    };
    for (const { bucket } of plan.buckets) await twice({ step: 'summarise', ...step, bucket });
    await twice({ step: 'combine', ...step });
    // Items first written by the first try: the second puts the same and deletes none.
    for (const { bucket } of plan.buckets)
      await scaleOutStep({ step: 'write_customers', ...step, bucket }, lambdaContext);
    for (const { bucket } of plan.buckets) await twice({ step: 'write_customers', ...step, bucket });
    // A scaled-out night counts its CLV drift in the series the drift alarm watches.
    const counted = vi.spyOn(clvDriftMetrics, 'addMetric');
    const published = (await scaleOutStep(publish, lambdaContext)) as {
      tables: unknown;
    };
    expect(counted).toHaveBeenCalledWith('ClvParameterDrift', 'Count', 0);
    counted.mockRestore();
    // A retried publish finds the run recorded and returns it.
    const again = (await scaleOutStep(publish, lambdaContext)) as { tables: unknown };
    expect(again.tables).toEqual(published.tables);
    expect(await items.get('CUSTOMER#C1', 'LATEST')).toMatchObject({ revenue: 150, as_of: '2025-02-28' });
    expect(await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toMatchObject({ expires_at: 0 });

    // A failed execution lets the lock go on its way out, once its steps can have stopped (the
    // function's time limit); another execution's release (its plan failed, or it never held the
    // lock) changes nothing.
    await scaleOutStep({ step: 'plan', as_of: '2025-02-28', execution: 'night-3' }, lambdaContext);
    await scaleOutStep({ step: 'release', run: { execution: 'night-4' } }, lambdaContext);
    await scaleOutStep(
      { step: 'release', run: { run_id: plan.run_id, execution: 'night-4' } },
      lambdaContext,
    );
    const night3 = scaleOutHolder(plan.run_id, 'night-3');
    expect(await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toMatchObject({ holder: night3 });
    // night-3 failed after its plan took the lock but before its state had a run id: found by name.
    const released = Date.now();
    await scaleOutStep({ step: 'release', run: { execution: 'night-3' } }, lambdaContext);
    const lapsing = await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK);
    expect(lapsing?.holder).toBe(night3);
    expect(Number(lapsing?.expires_at) * 1000).toBeGreaterThanOrEqual(released + 15 * 60_000 - 1000);
    expect(Number(lapsing?.expires_at) * 1000).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
    await expect(compute({ as_of: '2025-02-28' }, lambdaContext)).rejects.toThrow(RunLockedError);
    // Past that the lock has lapsed (here: let go at once).
    await releaseRunLock(items, night3);

    // Now the compute function runs, and lets the lock go when done.
    const run = await compute({ as_of: '2025-02-28' }, lambdaContext);
    expect(run.run_id).toBe(plan.run_id);
    expect(await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toMatchObject({
      // Each invocation its own holder (Lambda's request id; here none, so a random one).
      holder: expect.stringMatching(/^compute:2025-02-28:.+/),
      expires_at: 0,
    });
  });

  it("a plan retried after the exports changed (another run id) takes its own execution's lock", async () => {
    const { items } = env.ports();
    // The first try planned run R1 and took the lock, then failed (a Lambda error); an export was
    // loaded meanwhile, so the retry plans another run id under the same execution.
    await takeRunLock(items, scaleOutHolder('run-of-the-first-try', 'night-7'), Date.now() + 3_600_000);
    const plan = (await scaleOutStep(
      { step: 'plan', as_of: '2025-02-28', execution: 'night-7' },
      lambdaContext,
    )) as ScalePlan;
    expect(await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toMatchObject({
      holder: scaleOutHolder(plan.run_id, 'night-7'),
    });
    await expect(
      scaleOutStep({ step: 'plan', as_of: '2025-02-28', execution: 'night-8' }, lambdaContext),
    ).rejects.toThrow(RunLockedError);
    await releaseRunLock(items, scaleOutHolder(plan.run_id, 'night-7'));
  });

  it('is not taken by a plan the registry refuses (an export without control totals)', async () => {
    const { items, lake } = env.ports();
    const exports = await items.query('EXPORTS', 'EXPORT#');
    const transactions = exports.find((item) => item.kind === 'transactions');
    if (!transactions) throw new Error('the orders env has a transactions export');
    const { control_totals: totals, ...without } = transactions;
    await items.put(without);
    try {
      const before = await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK);
      const staged = await lake.list('staging/');
      await expect(
        scaleOutStep({ step: 'plan', as_of: '2025-03-31', execution: 'night-5' }, lambdaContext),
      ).rejects.toThrow(/has no control totals in the registry: load it again/);
      // Refused before the lock and before the run's folder: nothing to wait for, nothing cleared.
      expect(await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK)).toEqual(before);
      expect(await lake.list('staging/')).toEqual(staged);
    } finally {
      await items.put({ ...without, control_totals: totals });
    }
  });
});
