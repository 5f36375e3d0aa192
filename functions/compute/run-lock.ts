import type { ItemStore } from '../adapters/item-store.ts';
import { RUNS_PK } from './run-registry.ts';

/**
 * `RUNS` / `LOCK`: one compute run at a time, whichever path. The compute function alone could
 * rely on its reserved concurrency of one, but a scaled-out night runs in other functions, and two
 * runs of a day share their staging folders: a run interleaved with another could publish half of
 * each. The lock names its holder and lapses by itself (`expires_at`, epoch seconds), so a run that
 * died holds it no longer than its time limit; the same holder takes it again (a retried step).
 */
export const RUN_LOCK_KEY = { PK: RUNS_PK, SK: 'LOCK' } as const;

export class RunLockedError extends Error {
  constructor(
    readonly holder: string,
    readonly until: Date,
  ) {
    super(
      `another compute run (${holder}) holds the run lock until ${until.toISOString()}: this run did not start; ` +
        'it starts once that run ends or its lock lapses',
    );
    this.name = 'RunLockedError';
  }
}

/** Takes the lock for `holder` until `untilMs` (epoch ms), or throws RunLockedError. */
export async function takeRunLock(
  items: Pick<ItemStore, 'putIf' | 'get'>,
  holder: string,
  untilMs: number,
  nowMs: number = Date.now(),
): Promise<void> {
  const taken = await items.putIf(
    {
      ...RUN_LOCK_KEY,
      holder,
      expires_at: Math.ceil(untilMs / 1000),
      taken_at: new Date(nowMs).toISOString(),
    },
    'attribute_not_exists(PK) OR expires_at < :now OR #holder = :holder',
    { ':now': Math.floor(nowMs / 1000), ':holder': holder },
    { '#holder': 'holder' },
  );
  if (taken) return;
  const current = await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK);
  throw new RunLockedError(String(current?.holder), new Date(Number(current?.expires_at ?? 0) * 1000));
}

/**
 * Lets the lock lapse now (or at `untilMs`, epoch ms), if `holder` still holds it (a lock taken
 * over since is left alone).
 */
export async function releaseRunLock(
  items: Pick<ItemStore, 'putIf'>,
  holder: string,
  untilMs = 0,
): Promise<void> {
  await items.putIf(
    { ...RUN_LOCK_KEY, holder, expires_at: Math.ceil(untilMs / 1000) },
    '#holder = :holder',
    { ':holder': holder },
    { '#holder': 'holder' },
  );
}
